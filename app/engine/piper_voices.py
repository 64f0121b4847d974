"""Installed Piper voices as engine voices, and speaking with them.

Piper (onnxruntime) is imported only when a Piper voice first speaks: listing voices only
reads the models folder. Loaded voices are kept (a few) so the next request starts at
once; a voice whose files were removed while loaded keeps working until it is evicted.

Timings: Piper can report samples per phoneme only from a model patched with the `onnx`
package (a 100 MB dependency) and gives no word boundaries, so character times come from
the method used for espeak voices: espeak-ng speaks the same sentence silently (it runs
~700x real time), its word events give each word's relative position, and those are
stretched onto the span where Piper's audio is not silent.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from app.engine.voices import EngineVoice
from app.library.models.store import InstalledModel, ModelStore

if TYPE_CHECKING:
    from app.engine.espeak import Espeak, WordMark

PIPER_LABEL = "piper"
_ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_KEEP_LOADED = 2
_SYNTH_LOCK = threading.Lock()
_ACCENTS = {"en-US": "american", "en-GB": "british", "de-DE": "german", "fr-FR": "french",
            "es-ES": "spanish"}
_GENDERS = {"joe": "male", "lessac": "female", "amy": "female", "alan": "male",
            "thorsten": "male", "siwis": "female", "davefx": "male"}


# Where a user installs a model again: the Settings button's own words.
REINSTALL_PLACE = "Settings > Offline voices and transcripts"


class VoiceModelMissingError(RuntimeError):
    """The voice's model files are gone (removed while the engine was running) or damaged."""


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def stable_voice_id(model_name: str) -> str:
    """A 20-character id, always the same for the same model (like the cloud's ids)."""
    number = int.from_bytes(hashlib.sha256(model_name.encode()).digest()[:16], "big")
    chars = []
    for _ in range(20):
        number, rest = divmod(number, len(_ID_ALPHABET))
        chars.append(_ID_ALPHABET[rest])
    return "".join(chars)


def voice_not_found_message(voice_id: str) -> str:
    """What to tell a client asking for a voice the engine does not have: for a catalogue
    Piper voice that is not installed (removed, or never installed) it names the voice
    and how to get it back; otherwise the cloud's plain wording."""
    from app.library.models.catalogue import CATALOGUE

    for entry in CATALOGUE:
        if entry.kind == "piper" and stable_voice_id(entry.name) == voice_id:
            return (f"The voice {entry.title} · Piper ({voice_id}) is not installed on this "
                    "computer: it was removed, or never installed. Install it again in "
                    "Settings > Offline voices and transcripts, or with `xi-studio models "
                    f"install {entry.name}`, or choose another voice.")
    return f"A voice with the voice_id {voice_id} was not found."


@dataclass(frozen=True, slots=True)
class PiperEngineVoice(EngineVoice):
    model_name: str = ""
    model_dir: str = ""
    onnx_name: str = ""
    quality: str = ""

    @property
    def labels(self) -> dict[str, str]:
        labels = {"accent": self.accent, "gender": self.gender, "age": self.age,
                  "language": self.language, "use_case": self.use_case,
                  "description": self.description}
        labels.update(engine=PIPER_LABEL, quality=self.quality)
        return labels

    def to_json(self, base_url: str | None = None) -> dict[str, Any]:
        data = EngineVoice.to_json(self, base_url)
        data["labels"] = self.labels
        data["description"] = (f"Neural offline voice (Piper, {self.quality} quality, "
                               f"{self.locale}).")
        return data


def voice_from_model(model: InstalledModel) -> PiperEngineVoice:
    entry = model.entry
    locale = entry.language
    language = locale.split("-")[0]
    speaker = entry.name.split("-")[2] if entry.name.count("-") >= 3 else entry.name
    onnx = next(f.name for f in entry.files if f.name.endswith(".onnx"))
    return PiperEngineVoice(
        voice_id=stable_voice_id(entry.name), name=f"{entry.title} · Piper",
        espeak_language=language, variant="", language=language, locale=locale,
        accent=_ACCENTS.get(locale, locale.lower()), gender=_GENDERS.get(speaker, ""),
        age="", use_case="conversational",
        description="natural", preview_text=entry.sample_text or entry.title,
        model_name=entry.name, model_dir=str(model.folder), onnx_name=onnx,
        quality=entry.quality)


