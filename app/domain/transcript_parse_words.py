"""Reading one `words` list of a transcript's JSON into `Word`s, for `transcript_parse`.

The common case, every item well formed and timed, is read column by column at C speed
(`_fast_words`); anything else takes the validating path (`_parse_words`), which accepts
the rarer shapes or says what is wrong in a `TranscriptFormatError` a user can read, and
fills in missing times (`_known_times`). A list with no words but a `text` gives untimed
words made from the text. The field readers (`_opt_str`, `_opt_ms`, ...) are shared
with `transcript_parse`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from itertools import islice, repeat
from operator import gt, mul
from typing import Any

from app.domain.transcript import WORD_KINDS, CharTiming, TranscriptFormatError, Word, WordKind

_KNOWN_KINDS = frozenset((*WORD_KINDS, None))


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


#: Far beyond any recording (30,000 years): larger times are refused (the fast path hands
#: them to the validating one, which says so).
_MAX_SECONDS = 1e12


def _opt_ms(value: Any, what: str) -> int | None:
    seconds = _opt_number(value, what)
    if seconds is None:
        return None
    if seconds < 0:
        raise _fail(f"{what} is negative.")
    if seconds >= _MAX_SECONDS:  # 1e300 s is finite, yet no recording, and no SQLite int
        raise _fail(f"{what} is too large.")
    return round(seconds * 1000.0)


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
_GROUP = re.Match.group
#: Words and spaces made from a `text` with no word list: a 3-hour transcript has about
#: 60,000, and each 3 bytes of text ("ab ") became two Words, ~600 bytes: a 6 MB file
#: took 2.4 GB and 25 s to open, and a few times that was more memory than there is.
_MAX_TEXT_PIECES = 1_000_000  # 500,000 words: some 50 hours of speech


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
        pieces = list(islice(_TEXT_PIECES.finditer(text), _MAX_TEXT_PIECES + 1))
        if len(pieces) > _MAX_TEXT_PIECES:
            raise _fail(f"The text{where} has more than {_MAX_TEXT_PIECES // 2:,} words, far "
                        "more than any recording holds, so it is not made into words.")
        raw_from_text = [
            _RawWord(piece, None, None, "spacing" if piece.isspace() else "word", None,
                     default_channel, None, ())
            for piece in map(_GROUP, pieces)
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

