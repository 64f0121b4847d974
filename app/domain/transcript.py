"""Transcripts: the speech-to-text result as immutable domain data.

A `Transcript` holds its `Word`s (words, the spacing between them and sounds, times in
integer milliseconds), its speakers and the JSON it was read from. Reading one from the
API's JSON is `app.domain.transcript_parse` (`parse_transcript`, `load_json`; both are
offered here too). The look-ups (which word plays when, paragraphs, search) are in
`app.domain.transcript_lookup`; their indexes are cached on the transcript.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import compress
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeAlias

from app.domain.transcript_lookup import SearchIndex, WordIndex

WordKind: TypeAlias = Literal["word", "spacing", "audio_event"]
WORD_KINDS: tuple[WordKind, ...] = ("word", "spacing", "audio_event")

#: The top-level key under which XI Studio keeps its own data in a saved transcript file.
XI_STUDIO_KEY = "xi_studio"


class TranscriptFormatError(ValueError):
    """The data is not a transcript we can read; the message is meant for the user."""


@dataclass(frozen=True, slots=True)
class CharTiming:
    text: str
    start_ms: int | None = None
    end_ms: int | None = None


class Word(NamedTuple):
    """One item of the transcript: a word, the whitespace between words, or a sound.

    A named tuple rather than a dataclass: a 3-hour transcript has 60,000 of them, and a
    tuple is made in C from its fields (see `transcript_parse_words._fast_words`), several
    times quicker than setting the slots of a frozen dataclass one by one."""

    index: int  # type: ignore[assignment]  # the field shadows tuple.index on purpose
    text: str
    start_ms: int
    end_ms: int
    kind: WordKind = "word"
    speaker_id: str | None = None
    channel: int = 0
    logprob: float | None = None
    characters: tuple[CharTiming, ...] = ()

    @property
    def is_spacing(self) -> bool:
        return self.kind == "spacing"

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms

    @property
    def confidence(self) -> float | None:
        """exp(logprob), between 0 and 1; None when the server gave no logprob."""
        return None if self.logprob is None else math.exp(self.logprob)


# Column readers, for whole-transcript passes without Python code per word (a Word is a
# tuple, and reading it by position is quicker than by name).
_END_MS, _KIND = itemgetter(Word._fields.index("end_ms")), itemgetter(Word._fields.index("kind"))
_SPEAKER_ID = itemgetter(Word._fields.index("speaker_id"))


@dataclass(frozen=True, slots=True)
class Speaker:
    id: str
    name: str


def default_speaker_name(speaker_id: str) -> str:
    """`speaker_0` -> "Speaker 1" (people count from one); `agent` -> "Agent"."""
    match = re.fullmatch(r"speaker_(\d+)", speaker_id)
    if match and len(match.group(1)) < 10:
        return f"Speaker {int(match.group(1)) + 1}"
    return speaker_id.replace("_", " ").strip().capitalize() or speaker_id


@dataclass(frozen=True)
class Transcript:
    transcription_id: str | None
    language_code: str
    language_probability: float | None
    text: str
    words: tuple[Word, ...]
    channels: int = 1
    speakers: dict[str, Speaker] = field(default_factory=dict, hash=False)
    source_json: dict[str, Any] = field(default_factory=dict, hash=False, compare=False, repr=False)
    audio_duration_ms: int | None = None
    #: False when the server sent no word timings (timestamps_granularity=none); the
    #: times are then filled in (all zero) so the look-ups still work.
    has_timestamps: bool = True
    #: True when the server sent `text` but no words (timestamps_granularity=none): the
    #: words were made from the text, untimed, so the viewer, search and text exports
    #: still show it; saving writes no words back.
    words_from_text: bool = False

    # Cached: over a 3-hour transcript (60,000 items) each takes a few milliseconds, and
    # the viewer asks for them on the GUI thread (Opened.prepare fills them in a worker).
    @cached_property
    def duration_ms(self) -> int:
        return max(max(map(_END_MS, self.words), default=0), self.audio_duration_ms or 0)

    @cached_property
    def word_counts(self) -> dict[str | None, int]:
        """Spoken words (not spacing or sounds) per speaker id; None for no speaker."""
        is_word = map("word".__eq__, map(_KIND, self.words))
        return dict(Counter(compress(map(_SPEAKER_ID, self.words), is_word)))

    @property
    def word_count(self) -> int:
        return sum(self.word_counts.values())

    def speaker_name(self, speaker_id: str | None) -> str:
        if speaker_id is None:
            return ""
        speaker = self.speakers.get(speaker_id)
        return speaker.name if speaker else default_speaker_name(speaker_id)

    @cached_property
    def word_index(self) -> WordIndex:
        return WordIndex(self.words)

    @cached_property
    def search_index(self) -> SearchIndex:
        return SearchIndex(self.words)


def merge_channels_by_time(channels: Iterable[Sequence[Word]]) -> tuple[Word, ...]:
    """All channels' words in one list ordered by start time (ties: lower channel first,
    then the order within the channel), re-indexed from 0."""
    tagged = [
        (w.start_ms, w.channel, n, pos, w)
        for n, words in enumerate(channels)
        for pos, w in enumerate(words)
    ]
    tagged.sort(key=lambda t: t[:4])
    return tuple(t[4]._replace(index=i) for i, t in enumerate(tagged))


# --------------------------------------------------------------------------- reading
# The JSON reader (app.domain.transcript_parse) imports this module for the model, so its
# entry points are offered here on first use (PEP 562) rather than imported at the top:
# that works whichever of the two modules is imported first.
if TYPE_CHECKING:
    from app.domain.transcript_parse import load_json as load_json
    from app.domain.transcript_parse import parse_transcript as parse_transcript

_READER_NAMES = frozenset(("load_json", "parse_transcript"))


def __getattr__(name: str) -> Any:
    if name in _READER_NAMES:
        from app.domain import transcript_parse

        return getattr(transcript_parse, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