def installed_piper_voices(store: ModelStore) -> list[PiperEngineVoice]:
    return [voice_from_model(m) for m in store.installed("piper") if m.is_complete()]


class PiperSpeaker:
    """Loads Piper voices on first use and speaks a piece of text with one."""

    def __init__(self) -> None:
        self._loaded: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def _voice(self, voice: PiperEngineVoice) -> Any:
        with self._lock:
            loaded = self._loaded.get(voice.model_dir)
            if loaded is not None:
                self._loaded.move_to_end(voice.model_dir)
                return loaded
            onnx = Path(voice.model_dir) / voice.onnx_name
            config = onnx.with_name(onnx.name + ".json")
            if not onnx.is_file() or not config.is_file():
                raise VoiceModelMissingError(
                    f"The voice {voice.name} was removed from this computer. Choose another "
                    f"voice, or install it again in {REINSTALL_PLACE}.")
            from piper import PiperVoice  # heavy (onnxruntime): only when a voice speaks

            try:
                loaded = PiperVoice.load(onnx, config_path=config)
            except Exception as exc:
                # Whatever a damaged file makes the loader raise (onnxruntime's own
                # InvalidProtobuf, a KeyError or AttributeError from a config of another
                # shape...), it is the same story for the user: the files are damaged.
                raise VoiceModelMissingError(
                    f"The voice {voice.name} is damaged on this computer: its files could "
                    f"not be read ({_first_line(exc)}). Install it again in "
                    f"{REINSTALL_PLACE}, or choose another voice.") from exc
            self._loaded[voice.model_dir] = loaded
            while len(self._loaded) > _KEEP_LOADED:
                self._loaded.popitem(last=False)
            return loaded

    def prepare(self, voice: PiperEngineVoice) -> None:
        """Load the voice now (kept for the speech that follows), so a damaged voice is
        refused with its message before a streamed answer has started."""
        self._voice(voice)

    def synthesize(self, voice: PiperEngineVoice, text: str, speed: float,
                   rate_hz: int) -> np.ndarray:
        """int16 mono samples at `rate_hz` (resampled if the voice speaks at another)."""
        from piper import SynthesisConfig

        piper_voice = self._voice(voice)
        config = SynthesisConfig(length_scale=1.0 / max(0.25, min(4.0, speed)))
        # Piper phonemises with its own built-in copy of espeak-ng, which is not
        # thread-safe: one synthesis at a time (the network uses every core anyway).
        with _SYNTH_LOCK:
            chunks = [c.audio_int16_array for c in piper_voice.synthesize(text, config)]
        samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
        own_rate = int(piper_voice.config.sample_rate)
        if own_rate != rate_hz and samples.size:
            import soxr

            resampled = soxr.resample(samples.astype(np.float32) / 32768.0, own_rate, rate_hz)
            samples = np.clip(np.rint(resampled * 32767.0), -32768, 32767).astype(np.int16)
        return samples


def borrowed_word_marks(espeak: Espeak, voice: PiperEngineVoice, text: str,
                        speech_start_s: float, speech_end_s: float) -> list[WordMark]:
    """Word starts for Piper audio: espeak's word events for the same text, stretched
    onto Piper's speech span [speech_start_s, speech_end_s]."""
    from app.engine.espeak import WordMark
    from app.engine.synth import speech_bounds

    name = espeak.voice_for_language(voice.language) or "en-us"
    ref = espeak.synthesize(text, name)
    ref_start, ref_end = speech_bounds(ref.samples, ref.sample_rate_hz)
    if ref_end <= ref_start or speech_end_s <= speech_start_s:
        return []
    scale = (speech_end_s - speech_start_s) / (ref_end - ref_start)
    marks = []
    for w in ref.words:
        t = speech_start_s + (w.start_ms / 1000.0 - ref_start) * scale
        t = min(max(t, speech_start_s if w.text_start else 0.0), speech_end_s)
        marks.append(WordMark(w.text_start, w.text_length, round(t * 1000)))
    return marks
