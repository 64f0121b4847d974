"""Measure how fast an installed model runs on this computer (shown after install).

The number is "x real time": seconds of audio made (Piper) or transcribed (Whisper) per
second of work, after the model has loaded. It takes a few seconds, so callers run it
in a worker thread once, right after installing.
"""

from __future__ import annotations

import time

import numpy as np

from app.library.models.store import InstalledModel

_SPEECH = ("Offline transcripts are only useful when they are fast enough. This short "
           "passage measures how quickly this computer turns speech into text.")


def measure_speed(model: InstalledModel) -> float:
    if model.entry.kind == "piper":
        return _piper_speed(model)
    return _whisper_speed(model)


def _piper_speed(model: InstalledModel) -> float:
    from app.engine.piper_voices import PiperSpeaker, voice_from_model

    speaker = PiperSpeaker()
    voice = voice_from_model(model)
    rate = 22050
    speaker.synthesize(voice, "Ready.", 1.0, rate)  # loads the voice
    started = time.perf_counter()
    samples = speaker.synthesize(voice, voice.preview_text, 1.0, rate)
    return len(samples) / rate / max(time.perf_counter() - started, 1e-6)


def _whisper_speed(model: InstalledModel) -> float:
    from faster_whisper import WhisperModel

    from app.engine.espeak import Espeak
    from app.engine.recognizer import to_recognition_pcm
    from app.engine.whisper_stt import whisper_words

    spoken = Espeak().synthesize(_SPEECH, "en-us")
    pcm = to_recognition_pcm(spoken.samples.astype(np.float32) / 32768.0,
                             spoken.sample_rate_hz).astype(np.float32) / 32768.0
    # Not the engine's shared cache: the app measuring a model must not keep it in memory.
    whisper = WhisperModel(str(model.folder), device="cpu", compute_type="int8")
    started = time.perf_counter()
    whisper_words(whisper, pcm)
    return len(pcm) / 16000 / max(time.perf_counter() - started, 1e-6)


def measure_in_subprocess(name: str, models_root: str, timeout_s: float = 300.0) -> None:
    """Measure and record a model's speed in a separate process: the app's process never
    loads the model (its memory stays as it was, its UI thread never waits on the GIL)."""
    import subprocess
    import sys

    if getattr(sys, "frozen", False):  # a bundle's executable is the app, not Python
        return
    subprocess.run([sys.executable, "-m", "app.engine.model_speed", name, models_root],
                   capture_output=True, timeout=timeout_s, check=False)


def _main(argv: list[str]) -> int:
    import contextlib
    import os
    from pathlib import Path

    with contextlib.suppress(AttributeError, OSError):
        os.nice(10)  # the app's window comes first: it must not stutter meanwhile

    from app.library.models.store import ModelStore

    store = ModelStore(Path(argv[1]))
    model = store.get(argv[0])
    if model is None:
        return 1
    store.record_speed(model.name, measure_speed(model))
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(_main(sys.argv[1:]))
