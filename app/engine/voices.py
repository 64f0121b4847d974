"""The engine's voices: a small curated set built from espeak-ng voices and variants.

Each has a stable 20-character id (like the cloud's), a friendly name and the labels the
app filters on. The ids never change, so history items and saved settings keep working
across versions. `search` implements the filters of `GET /v2/voices`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from app.domain.local_engine import ENGINE_MODEL_ID
from app.domain.wire import VoiceSettings

PREVIEW_PATH = "/v1/engine/previews/{voice_id}.mp3"


@dataclass(frozen=True, slots=True)
class EngineVoice:
    voice_id: str
    name: str
    espeak_language: str  # an espeak-ng language/voice name, e.g. "en-us"
    variant: str  # an espeak-ng variant, e.g. "f3"
    language: str  # ISO 639-1, e.g. "en"
    locale: str  # e.g. "en-US"
    accent: str
    gender: str
    age: str
    use_case: str
    description: str
    preview_text: str

    @property
    def espeak_name(self) -> str:
        return f"{self.espeak_language}+{self.variant}"

    @property
    def labels(self) -> dict[str, str]:
        return {
            "accent": self.accent,
            "gender": self.gender,
            "age": self.age,
            "language": self.language,
            "use_case": self.use_case,
            "description": self.description,
        }

    def preview_url(self, base_url: str | None) -> str | None:
        if base_url is None:
            return None
        return base_url.rstrip("/") + PREVIEW_PATH.format(voice_id=self.voice_id)

    def to_json(self, base_url: str | None = None) -> dict[str, Any]:
        """The voice as `VoiceResponseModel`."""
        preview = self.preview_url(base_url)
        return {
            "voice_id": self.voice_id,
            "name": self.name,
            "samples": None,
            "category": "premade",
            "fine_tuning": {
                "is_allowed_to_fine_tune": False,
                "state": {},
                "verification_failures": [],
                "verification_attempts_count": 0,
                "manual_verification_requested": False,
            },
            "labels": self.labels,
            "description": f"{self.description.capitalize()} offline voice ({self.locale}).",
            "preview_url": preview,
            "available_for_tiers": [],
            "settings": default_settings(),
            "sharing": None,
            "high_quality_base_model_ids": [ENGINE_MODEL_ID],
            "verified_languages": [
                {
                    "language": self.language,
                    "model_id": ENGINE_MODEL_ID,
                    "accent": self.accent,
                    "locale": self.locale,
                    "preview_url": preview,
                }
            ],
            "collection_ids": [],
            "safety_control": None,
            "voice_verification": None,
            "permission_on_resource": None,
            "is_owner": False,
            "is_legacy": False,
            "is_mixed": False,
            "favorited_at_unix": None,
            "created_at_unix": None,
            "is_bookmarked": None,
        }

    def search_words(self) -> set[str]:
        text = " ".join([self.name, self.description, "premade", *self.labels.values()])
        return set(re.findall(r"\w+", text.lower()))

    def matches_search(self, search: str) -> bool:
        """Every word of `search` starts a word of the voice ("male" is not "female")."""
        words = self.search_words()
        return all(any(w.startswith(q) for w in words)
                   for q in re.findall(r"\w+", search.lower()))


def default_settings() -> dict[str, Any]:
    """`VoiceSettingsResponseModel` with the API's defaults."""
    return VoiceSettings().model_dump(mode="json")


def _v(*fields: str) -> EngineVoice:
    return EngineVoice(*fields)


