"""Text to dialogue (`POST /v1/text-to-dialogue` and variants): the wire shapes, and
cutting one dialogue result back into one piece per input line.

One request speaks several lines, each in its own voice, as one performance. The
with-timestamps answers carry `voice_segments`: for each stretch of audio, which input
line (`dialogue_input_index`) and which characters of the joined alignment it covers.
`pieces_by_input` turns that into one time range (and word timings) per input line, so a
script can store each line's part as that block's take.

Which models make dialogues is decided from what `GET /v1/models` says of the model and
one documented family rule (`DIALOGUE_MODEL_FAMILY`), plus the models known to make
them outside that family (`OTHER_DIALOGUE_MODELS`: the local engine's), corrected by
what the server refused this session (`dialogue_problem`).
"""

from __future__ import annotations

import math
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.domain.local_engine import ENGINE_MODEL_ID
from app.domain.script import WordTime
from app.domain.wire import (
    CharacterAlignment,
    Model,
    PronunciationDictionaryLocator,
    UsableAlignment,
    WireModel,
)
from app.domain.word_timing import words_from_characters

MAX_DIALOGUE_VOICES = 10  # unique voice ids per request (spec: inputs description)
RELIABLE_DIALOGUE_CHARS = 2000  # total characters the spec advises per request


class DialogueInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    voice_id: str


class DialogueSettings(BaseModel):
    """`ModelSettingsResponseModel`: dialogue takes stability only."""

    model_config = ConfigDict(extra="forbid")

    stability: float | None = Field(default=None, ge=0.0, le=1.0)


class DialogueRequest(BaseModel):
    """The JSON body of the four text-to-dialogue endpoints."""

    model_config = ConfigDict(extra="forbid")

    inputs: list[DialogueInput]
    model_id: str | None = None
    language_code: str | None = None
    settings: DialogueSettings | None = None
    pronunciation_dictionary_locators: list[PronunciationDictionaryLocator] | None = None
    seed: int | None = Field(default=None, ge=0, le=4_294_967_295)
    apply_text_normalization: str | None = None

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class VoiceSegment(WireModel):
    voice_id: str
    start_time_seconds: float
    end_time_seconds: float
    character_start_index: int
    character_end_index: int
    dialogue_input_index: int


class DialogueWithTimestamps(WireModel):
    """`AudioWithTimestampsAndVoiceSegmentsResponseModel` (also one streamed chunk)."""

    audio_base64: str
    alignment: UsableAlignment = None
    normalized_alignment: UsableAlignment = None
    voice_segments: list[VoiceSegment] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DialoguePiece:
    """One input line's part of a dialogue's audio."""

    input_index: int
    voice_id: str
    start_ms: int
    end_ms: int
    #: Word timings relative to `start_ms` (the piece's own start).
    words: tuple[WordTime, ...]


def words_from_alignment(alignment: CharacterAlignment | None, lo: int = 0,
                         hi: int | None = None, offset_ms: int = 0) -> tuple[WordTime, ...]:
    """Characters `lo:hi` of an alignment grouped into words (split at whitespace), with
    times in ms minus `offset_ms`."""
    if alignment is None:
        return ()
    return words_from_characters(alignment.characters, alignment.character_start_times_seconds,
                                 alignment.character_end_times_seconds, lo, hi, offset_ms)


def pieces_by_input(result: DialogueWithTimestamps, input_count: int) -> list[DialoguePiece]:
    """One piece per input line, in input order, from the voice segments. A line with
    several segments spans from the first one's start to the last one's end. Raises
    ValueError when a line has no segment (its audio cannot be found), or when the
    segments' times are not times, end before they start, or put a line before the one
    it follows (each line's audio is cut from its start to the next line's start, so
    those would make an empty or wrong take)."""
    found: dict[int, list[VoiceSegment]] = {}
    for segment in result.voice_segments:
        times = (segment.start_time_seconds, segment.end_time_seconds)
        if not all(math.isfinite(t) and t >= 0 for t in times) or times[1] < times[0]:
            raise ValueError(f"the dialogue's answer gives line "
                             f"{segment.dialogue_input_index + 1} the times {times[0]!r} to "
                             f"{times[1]!r} s")
        found.setdefault(segment.dialogue_input_index, []).append(segment)
    pieces: list[DialoguePiece] = []
    for index in range(input_count):
        segments = found.get(index)
        if not segments:
            raise ValueError(f"the dialogue's answer has no audio for line {index + 1}")
        start_ms = round(min(s.start_time_seconds for s in segments) * 1000)
        end_ms = round(max(s.end_time_seconds for s in segments) * 1000)
        if pieces and start_ms < pieces[-1].start_ms:
            raise ValueError(f"the dialogue's answer puts line {index + 1} at {start_ms} ms, "
                             f"before line {index} ({pieces[-1].start_ms} ms)")
        lo = min(s.character_start_index for s in segments)
        hi = max(s.character_end_index for s in segments)
        pieces.append(DialoguePiece(index, segments[0].voice_id, start_ms, end_ms,
                                    words_from_alignment(result.alignment, lo, hi, start_ms)))
    return pieces


