"""The recordings the transcription queue's tests queue: four short spoken takes made
with the engine's own voice, and one broken file (text named .wav), third in line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

SENTENCES = ("hello and welcome to the show", "today we talk about the weather",
             "thank you for listening", "see you next time")


def make_tape(folder: Path) -> list[Path]:
    """take1, take2, broken, take3, take4 in `folder`."""
    from app.engine.espeak import Espeak

    espeak = Espeak()
    paths = []
    for n, text in enumerate(SENTENCES):
        synthesis = espeak.synthesize(text, espeak.voice_for_language("en") or "en")
        path = folder / f"take{n + 1}.wav"
        sf.write(path, synthesis.samples.astype(np.float32) / 32768.0,
                 synthesis.sample_rate_hz)
        paths.append(path)
    broken = folder / "broken.wav"
    broken.write_bytes(b"this is not audio at all " * 200)
    paths.insert(2, broken)
    return paths
