"""Speech to text with the best installed Whisper model (faster-whisper), else PocketSphinx.

faster-whisper (CTranslate2) is imported on the first transcription that uses it, never
at start-up. The loaded model is kept for the next request. When the model cannot be
loaded (its files were removed while the engine ran), the request is still answered, by
PocketSphinx, and the transcript's `xi_studio_engine` mark says why.

The response has the ElevenLabs shape: words and "spacing" tokens with times, a detected
`language_code` with its `language_probability`. The mark names the model used.
"""

from __future__ import annotations

import math
import os
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from app.library.models.store import InstalledModel, ModelStore

ENGINE_MARK_KEY = "xi_studio_engine"
_LOCK = threading.Lock()
_LOADED: dict[str, Any] = {}  # folder -> WhisperModel (one at a time)
# ISO 639-3 codes the API accepts, to Whisper's ISO 639-1 (two letters pass as they are).
_THREE_TO_TWO = {"eng": "en", "deu": "de", "fra": "fr", "spa": "es", "ita": "it", "por": "pt",
                 "nld": "nl", "pol": "pl", "rus": "ru", "jpn": "ja", "zho": "zh", "hin": "hi",
                 "tur": "tr", "ukr": "uk", "swe": "sv", "kor": "ko", "ara": "ar"}


def whisper_language(code: str | None) -> str | None:
    """Whisper's code for the API's `language_code`; None = detect it."""
    if not code:
        return None
    code = code.strip().lower().split("-")[0].split("_")[0]
    return code if len(code) == 2 else _THREE_TO_TWO.get(code)


def best_whisper(store: ModelStore) -> InstalledModel | None:
    usable = [m for m in store.installed("whisper") if m.is_complete()]
    return max(usable, key=lambda m: m.entry.rank) if usable else None


def _usable_cores() -> int:
    """The cores this process may run on (not all of the machine's when pinned)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 2


def load_whisper(model: InstalledModel) -> Any:
    folder = str(model.folder)
    with _LOCK:
        loaded = _LOADED.get(folder)
        if loaded is None:
            from faster_whisper import WhisperModel  # heavy: only on first use

            loaded = WhisperModel(folder, device="cpu", compute_type="int8",
                                  cpu_threads=_usable_cores())
            _LOADED.clear()
            _LOADED[folder] = loaded
        return loaded


def whisper_words(whisper: Any, pcm16k: np.ndarray,
                  cancel_check: Callable[[], bool] | None = None,
                  language: str | None = None) -> tuple[list[Any], Any]:
    """(words, info) of float32 16 kHz mono audio; stops between segments on cancel."""
    from app.engine.recognizer import RecognitionCancelledError

    segments, info = whisper.transcribe(pcm16k, beam_size=1, word_timestamps=True,
                                        language=language)
    words: list[Any] = []
    for segment in segments:
        if cancel_check is not None and cancel_check():
            raise RecognitionCancelledError("cancelled")
        words.extend(segment.words or [])
    return words, info


def _transcript(whisper: Any, samples: np.ndarray, rate: int, *, speaker_id: str,
                channel_index: int | None, granularity: str,
                cancel_check: Callable[[], bool] | None,
                language: str | None = None) -> dict[str, Any]:
    from app.engine.recognizer import RecognizedWord, build_transcript, to_recognition_pcm

    pcm = to_recognition_pcm(samples, rate).astype(np.float32) / 32768.0
    words, info = whisper_words(whisper, pcm, cancel_check, language)
    recognised = [
        RecognizedWord(w.word.strip(), round(w.start * 1000), round(w.end * 1000),
                       math.log(max(float(w.probability), 1e-6)))
        for w in words if w.word.strip()
    ]
    result = build_transcript(recognised, speaker_id=speaker_id, channel_index=channel_index,
                              timestamps_granularity=granularity)
    result["language_code"] = info.language
    result["language_probability"] = round(float(info.language_probability), 3)
    return result


def transcribe_with_whisper(model: InstalledModel, path: str | Path, *,
                            multichannel: bool = False, timestamps_granularity: str = "word",
                            cancel_check: Callable[[], bool] | None = None,
                            language_code: str | None = None, **_: Any) -> dict[str, Any]:
    from app.engine.recognizer import load_audio_for_recognition

    samples, rate = load_audio_for_recognition(path)
    whisper = load_whisper(model)
    duration = round(samples.shape[0] / rate, 3)
    language = whisper_language(language_code)
    result: dict[str, Any]
    if multichannel and samples.shape[1] > 1:
        result = {"transcripts": [
            _transcript(whisper, samples[:, i], rate, speaker_id=f"speaker_{i}",
                        channel_index=i, granularity=timestamps_granularity,
                        cancel_check=cancel_check, language=language)
            for i in range(samples.shape[1])]}
    else:
        result = _transcript(whisper, samples, rate, speaker_id="speaker_0",
                             channel_index=None, granularity=timestamps_granularity,
                             cancel_check=cancel_check, language=language)
    result["transcription_id"] = uuid.uuid4().hex
    result["audio_duration_secs"] = duration
    result[ENGINE_MARK_KEY] = {"recognizer": "whisper", "model": model.name,
                               "model_title": model.entry.title, "approximate": False}
    return result


def damaged_whisper_note(store: ModelStore) -> str | None:
    """Why no Whisper model was used when one is installed but damaged on disk (so the
    transcript's mark says what to do, not just "PocketSphinx"); None otherwise."""
    from app.library.models.catalogue import CATALOGUE

    for entry in CATALOGUE:
        if entry.kind == "whisper" and (problem := store.damaged(entry.name)):
            return (f"{entry.title} is damaged on this computer ({problem}); PocketSphinx "
                    "made this draft. Install the model again in Settings > Offline voices "
                    "and transcripts.")
    return None


def best_transcriber(store: ModelStore) -> Callable[..., dict[str, Any]]:
    """`transcribe(path, **options)` for the STT routes: Whisper when one is installed."""

    def transcribe(path: Path, **options: Any) -> dict[str, Any]:
        from app.engine.recognizer import transcribe_file

        model = best_whisper(store)
        note = None if model is not None else damaged_whisper_note(store)
        if model is not None:
            try:
                return transcribe_with_whisper(model, path, **options)
            except (OSError, RuntimeError, ValueError) as exc:
                from app.engine.recognizer import (
                    RecognitionCancelledError,
                    UnsupportedAudioError,
                )

                if isinstance(exc, RecognitionCancelledError | UnsupportedAudioError):
                    raise
                note = (f"{model.entry.title} could not be used ({exc}); PocketSphinx made "
                        "this draft. Install the model again in Settings > Offline voices and "
                        "transcripts.")
        options.pop("language_code", None)  # PocketSphinx: English only
        result = transcribe_file(path, **options)
        result[ENGINE_MARK_KEY] = {"recognizer": "pocketsphinx", "model": "pocketsphinx",
                                   "approximate": True, **({"note": note} if note else {})}
        return result

    def multilingual() -> bool:
        return best_whisper(store) is not None

    transcribe.multilingual = multilingual  # type: ignore[attr-defined]
    return transcribe
