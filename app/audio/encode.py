"""Samples back to bytes in one of the API's output formats (for cut or joined takes).

soundfile (libsndfile) writes every codec the API sends: MP3, Ogg Opus and WAV in their
containers, 16-bit PCM, u-law and a-law as headerless sample streams. Blocking: call it
from a worker thread.
"""

from __future__ import annotations

import io

import numpy as np

from app.audio.clip import AudioClip
from app.domain.formats import Codec, OutputFormat

_SOUNDFILE_TYPES = {
    Codec.MP3: ("MP3", "MPEG_LAYER_III"),
    Codec.OPUS: ("OGG", "OPUS"),
    Codec.WAV: ("WAV", "PCM_16"),
    Codec.ULAW: ("RAW", "ULAW"),
    Codec.ALAW: ("RAW", "ALAW"),
}


def encode_clip(clip: AudioClip, fmt: OutputFormat) -> bytes:
    """The clip encoded as `fmt` (at the clip's own rate; resample first if needed)."""
    samples = np.clip(clip.samples, -1.0, 1.0)
    if fmt.codec is Codec.PCM:
        mono = samples.mean(axis=1) if samples.shape[1] > 1 else samples[:, 0]
        return bytes((mono * 32767).astype("<i2").tobytes())
    import soundfile

    container, subtype = _SOUNDFILE_TYPES[fmt.codec]
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, clip.sample_rate_hz, format=container, subtype=subtype)
    return buffer.getvalue()


def write_wav(path: str, clip: AudioClip) -> None:
    """A 16-bit WAV file (blocking)."""
    import soundfile

    soundfile.write(path, np.clip(clip.samples, -1.0, 1.0), clip.sample_rate_hz,
                    format="WAV", subtype="PCM_16")
