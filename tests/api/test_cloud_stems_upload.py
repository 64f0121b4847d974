"""Stems and uploads through the service layer against the cloud test server: the request
follows the spec, the zip's stems add up to the mix, a non-audio file is refused plainly."""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile as sf

from app.api.client import ApiClient
from app.api.errors import ApiError
from app.api.music_stems import StemService
from app.audio.decode import decode_bytes
from app.domain.formats import OutputFormat
from app.ui.errors import describe_error
from tests.support.cloud import Cloud

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]


def _song_wav(rate: int = 44100, seconds: float = 2.0) -> tuple[bytes, np.ndarray]:
    t = np.arange(int(rate * seconds)) / rate
    mix = (0.3 * np.sin(2 * np.pi * 110 * t) + 0.2 * np.sin(2 * np.pi * 880 * t)
           + 0.1 * np.sin(2 * np.pi * 7000 * t)).astype(np.float32)
    buffer = io.BytesIO()
    sf.write(buffer, mix, rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue(), mix


async def test_six_stems_add_up_to_the_mix(cloud: Cloud, client: ApiClient) -> None:
    wav, mix = _song_wav()
    stems, _info = await StemService(client).separate(wav, "song.wav",
                                                      output_format="pcm_44100")
    assert [s.name for s in stems] == ["vocals", "drums", "bass", "guitar", "piano", "other"]
    fmt = OutputFormat.parse("pcm_44100")
    decoded = {s.name: decode_bytes(s.data, fmt).samples[:, 0] for s in stems}
    total = sum(decoded.values())
    residual_db = 10 * np.log10(np.mean((total - mix) ** 2) / np.mean(mix ** 2))
    assert residual_db < -40
    assert np.sqrt(np.mean(decoded["bass"] ** 2)) > 0.15  # the 110 Hz tone went to the bass
    sent = cloud.control.requests()[-1]
    assert sent["path"] == "/v1/music/stem-separation"
    assert sent["query"] == {"output_format": ["pcm_44100"]}
    assert sent["content_type"].startswith("multipart/form-data")


async def test_two_stems_and_a_refused_text_file(client: ApiClient) -> None:
    wav, _mix = _song_wav()
    service = StemService(client)
    stems, _info = await service.separate(wav, "song.wav", variation="two_stems_v1")
    assert [s.file_name for s in stems] == ["vocals.mp3", "instrumental.mp3"]
    with pytest.raises(ApiError) as caught:
        await service.separate(b"just some words", "notes.txt")
    assert "could not be decoded" in str(caught.value)


async def test_upload_with_a_plan(cloud: Cloud, client: ApiClient) -> None:
    """`POST /v1/music/upload` through the service layer: the form follows the spec (the
    test server checks it), the song id and the plan come back."""
    from app.api.music_upload import MusicUploadService
    from app.domain.music_plan_json import plan_from_json

    wav, _mix = _song_wav(seconds=4.0)
    song, _info = await MusicUploadService(client).upload(wav, "mine.wav",
                                                          plan_model="music_v2")
    assert song.song_id and not song.estimated
    assert plan_from_json(song.composition_plan or {}).sections
    sent = cloud.control.requests()[-1]
    assert sent["path"] == "/v1/music/upload"
    with pytest.raises(ApiError, match="could not be decoded") as caught:
        await MusicUploadService(client).upload(b"words", "notes.txt")
    # Said as a file that is not audio, with what to do: not "adjust the text".
    said = describe_error(caught.value)
    assert said.title == "The file is not audio the server can read"
    assert said.next_step == "Choose an audio file (MP3, WAV, FLAC or OGG) and try again."