# --- which models make dialogues --------------------------------------------------------

#: The model family text to dialogue is documented for: ElevenLabs describes text to
#: dialogue as an Eleven v3 feature and the spec's dialogue bodies default `model_id` to
#: `eleven_v3`. `/v1/models` has no flag for dialogue (only `can_do_text_to_speech`, which
#: the spec says a dialogue model needs), so the family is the one rule kept here; a
#: server that refuses a listed model anyway is believed (`dialogue_problem`'s `refused`).
DIALOGUE_MODEL_FAMILY = "eleven_v3"

#: Models outside the family that make dialogues: the only one is XI Studio's local
#: engine, whose text-to-dialogue endpoints speak each line offline in its own voice
#: (app/engine/dialogue_routes.py). Dialogue has to work offline, and the engine lists
#: no other model.
OTHER_DIALOGUE_MODELS = frozenset({ENGINE_MODEL_ID})


def in_dialogue_family(model_id: str) -> bool:
    """`eleven_v3` itself or a variant of it (`eleven_v3_…`), not `eleven_v30`."""
    family = DIALOGUE_MODEL_FAMILY
    return model_id == family or model_id.startswith(family + "_")


def makes_dialogues(model_id: str) -> bool:
    """Whether a model of this id is one that makes dialogues: the family, or one of the
    few others known to (the local engine's)."""
    return in_dialogue_family(model_id) or model_id in OTHER_DIALOGUE_MODELS


def supports_dialogue(model: Model | None) -> bool:
    """Whether a model as `/v1/models` lists it can make dialogues: it speaks text (the
    spec's requirement) and is a dialogue model (`makes_dialogues`). None (a model the
    server does not list) cannot."""
    return model is not None and model.can_do_text_to_speech and makes_dialogues(
        model.model_id)


def dialogue_models(models: Iterable[Model], refused: Container[str] = ()) -> list[Model]:
    """The listed models that can make dialogues, less those the server refused."""
    return [m for m in models if supports_dialogue(m) and m.model_id not in refused]


def choose_instead(models: Iterable[Model], refused: Container[str] = ()) -> str:
    """"choose Eleven v3 as the script's Model" with the name of a listed dialogue
    model (the family's name when the server lists none)."""
    usable = dialogue_models(models, refused)
    name = (usable[0].name or usable[0].model_id) if usable else "Eleven v3"
    return f"choose {name} as the script's Model"


def dialogue_problem(model_id: str, models: Sequence[Model],
                     refused: Container[str] = ()) -> str | None:
    """None when the script's model can make dialogues; otherwise why not, in plain
    words with what to do. `models` is what `/v1/models` listed (empty: not loaded yet);
    `refused` the model ids the server refused a dialogue for this session."""
    if not models:
        return "The server's models are not loaded yet; wait a moment."
    instead = choose_instead(models, refused)
    if model_id in refused:
        return (f"This model can't make dialogues (the server refused it); {instead}, "
                "or make the blocks one by one with Generate all missing.")
    model = next((m for m in models if m.model_id == model_id), None)
    if model is None:
        return (f"This server does not list the model {model_id}, so it can't make "
                f"dialogues; {instead}.")
    if not supports_dialogue(model):
        return (f"{model.name or model_id} can't make dialogues; {instead}, or make the "
                "blocks one by one with Generate all missing.")
    return None