ENGINE_VOICES: tuple[EngineVoice, ...] = (
    _v("3rbuCYMlLDQjC5pJZrVM", "Ava (English, US)", "en-us", "f3", "en", "en-US", "american",
       "female", "young", "conversational", "bright",
       "Hello, I'm Ava. I speak American English, and I work without an internet connection."),
    _v("VNScyf8U97GqNp0BbI0E", "Noah (English, US)", "en-us", "m3", "en", "en-US", "american",
       "male", "middle_aged", "narrative_story", "calm",
       "Hi, I'm Noah. I read your stories aloud, right here on your computer."),
    _v("vLK9VMqHTOTOJ4oWcesn", "Olivia (English, UK)", "en", "f2", "en", "en-GB", "british",
       "female", "middle_aged", "informative_educational", "clear",
       "Hello, I'm Olivia. I speak British English, and I never need the cloud."),
    _v("uqZ3PJomhYr0q9yF4mAO", "Arthur (English, UK)", "en-gb-x-rp", "m1", "en", "en-GB",
       "british", "male", "old", "news", "steady",
       "Good day, I'm Arthur. Here is the news, read offline."),
    _v("MA4QknDh14pII2Yy8sdb", "Lena (German)", "de", "f4", "de", "de-DE", "german", "female",
       "young", "conversational", "friendly",
       "Hallo, ich bin Lena. Ich spreche Deutsch, auch ohne Internet."),
    _v("01qlTuKihHdWKYwpX9yE", "Louis (French)", "fr", "m2", "fr", "fr-FR", "french", "male",
       "middle_aged", "narrative_story", "warm",
       "Bonjour, je m'appelle Louis. Je parle français, même hors ligne."),
    _v("8kgU1HHyuowuaB8fYNjv", "Lucía (Spanish)", "es", "f1", "es", "es-ES", "spanish", "female",
       "young", "conversational", "lively",
       "Hola, soy Lucía. Hablo español sin conexión a internet."),
    _v("Q5DsaFrIewUIl2i4LPFb", "Marco (Italian)", "it", "m7", "it", "it-IT", "italian", "male",
       "middle_aged", "informative_educational", "relaxed",
       "Ciao, sono Marco. Parlo italiano, anche senza internet."),
    _v("ZatPHorbMRy3hzwqpdP3", "Beatriz (Portuguese, BR)", "pt-br", "f5", "pt", "pt-BR",
       "brazilian", "female", "young", "conversational", "cheerful",
       "Olá, eu sou a Beatriz. Eu falo português, mesmo sem internet."),
    _v("Rot160ZRdKDwjLRuj03a", "Arjun (Hindi)", "hi", "m6", "hi", "hi-IN", "indian", "male",
       "middle_aged", "narrative_story", "gentle",
       "नमस्ते, मैं अर्जुन हूँ। मैं बिना इंटरनेट के हिंदी बोलता हूँ।"),
)

# Well-known premade voice ids of the cloud (shared/api/ELEVENLABS_API.md §2), so that code
# written for the cloud (the SDK quickstarts use George) also runs offline. Each maps to
# an engine voice of the same gender and, where there is one, accent.
_CLOUD_ALIASES: dict[str, str] = {
    "JBFqnCBsd6RMkjVDRZzb": "uqZ3PJomhYr0q9yF4mAO",  # George -> Arthur (British male)
    "21m00Tcm4TlvDq8ikWAM": "3rbuCYMlLDQjC5pJZrVM",  # Rachel -> Ava
    "EXAVITQu4vr4xnSDxMaL": "3rbuCYMlLDQjC5pJZrVM",  # Sarah -> Ava
    "CwhRBWXzGAHq8TQ4Fs17": "VNScyf8U97GqNp0BbI0E",  # Roger -> Noah
    "FGY2WhTYpPnrIDTdsKH5": "3rbuCYMlLDQjC5pJZrVM",  # Laura -> Ava
    "IKne3meq5aSn9XLyUdCD": "VNScyf8U97GqNp0BbI0E",  # Charlie -> Noah
    "N2lVS1w4EtoT3dr4eOWO": "uqZ3PJomhYr0q9yF4mAO",  # Callum -> Arthur
    "TX3LPaxmHKxFdv7VOQHJ": "VNScyf8U97GqNp0BbI0E",  # Liam -> Noah
    "Xb7hH8MSUJpSbSDYk0k2": "vLK9VMqHTOTOJ4oWcesn",  # Alice -> Olivia
    "XrExE9yKIg1WjnnlVkGX": "3rbuCYMlLDQjC5pJZrVM",  # Matilda -> Ava
    "cgSgspJ2msm6clMCkdW9": "3rbuCYMlLDQjC5pJZrVM",  # Jessica -> Ava
    "nPczCjzI2devNBz1zQrb": "VNScyf8U97GqNp0BbI0E",  # Brian -> Noah
    "onwK4e9ZLuTAKqWW03F9": "uqZ3PJomhYr0q9yF4mAO",  # Daniel -> Arthur
    "pFZP5JQG7iQjIQuC4Bku": "vLK9VMqHTOTOJ4oWcesn",  # Lily -> Olivia
    "pNInz6obpgDQGcFmaJgB": "VNScyf8U97GqNp0BbI0E",  # Adam -> Noah
}


