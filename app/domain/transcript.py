"""Transcripts: the speech-to-text result as immutable domain data, read from JSON.

`parse_transcript` reads both JSON shapes of `POST /v1/speech-to-text` and
`GET /v1/speech-to-text/transcripts/{id}` (shared/api/ELEVENLABS_API.md §4.1): the single
channel `SpeechToTextChunkResponseModel` (`words`) and the multichannel
`MultichannelSpeechToTextResponseModel` (`transcripts`, one chunk per channel). Times are
seconds on the wire and integer milliseconds here. Anything malformed raises
`TranscriptFormatError` (a `ValueError`) with a message a user can read; no other
exception type escapes.

The look-ups (which word plays when, paragraphs, search) are in
`app.domain.transcript_lookup`; their indexes are cached on the transcript.
"""

from __future__ import annotations

import gc
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from itertools import compress, repeat
from operator import gt, itemgetter, mul
from typing import Any, Literal, NamedTuple, TypeAlias

from app.domain import json_io
from app.domain.transcript_lookup import SearchIndex, WordIndex
from app.domain.transcript_utterances import merge_channels_by_utterance, split_by_channel

WordKind: TypeAlias = Literal["word", "spacing", "audio_event"]
WORD_KINDS: tuple[WordKind, ...] = ("word", "spacing", "audio_event")
_KNOWN_KINDS = frozenset((*WORD_KINDS, None))

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
    tuple is made in C from its fields (see `_fast_words`), several times quicker than
    setting the slots of a frozen dataclass one by one."""

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
_CHANNEL = itemgetter(Word._fields.index("channel"))


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


# --------------------------------------------------------------------------- parsing


def load_json(data: Mapping[str, Any] | bytes | bytearray | str) -> Any:
    """Decode JSON text/bytes (a mapping is returned as a dict). Raises TranscriptFormatError."""
    if isinstance(data, Mapping):
        return dict(data)
    if isinstance(data, bytes | bytearray | memoryview):
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise TranscriptFormatError("The file is not UTF-8 text, so not a transcript.") from exc
    if not isinstance(data, str):
        raise TranscriptFormatError("A transcript must be JSON text or a JSON object.")
    try:
        return json_io.loads(data)  # in a worker thread, without freezing the window
    except (ValueError, RecursionError) as exc:
        raise TranscriptFormatError(f"The transcript is not valid JSON ({exc}).") from exc


def _fail(message: str) -> TranscriptFormatError:
    return TranscriptFormatError(message)


def _opt_str(value: Any, what: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise _fail(f"{what} should be text.")


def _opt_number(value: Any, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(f"{what} should be a number.")
    try:
        number = float(value)
    except OverflowError as exc:
        raise _fail(f"{what} is too large.") from exc
    if not math.isfinite(number):
        raise _fail(f"{what} is not a finite number.")
    return number


def _opt_ms(value: Any, what: str) -> int | None:
    seconds = _opt_number(value, what)
    if seconds is None:
        return None
    if seconds < 0:
        raise _fail(f"{what} is negative.")
    ms = seconds * 1000.0
    if not math.isfinite(ms):
        raise _fail(f"{what} is too large.")
    return round(ms)


def _opt_channel(value: Any, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _fail(f"{what} should be a whole number, zero or more.")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(f"{what} should be a list.")
    return value


def _kind(value: Any, text: str, what: str) -> WordKind:
    if value is not None and not isinstance(value, str):
        raise _fail(f"The type of {what} should be text.")
    for kind in WORD_KINDS:
        if value == kind:
            return kind
    # Missing or a kind this app does not know yet: guess from the text, stay readable.
    return "spacing" if text and not text.strip() else "word"


@dataclass(slots=True)
class _RawWord:
    text: str
    start_ms: int | None
    end_ms: int | None
    kind: WordKind
    speaker_id: str | None
    channel: int
    logprob: float | None
    characters: tuple[CharTiming, ...]


def _parse_characters(value: Any, what: str) -> tuple[CharTiming, ...]:
    chars: list[CharTiming] = []
    for n, item in enumerate(_list(value, f"The characters of {what}")):
        where = f"character {n + 1} of {what}"
        if not isinstance(item, dict):
            raise _fail(f"{where.capitalize()} should be an object.")
        text = _opt_str(item.get("text"), f"The text of {where}")
        chars.append(
            CharTiming(
                text or "",
                _opt_ms(item.get("start"), f"The start of {where}"),
                _opt_ms(item.get("end"), f"The end of {where}"),
            )
        )
    return tuple(chars)


_MAX_SECONDS = 1e12  # far beyond any recording; larger values take the validating path


def _fast_word(item: dict[str, Any], default_channel: int) -> _RawWord | None:
    """The common, well-formed item, read without building error messages (a 3-hour
    transcript has 60,000 items). None means "look closer": the validating path then
    accepts the rarer shapes or says what is wrong."""
    text = item.get("text")
    start: Any = item.get("start")
    end: Any = item.get("end")
    speaker = item.get("speaker_id")
    if (type(text) is not str or item.get("characters") is not None
            or item.get("channel_index") is not None
            or (speaker is not None and type(speaker) is not str)):
        return None
    start_type, end_type = type(start), type(end)
    if not ((start_type is float or start_type is int)
            and (end_type is float or end_type is int)):
        return None
    if not (0 <= start < _MAX_SECONDS and 0 <= end < _MAX_SECONDS):  # also NaN, inf
        return None
    logprob = item.get("logprob")
    if logprob is not None:
        logprob_type = type(logprob)
        if not (logprob_type is float or logprob_type is int) or not math.isfinite(logprob):
            return None
        logprob = float(logprob)
    kind = item.get("type")
    if kind not in WORD_KINDS:
        if kind is not None and type(kind) is not str:
            return None
        kind = _kind(kind, text, "")
    return _RawWord(text, round(start * 1000.0), round(end * 1000.0), kind, speaker,
                    default_channel, logprob, ())


_TEXT_PIECES = re.compile(r"\s+|\S+")


def _words_of(value: Any, default_channel: int, where: str, text: str | None = None
              ) -> tuple[list[Word], list[_RawWord]]:
    """The items of one words list as Words (and the raw items, for has_timestamps).
    No words but a `text` (timestamps "none"): untimed words made from the text.

    The common case, every item well formed and timed, is read in one pass straight into
    Words; anything else takes the validating path, which fills missing times."""
    words = _fast_words(value, default_channel) if type(value) is list else None
    if words is not None and (words or not text):
        return words, []
    if not value and text:
        raw_from_text = [
            _RawWord(piece, None, None, "spacing" if piece.isspace() else "word", None,
                     default_channel, None, ())
            for piece in _TEXT_PIECES.findall(text)
        ]
        return _fill_times(raw_from_text), raw_from_text
    raw = _parse_words(value, default_channel, where)
    return _fill_times(raw), raw


_NUMBER_TYPES = frozenset((float, int))
_NONE = type(None)
_new_word = tuple.__new__  # Word from a tuple of all its fields, in C
_ROUND = float.__round__
_SLICE = 4096  # Words made per C call


def _column(items: list[dict[str, Any]], key: str) -> list[Any]:
    return list(map(dict.get, items, repeat(key)))


_USUAL_KEYS = ("text", "start", "end", "type", "speaker_id", "logprob")


def _no_extra_keys(items: list[dict[str, Any]], count: int, usual_keys: bool) -> bool:
    """No item has characters or a channel of its own (or None for both). When every
    item is known to hold the six usual keys (`usual_keys`), its size says whether it
    holds any other: two column passes saved in the usual case."""
    if usual_keys and max(map(len, items)) == len(_USUAL_KEYS):
        return True
    return (_column(items, "characters").count(None) == count
            and _column(items, "channel_index").count(None) == count)


def _fast_words(items: list[Any], default_channel: int) -> list[Word] | None:
    """The common shape read column by column at C speed (a 3-hour transcript has 60,000
    items, and Python code per field per item cost more than `json.loads` itself):
    None as soon as any item needs a closer look, and the validating path then accepts
    the rarer shapes or says what is wrong.

    In slices of `_SLICE` items: each column pass is one C call holding the GIL, and a
    file is read in a worker while the window waits for its turns (whole columns of
    60,000 held it for up to ~30 ms at a time)."""
    words: list[Word] = []
    for lo in range(0, len(items), _SLICE):
        part = _fast_slice(items[lo:lo + _SLICE], lo, default_channel)
        if part is None:
            return None
        words += part
    return words


def _fast_slice(items: list[Any], first_index: int, default_channel: int
                ) -> list[Word] | None:
    """`_fast_words` for one slice of the items, numbered from `first_index`."""
    try:
        if set(map(type, items)) != {dict}:
            return None
        texts, starts, ends = (list(map(dict.__getitem__, items, repeat(key)))
                               for key in ("text", "start", "end"))
    except KeyError:
        return None
    try:  # usually present in every item (quicker to know than to assume absent)
        kinds, speakers, logprobs = (list(map(dict.__getitem__, items, repeat(key)))
                                     for key in _USUAL_KEYS[3:])
        usual_keys = True
    except KeyError:
        kinds, speakers, logprobs = (_column(items, key) for key in _USUAL_KEYS[3:])
        usual_keys = False
    count = len(items)
    logprob_types = set(map(type, logprobs))
    if (set(map(type, texts)) != {str}
            or not set(map(type, starts)) <= _NUMBER_TYPES
            or not set(map(type, ends)) <= _NUMBER_TYPES
            or not set(map(type, speakers)) <= {str, _NONE}
            or not logprob_types <= {float, int, _NONE}
            # Types first: a list or dict as a "type" cannot even go into a set.
            or not set(map(type, kinds)) <= {str, _NONE}
            or not set(kinds) <= _KNOWN_KINDS
            or not _no_extra_keys(items, count, usual_keys)):
        return None
    # Times: finite, not negative, not absurd (a NaN or an inf makes the sum so).
    if not (min(starts) >= 0 and min(ends) >= 0 and max(starts) < _MAX_SECONDS
            and max(ends) < _MAX_SECONDS and math.isfinite(sum(starts) + sum(ends))):
        return None
    present = [x for x in logprobs if x is not None] if _NONE in logprob_types else logprobs
    if present and not math.isfinite(sum(present)):
        return None
    if int in logprob_types:
        logprobs = [None if x is None else float(x) for x in logprobs]
    if None in kinds:  # no type given: guess from the text
        kinds = [_kind(None, t, "") if k is None else k for k, t in zip(kinds, texts, strict=True)]
    # Seconds * 1000.0 are floats, so float.__round__ (what round() calls for them, the
    # same rounding) is called directly: round() looks the method up for every item.
    starts_ms = list(map(_ROUND, map(mul, starts, repeat(1000.0))))
    ends_ms = list(map(_ROUND, map(mul, ends, repeat(1000.0))))
    if any(map(gt, starts_ms, ends_ms)):  # an end before its start: ends at the start
        ends_ms = list(map(max, starts_ms, ends_ms))
    return list(map(_new_word, repeat(Word), zip(
        range(first_index, first_index + count), texts, starts_ms, ends_ms, kinds, speakers,
        repeat(default_channel), logprobs, repeat(()))))


def _parse_words(value: Any, default_channel: int, where: str) -> list[_RawWord]:
    raw: list[_RawWord] = []
    for n, item in enumerate(_list(value, f"The words{where}")):
        fast = _fast_word(item, default_channel) if type(item) is dict else None
        if fast is not None:
            raw.append(fast)
            continue
        what = f"word {n + 1}{where}"
        if not isinstance(item, dict):
            raise _fail(f"{what.capitalize()} should be an object.")
        text = _opt_str(item.get("text"), f"The text of {what}")
        if text is None:
            raise _fail(f"{what.capitalize()} has no text.")
        channel = _opt_channel(item.get("channel_index"), f"The channel of {what}")
        raw.append(
            _RawWord(
                text=text,
                start_ms=_opt_ms(item.get("start"), f"The start of {what}"),
                end_ms=_opt_ms(item.get("end"), f"The end of {what}"),
                kind=_kind(item.get("type"), text, what),
                speaker_id=_opt_str(item.get("speaker_id"), f"The speaker of {what}"),
                channel=default_channel if channel is None else channel,
                logprob=_opt_number(item.get("logprob"), f"The logprob of {what}"),
                characters=_parse_characters(item.get("characters"), what),
            )
        )
    return raw


def _fill_times(raw: list[_RawWord]) -> list[Word]:
    """Words with integer times, filled in from what is known (see `_known_times`)."""
    times = _known_times(raw)
    return [
        _new_word(Word, (n, r.text, start, end, r.kind, r.speaker_id, r.channel, r.logprob,
                         r.characters))
        for n, (r, (start, end)) in enumerate(zip(raw, times, strict=True))
    ]


#: A run of untimed words after the last timed one is given this long per character
#: (about normal speech), at least `_MIN_WORD_MS` a word.
_MS_PER_CHAR, _MIN_WORD_MS = 70, 250


def _weight(r: _RawWord) -> int:
    return 0 if r.kind == "spacing" else max(1, len(r.text.strip()))


def _known_times(raw: list[_RawWord]) -> list[tuple[int, int]]:
    """(start, end) of each item. With no timed item at all everything is 0 (the
    transcript has no timings). Otherwise a run of untimed items shares the gap between
    the timed items around it by text length (a run at the end gets about speaking
    time), a missing or too early end reaches to the next item's start, and no item
    starts before the previous one: never a zero-length guess where time is known."""
    if not any(r.start_ms is not None for r in raw):
        return [(0, 0)] * len(raw)
    times: list[tuple[int, int]] = []
    previous_end = 0
    n = 0
    while n < len(raw):
        r = raw[n]
        if r.start_ms is None:
            stop = n
            while stop < len(raw) and raw[stop].start_ms is None:
                stop += 1
            run = raw[n:stop]
            total = sum(_weight(x) for x in run)
            if stop < len(raw):
                upper = max(previous_end, raw[stop].start_ms or 0)
            else:
                words = sum(1 for x in run if x.kind != "spacing")
                upper = previous_end + max(total * _MS_PER_CHAR, words * _MIN_WORD_MS)
            span, done, cursor = upper - previous_end, 0, previous_end
            for x in run:
                done += _weight(x)
                end = previous_end + (span * done // total if total else 0)
                times.append((cursor, end))
                cursor = end
            previous_end = cursor
            n = stop
            continue
        start = max(r.start_ms, 0)
        end = start
        if r.end_ms is not None and r.end_ms >= start:
            end = r.end_ms
        else:
            following = raw[n + 1].start_ms if n + 1 < len(raw) else None
            if following is not None and following > start:
                end = following
        times.append((start, end))
        previous_end = end
        n += 1
    return times


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


def _speaker_names(obj: dict[str, Any]) -> dict[str, str]:
    """Names saved by XI Studio (see transcript_edit.to_api_json); ignored if odd."""
    extra = obj.get(XI_STUDIO_KEY)
    names = extra.get("speaker_names") if isinstance(extra, dict) else None
    if not isinstance(names, dict):
        return {}
    return {k: v for k, v in names.items() if isinstance(k, str) and isinstance(v, str) and v}


def _speakers(words: Sequence[Word], names: Mapping[str, str]) -> dict[str, Speaker]:
    ids = dict.fromkeys(map(_SPEAKER_ID, words))  # first seen first, at C speed
    ids.pop(None, None)
    return {sid: Speaker(sid, names.get(sid) or default_speaker_name(sid)) for sid in ids}


def _chunk_header(chunk: dict[str, Any], where: str) -> tuple[str, float | None, str | None]:
    language = _opt_str(chunk.get("language_code"), f"The language{where}") or ""
    probability = _opt_number(chunk.get("language_probability"), f"The language probability{where}")
    text = _opt_str(chunk.get("text"), f"The text{where}")
    return language, probability, text


def parse_transcript(data: Mapping[str, Any] | bytes | bytearray | str) -> Transcript:
    """Read a transcript in either API shape. Raises TranscriptFormatError."""
    # A 3-hour transcript makes ~200,000 objects (the JSON's dicts and strings, then the
    # Words), none of them garbage; the cyclic collector would scan the growing heap
    # again and again meanwhile (a third of the time). One pass at the end instead.
    with _collector_paused():
        return _parse_transcript(data)


@contextmanager
def _collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _parse_transcript(data: Mapping[str, Any] | bytes | bytearray | str) -> Transcript:
    obj = load_json(data)
    if not isinstance(obj, dict):
        raise _fail("This is not a transcript: expected a JSON object.")
    if "transcripts" in obj:
        return _parse_multichannel(obj)
    if "words" in obj:
        return _parse_single(obj)
    if "request_id" in obj and "message" in obj:
        raise _fail(
            "This is the server's note that the transcription was accepted; "
            "the transcript itself arrives later."
        )
    if "detail" in obj:
        raise _fail("This is an error reply from the server, not a transcript.")
    raise _fail("This is not a transcript: it has neither 'words' nor 'transcripts'.")


def _finish(
    obj: dict[str, Any],
    words: Sequence[Word],
    raw: Sequence[_RawWord],
    *,
    transcription_id: str | None,
    language: str,
    probability: float | None,
    text: str,
    channels: int,
    words_from_text: bool = False,
) -> Transcript:
    duration = _opt_ms(obj.get("audio_duration_secs"), "The audio duration")
    return Transcript(
        transcription_id=transcription_id,
        language_code=language,
        language_probability=probability,
        text=text,
        words=tuple(words),
        channels=max(1, channels, len(set(map(_CHANNEL, words)))),
        speakers=_speakers(words, _speaker_names(obj)),
        source_json=obj,
        audio_duration_ms=duration,
        has_timestamps=not raw or any(r.start_ms is not None for r in raw),
        words_from_text=words_from_text,
    )


def _parse_single(obj: dict[str, Any]) -> Transcript:
    language, probability, text = _chunk_header(obj, "")
    default_channel = _opt_channel(obj.get("channel_index"), "The channel") or 0
    words, raw = _words_of(obj.get("words"), default_channel, "", text)
    if len(set(map(_CHANNEL, words))) > 1:  # "combined": all channels in one list
        words = list(merge_channels_by_utterance(split_by_channel(words)))
    return _finish(
        obj,
        words,
        raw,
        words_from_text=bool(words) and not obj.get("words"),
        transcription_id=_opt_str(obj.get("transcription_id"), "The transcription id"),
        language=language,
        probability=probability,
        text=text if text is not None else "".join(w.text for w in words),
        channels=1,
    )


def _parse_multichannel(obj: dict[str, Any]) -> Transcript:
    chunks = _list(obj.get("transcripts"), "The channel transcripts")
    per_channel: list[list[Word]] = []
    all_raw: list[_RawWord] = []
    texts: list[str] = []
    language, probability = "", None
    transcription_id = _opt_str(obj.get("transcription_id"), "The transcription id")
    from_text = False
    for n, chunk in enumerate(chunks):
        where = f" of channel transcript {n + 1}"
        if not isinstance(chunk, dict):
            raise _fail(f"Channel transcript {n + 1} should be an object.")
        chunk_language, chunk_probability, chunk_text = _chunk_header(chunk, where)
        channel = _opt_channel(chunk.get("channel_index"), f"The channel{where}")
        words, raw = _words_of(chunk.get("words"), n if channel is None else channel, where,
                               chunk_text)
        from_text = from_text or (bool(words) and not chunk.get("words"))
        all_raw.extend(raw)
        per_channel.append(words)
        text = chunk_text if chunk_text is not None else "".join(w.text for w in words)
        if text:
            texts.append(text)
        if not language and chunk_language:
            language, probability = chunk_language, chunk_probability
        if transcription_id is None:
            transcription_id = _opt_str(chunk.get("transcription_id"), f"The id{where}")
    return _finish(
        obj,
        merge_channels_by_utterance(per_channel),
        all_raw,
        words_from_text=from_text,
        transcription_id=transcription_id,
        language=language,
        probability=probability,
        text="\n".join(texts),
        channels=len(chunks),
    )
