"""A ctypes binding to libespeak-ng (from the `espeakng-loader` wheel).

espeak-ng keeps its state in process-wide globals (current voice, parameters, callback)
and is not thread-safe, so there is exactly one loaded library per process and every
call goes through its lock. The library is loaded on first use, not at import.

Only the few calls the engine needs are bound: initialise in synchronous mode (audio is
handed to our callback inside `espeak_Synth`), choose a voice, set rate/pitch/range,
synthesise, and list voices. Word events from the callback give each word's position in
the text and its start time in the audio, which the engine uses for alignment.
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

# speak_lib.h
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_ESPEAK_CHARS_UTF8 = 1
_ESPEAK_ENDPAUSE = 0x1000
_ESPEAK_PHONEMES = 0x100  # text may hold phoneme mnemonics in [[...]]
_EE_OK = 0

_EVENT_LIST_TERMINATED = 0
_EVENT_WORD = 1
_EVENT_SENTENCE = 2

_PARAM_RATE = 1
_PARAM_VOLUME = 2
_PARAM_PITCH = 3
_PARAM_RANGE = 4

DEFAULT_RATE_WPM = 175
MIN_RATE_WPM = 80
MAX_RATE_WPM = 450

GENDERS = {0: "", 1: "male", 2: "female"}


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


class _Voice(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        # A list of (priority byte, NUL-terminated name) ending with a 0 byte: c_char_p
        # would stop at the first NUL, so keep the raw pointer.
        ("languages", ctypes.c_void_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


class EspeakError(RuntimeError):
    """espeak-ng could not be loaded or refused a call."""


@dataclass(frozen=True, slots=True)
class EspeakVoice:
    """One entry of `espeak_ListVoices`."""

    name: str
    identifier: str
    languages: tuple[str, ...]  # in priority order, e.g. ("en-us", "en")
    gender: str  # "male", "female" or ""
    age: int  # 0 when not specified

    @property
    def language(self) -> str:
        return self.languages[0] if self.languages else ""


@dataclass(frozen=True, slots=True)
class WordMark:
    """Where a word is in the text (0-based, in characters) and when it starts (ms)."""

    text_start: int
    text_length: int
    start_ms: int


@dataclass(slots=True)
class Synthesis:
    samples: np.ndarray  # int16, mono
    sample_rate_hz: int
    words: list[WordMark] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate_hz if self.sample_rate_hz else 0.0


@dataclass(frozen=True, slots=True)
class Prosody:
    """espeak parameters for one synthesis (the engine maps voice settings onto these)."""

    rate_wpm: int = DEFAULT_RATE_WPM
    pitch: int = 50  # 0-100, relative to the voice's base pitch
    pitch_range: int = 50  # 0-100; 0 is monotone
    volume: int = 100  # 0-200


def _parse_languages(pointer: int | None) -> tuple[str, ...]:
    if not pointer:
        return ()
    languages: list[str] = []
    offset = 0
    while True:
        priority = ctypes.c_ubyte.from_address(pointer + offset).value
        if priority == 0:
            break
        name = ctypes.string_at(pointer + offset + 1)
        languages.append(name.decode("utf-8", "replace"))
        offset += 1 + len(name) + 1
    return tuple(languages)


class _Library:
    """The loaded libespeak-ng. Created once per process, used only under `lock`."""

    def __init__(self, library_path: str, data_path: str) -> None:
        self.lock = threading.Lock()
        try:
            lib = ctypes.CDLL(library_path)
        except OSError as exc:
            raise EspeakError(f"could not load espeak-ng from {library_path}: {exc}") from exc
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetVoiceByProperties.argtypes = [ctypes.POINTER(_Voice)]
        lib.espeak_SetVoiceByProperties.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
            ctypes.c_uint, ctypes.POINTER(ctypes.c_uint), ctypes.c_void_p,
        ]
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_Synchronize.argtypes = []
        lib.espeak_Synchronize.restype = ctypes.c_int
        lib.espeak_ListVoices.argtypes = [ctypes.POINTER(_Voice)]
        lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
        rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path.encode(), 0)
        if rate <= 0:
            raise EspeakError(f"espeak-ng did not initialise (data at {data_path})")
        self.lib = lib
        self.sample_rate_hz = int(rate)
        # Filled by the callback while a synthesis runs (always under `lock`).
        self._chunks: list[np.ndarray] = []
        self._words: list[WordMark] = []
        self._callback = _SynthCallback(self._on_synth)  # keep a reference: C holds it
        lib.espeak_SetSynthCallback(self._callback)

    def _on_synth(self, wav: ctypes._Pointer[ctypes.c_short] | None, count: int,
                  events: ctypes._Pointer[_Event]) -> int:
        if wav and count > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        index = 0
        while events:
            event = events[index]
            if event.type == _EVENT_LIST_TERMINATED:
                break
            if event.type == _EVENT_WORD:
                # text_position is 1-based, in characters of the text we passed.
                self._words.append(
                    WordMark(max(0, event.text_position - 1), event.length, event.audio_position)
                )
            index += 1
        return 0  # continue

    def synthesize(self, text: str, voice_name: str, prosody: Prosody,
                   phonemes: bool = False) -> Synthesis:
        with self.lock:
            lib = self.lib
            if lib.espeak_SetVoiceByName(voice_name.encode()) != _EE_OK:
                raise EspeakError(f"espeak-ng has no voice {voice_name!r}")
            rate = min(MAX_RATE_WPM, max(MIN_RATE_WPM, prosody.rate_wpm))
            lib.espeak_SetParameter(_PARAM_RATE, rate, 0)
            lib.espeak_SetParameter(_PARAM_PITCH, min(100, max(0, prosody.pitch)), 0)
            lib.espeak_SetParameter(_PARAM_RANGE, min(100, max(0, prosody.pitch_range)), 0)
            lib.espeak_SetParameter(_PARAM_VOLUME, min(200, max(0, prosody.volume)), 0)
            self._chunks = []
            self._words = []
            data = text.encode("utf-8") + b"\0"
            buffer = ctypes.create_string_buffer(data, len(data))
            flags = _ESPEAK_CHARS_UTF8 | _ESPEAK_ENDPAUSE | (_ESPEAK_PHONEMES if phonemes else 0)
            status = lib.espeak_Synth(buffer, len(data), 0, _POS_CHARACTER, 0, flags, None, None)
            lib.espeak_Synchronize()
            chunks, words = self._chunks, self._words
            self._chunks, self._words = [], []
        if status != _EE_OK:
            raise EspeakError(f"espeak-ng could not synthesise (error {status})")
        samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
        return Synthesis(samples.astype(np.int16, copy=False), self.sample_rate_hz, words)

    def list_voices(self) -> list[EspeakVoice]:
        with self.lock:
            array = self.lib.espeak_ListVoices(None)
            voices: list[EspeakVoice] = []
            index = 0
            while array and array[index]:
                v = array[index].contents
                voices.append(
                    EspeakVoice(
                        name=(v.name or b"").decode("utf-8", "replace"),
                        identifier=(v.identifier or b"").decode("utf-8", "replace"),
                        languages=_parse_languages(v.languages),
                        gender=GENDERS.get(v.gender, ""),
                        age=int(v.age),
                    )
                )
                index += 1
        return voices


_LOAD_LOCK = threading.Lock()
_LOADED: dict[tuple[str, str], _Library] = {}


def _default_paths() -> tuple[str, str]:
    import espeakng_loader

    return espeakng_loader.get_library_path(), espeakng_loader.get_data_path()


class Espeak:
    """The engine's handle on espeak-ng. Cheap to create; loads the library on first use.

    All instances in a process share the one loaded library (espeak-ng's state is
    global), and calls from any thread are serialised by its lock.
    """

    def __init__(self, library_path: str | Path | None = None,
                 data_path: str | Path | None = None) -> None:
        self._library_path = str(library_path) if library_path else None
        self._data_path = str(data_path) if data_path else None
        self._voices: list[EspeakVoice] | None = None

    def _library(self) -> _Library:
        with _LOAD_LOCK:
            if self._library_path is None or self._data_path is None:
                lib_path, data_path = _default_paths()
                self._library_path = self._library_path or lib_path
                self._data_path = self._data_path or data_path
            key = (self._library_path, self._data_path)
            if key not in _LOADED:
                if _LOADED:
                    raise EspeakError("espeak-ng is already loaded from another location")
                _LOADED[key] = _Library(*key)
            return _LOADED[key]

    @property
    def sample_rate_hz(self) -> int:
        return self._library().sample_rate_hz

    def synthesize(self, text: str, voice_name: str, prosody: Prosody | None = None,
                   phonemes: bool = False) -> Synthesis:
        """Speak `text` with an espeak voice name such as "en-us+f3"; returns int16 audio.
        With `phonemes`, `[[...]]` in the text is read as espeak phoneme mnemonics."""
        return self._library().synthesize(text, voice_name, prosody or Prosody(), phonemes)

    def list_voices(self) -> list[EspeakVoice]:
        if self._voices is None:
            self._voices = self._library().list_voices()
        return list(self._voices)

    def voice_for_language(self, language: str) -> str | None:
        """The espeak voice name (for `synthesize`) that speaks an ISO language code."""
        wanted = language.strip().lower().replace("_", "-")
        if not wanted:
            return None
        voices = self.list_voices()
        for v in voices:
            if v.language == wanted:
                return v.identifier.rsplit("/", 1)[-1]
        # "en" is spoken by en, en-US, en-029...: the plainest (shortest) name wins.
        speaking = [v.identifier.rsplit("/", 1)[-1] for v in voices if wanted in v.languages]
        return min(speaking, key=len) if speaking else None
