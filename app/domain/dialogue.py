"""Text to dialogue (`POST /v1/text-to-dialogue` and variants): the wire shapes, and
cutting one dialogue result back into one piece per input line.

One request speaks several lines, each in its own voice, as one performance. The
with-timestamps answers carry `voice_segments`: for each stretch of audio, which input
line (`dialogue_input_index`) and which characters of the joined alignment it covers.
`pieces_by_input` turns that into one time range (and word timings) per input line, so a
script can store each line's part as that block's take.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.domain.script import WordTime
from app.domain.wire import CharacterAlignment, PronunciationDictionaryLocator, WireModel
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
    alignment: CharacterAlignment | None = None
    normalized_alignment: CharacterAlignment | None = None
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
    ValueError when a line has no segment (its audio cannot be found)."""
    found: dict[int, list[VoiceSegment]] = {}
    for segment in result.voice_segments:
        found.setdefault(segment.dialogue_input_index, []).append(segment)
    pieces: list[DialoguePiece] = []
    for index in range(input_count):
        segments = found.get(index)
        if not segments:
            raise ValueError(f"the dialogue's answer has no audio for line {index + 1}")
        start_ms = round(min(s.start_time_seconds for s in segments) * 1000)
        end_ms = round(max(s.end_time_seconds for s in segments) * 1000)
        lo = min(s.character_start_index for s in segments)
        hi = max(s.character_end_index for s in segments)
        pieces.append(DialoguePiece(index, segments[0].voice_id, start_ms, end_ms,
                                    words_from_alignment(result.alignment, lo, hi, start_ms)))
    return pieces


def supports_dialogue(model_id: str) -> bool:
    """Whether text to dialogue takes this model: the v3 family (the endpoints' default
    model is eleven_v3; `/v1/models` has no flag for it)."""
    return model_id.startswith("eleven_v3")
