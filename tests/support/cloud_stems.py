"""Stem separation for the cloud test server (tests/support/cloud_server.py).

`POST /v1/music/stem-separation`: the multipart form is checked against the spec's body
schema; the answer is a zip with one file a stem, in the requested format. The "model"
is a plain frequency split (low / mid / high bands of a whole-signal FFT; the last stem
is the mix minus the others), so the stems add up to the mix like the real service's.
A file the server cannot decode gets the API's 400 `invalid_audio` answer.
Control: `config.stem_delay_s` holds the answer back, for tests that
cancel a separation halfway.
"""

from __future__ import annotations

import io
import time
import uuid
import zipfile
from typing import TYPE_CHECKING, Any

import numpy as np

from app.audio.clip import AudioClip
from app.audio.encode import encode_clip
from app.domain.formats import OutputFormat
from tests.support.cloud_audio_form import AudioForm

if TYPE_CHECKING:
    from tests.support.cloud_server import CloudServer, Reply

STEM_OPERATION = "separate_song_stems"
STEM_FORM_SCHEMA = "Body_Stem_separation_v1_music_stem_separation_post"
NAMES = {"two_stems_v1": ("vocals", "instrumental"),
         "six_stems_v1": ("vocals", "drums", "bass", "guitar", "piano", "other")}
BANDS_HZ = {"bass": (0.0, 200.0), "vocals": (300.0, 3400.0), "drums": (6000.0, 1e9)}


def _band(samples: np.ndarray, rate: int, low: float, high: float) -> np.ndarray:
    spectrum = np.fft.rfft(samples, axis=0)
    freqs = np.fft.rfftfreq(len(samples), 1.0 / rate)
    spectrum[(freqs < low) | (freqs >= high)] = 0
    return np.fft.irfft(spectrum, n=len(samples), axis=0)


def _stems(clip: AudioClip, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    mix = clip.samples.astype(np.float64)
    stems = {name: (_band(mix, clip.sample_rate_hz, *BANDS_HZ[name]) if name in BANDS_HZ
                    else np.zeros_like(mix)) for name in names[:-1]}
    stems[names[-1]] = mix - sum(stems.values(), np.zeros_like(mix))
    return stems


def stems_reply(server: CloudServer, operation: Any, query: dict[str, list[str]],
                headers: dict[str, str], body: bytes) -> Reply:
    from tests.support import spec as spec_module
    from tests.support.cloud_audio_form import checked_audio_form
    from tests.support.cloud_server import Reply

    query_errors = spec_module.query_errors(operation, query)
    form = checked_audio_form(server, headers, body, STEM_FORM_SCHEMA, query_errors)
    if not isinstance(form, AudioForm):
        return form
    instance, clip = form.instance, form.clip
    fmt = OutputFormat.parse(query.get("output_format", ["mp3_44100_128"])[0])
    if server.config.stem_delay_s:
        time.sleep(server.config.stem_delay_s)
    with server.lock:
        stats = server.stats
        stats.generations[STEM_OPERATION] = stats.generations.get(STEM_OPERATION, 0) + 1
    names = NAMES[str(instance.get("stem_variation_id", "six_stems_v1"))]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, samples in _stems(clip, names).items():
            audio = encode_clip(AudioClip(samples.astype(np.float32), clip.sample_rate_hz), fmt)
            archive.writestr(f"{name}.{fmt.file_extension}", audio)
    return Reply(200, {"content-type": "application/zip", "request-id": uuid.uuid4().hex,
                       "content-disposition": "attachment; filename=stems.zip"},
                 buffer.getvalue())
