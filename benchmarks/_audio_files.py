"""Long audio files for the benchmarks, encoded once and kept in the cache folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks._common import cache_dir

RATE = 44100


def _signal(start: int, frames: int) -> Any:
    """A voice-like test signal (gliding, pulsing tone with short pauses), int16 mono."""
    import numpy as np

    t = (np.arange(frames, dtype=np.float64) + start) / RATE
    pitch = 150 + 50 * np.sin(2 * np.pi * 0.37 * t)
    phase = 2 * np.pi * np.cumsum(pitch) / RATE + 2 * np.pi * 150 * start / RATE
    envelope = 0.3 + 0.2 * np.sin(2 * np.pi * 2.3 * t)
    envelope *= (np.sin(2 * np.pi * 0.21 * t) > -0.8)  # a pause now and then
    signal = envelope * (np.sin(phase) + 0.25 * np.sin(2.5 * phase))
    return (np.clip(signal, -1, 1) * 32767).astype(np.int16)


def long_mp3(seconds: int) -> Path:
    """`seconds` of audio as mp3_44100_128 (CBR, the API's default format), cached."""
    path = cache_dir() / f"speech-{seconds}s-44100-128k.mp3"
    if path.exists() and path.stat().st_size > seconds * 15_000:
        return path
    import av

    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as out:
        ctx: Any = av.CodecContext.create("libmp3lame", "w")
        ctx.sample_rate = RATE
        ctx.layout = "mono"
        ctx.format = "s16p"
        ctx.bit_rate = 128_000
        ctx.open()
        block = 1152 * 256
        total = seconds * RATE
        for start in range(0, total, block):
            pcm = _signal(start, min(block, total - start))
            frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16p",
                                               layout="mono")
            frame.sample_rate = RATE
            frame.pts = start
            for packet in ctx.encode(frame):
                out.write(bytes(packet))
        for packet in ctx.encode(None):
            out.write(bytes(packet))
    tmp.replace(path)
    return path