@dataclass(frozen=True, slots=True)
class VoiceQuery:
    """The filters of `GET /v2/voices` that mean something for engine voices."""

    search: str | None = None
    category: str | None = None
    voice_type: str | None = None
    gender: str | None = None
    age: str | None = None
    accent: str | None = None
    language: Sequence[str] = ()
    use_cases: Sequence[str] = ()
    voice_ids: Sequence[str] = ()
    collection_id: str | None = None
    fine_tuning_state: str | None = None
    sort: str | None = None
    sort_direction: str | None = None


# voice_type values under which premade ("default") voices are listed.
_DEFAULT_VOICE_TYPES = {"default"}
_OTHER_VOICE_TYPES = {"personal", "community", "workspace", "non-default", "non-community", "saved"}


class VoiceCatalog:
    def __init__(self, voices: Iterable[EngineVoice] = ENGINE_VOICES,
                 aliases: dict[str, str] | None = None) -> None:
        self.voices: tuple[EngineVoice, ...] = tuple(voices)
        self._by_id = {v.voice_id: v for v in self.voices}
        alias_map = _CLOUD_ALIASES if aliases is None else aliases
        self._aliases = {k: v for k, v in alias_map.items() if v in self._by_id}

    def get(self, voice_id: str) -> EngineVoice | None:
        """A voice by its engine id (what the voice endpoints expose)."""
        return self._by_id.get(voice_id)

    def resolve(self, voice_id: str) -> EngineVoice | None:
        """A voice for synthesis: an engine id, or a well-known cloud premade id."""
        voice = self._by_id.get(voice_id)
        if voice is None and voice_id in self._aliases:
            voice = self._by_id[self._aliases[voice_id]]
        return voice

    @property
    def languages(self) -> list[str]:
        seen: dict[str, None] = {}
        for v in self.voices:
            seen.setdefault(v.language)
        return list(seen)

    def search(self, query: VoiceQuery) -> list[EngineVoice]:
        def matches(v: EngineVoice) -> bool:
            if query.voice_type and query.voice_type.lower() in _OTHER_VOICE_TYPES:
                return False
            if query.voice_type and query.voice_type.lower() not in _DEFAULT_VOICE_TYPES:
                return False
            if query.category and query.category.lower() != "premade":
                return False
            if query.collection_id or query.fine_tuning_state:
                return False  # no collections; premade voices are not fine-tuned
            if query.search and not v.matches_search(query.search):
                return False
            for wanted, value in (
                (query.gender, v.gender), (query.age, v.age), (query.accent, v.accent)
            ):
                if wanted and wanted.lower() != value:
                    return False
            if query.language and not any(
                lang.lower() in (v.language, v.locale.lower()) for lang in query.language
            ):
                return False
            if query.use_cases and v.use_case not in {u.lower() for u in query.use_cases}:
                return False
            return not (query.voice_ids and v.voice_id not in query.voice_ids)

        found = [v for v in self.voices if matches(v)]
        if query.sort == "name":
            found.sort(key=lambda v: v.name.lower())
        if query.sort_direction == "desc" and query.sort == "name":
            found.reverse()
        return found
