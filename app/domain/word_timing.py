"""Which word of a text is being spoken at a given moment, without Qt.

The with-timestamps endpoints answer with one time per character (`alignment`); a
streamed answer sends them piece by piece, and a long text is sent in several requests.
`AlignmentCollector` joins those pieces (each request's times shifted by the audio
before it) and groups the characters into words; `word_spans` finds each word in the
text the user wrote; `SpokenText.word_at(ms)` answers the player's position ticks by
bisection, so following the playhead costs next to nothing.

Used by the Speech tab (one text) and the Scripts tab (takes of blocks).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple


class WordTime(NamedTuple):
    """One spoken word of a take, in milliseconds from the start of the take's audio.
    Here, not in script.py, so the Speech tab's word mark does not load the script model
    at start-up (app.domain.script re-exports it)."""

    word: str
    start_ms: int
    end_ms: int


class WordSpan(NamedTuple):
    """A spoken word: when (ms from the audio's start) and where (characters) in the text."""

    start_ms: int
    end_ms: int
    first: int  # first character in the text
    end: int  # one past the last character


def word_spans(text: str, alignment: Sequence[WordTime] | None) -> tuple[WordSpan, ...]:
    """Each aligned word's span in `text`, found in order (case-insensitive); a word not
    found in the text (normalised by the server, say "3" read as "three") is skipped."""
    if not alignment:
        return ()
    spans: list[WordSpan] = []
    cursor = 0
    lowered = text.casefold()
    for word in alignment:
        token = word.word.strip()
        if not token:
            continue
        found = lowered.find(token.casefold(), cursor)
        if found < 0:
            continue
        spans.append(WordSpan(word.start_ms, word.end_ms, found, found + len(token)))
        cursor = found + len(token)
    return tuple(spans)


def words_from_characters(chars: Sequence[str], starts_s: Sequence[float],
                          ends_s: Sequence[float], lo: int = 0, hi: int | None = None,
                          offset_ms: int = 0) -> tuple[WordTime, ...]:
    """Characters `lo:hi` grouped into words (split at whitespace), with times in ms
    minus `offset_ms` (never below 0)."""
    hi = len(chars) if hi is None else min(hi, len(chars))
    words: list[WordTime] = []
    current = ""
    start = end = 0.0
    for i in range(max(0, lo), hi):
        ch = chars[i]
        if ch.isspace():
            if current.strip():
                words.append(WordTime(current, round(start * 1000) - offset_ms,
                                      round(end * 1000) - offset_ms))
            current = ""
            continue
        if not current:
            start = starts_s[i]
        current += ch
        end = ends_s[i]
    if current.strip():
        words.append(WordTime(current, round(start * 1000) - offset_ms,
                              round(end * 1000) - offset_ms))
    return tuple(WordTime(w.word, max(0, w.start_ms), max(0, w.end_ms)) for w in words)


@dataclass
class AlignmentCollector:
    """Character timings of one generation as they arrive: pieces of a streamed answer,
    and several requests (parts of a long text) one after the other.

    Call `start_request(offset_ms)` before each request (the audio already received
    before it) and `add(...)` for each alignment piece. `words()` groups what has arrived
    into words; work already done is kept, so calling it after each piece costs only the
    new characters."""

    _chars: list[str] = field(default_factory=list)
    _starts: list[float] = field(default_factory=list)
    _ends: list[float] = field(default_factory=list)
    _offset_s: float = 0.0
    _words: list[WordTime] = field(default_factory=list)  # complete words so far
    _done: int = 0  # characters already grouped into `_words`

    def start_request(self, offset_ms: int) -> None:
        if self._chars and not self._chars[-1].isspace():
            # Parts are split at spaces the server never sees: keep the words apart.
            self._chars.append(" ")
            self._starts.append(self._ends[-1])
            self._ends.append(self._ends[-1])
        self._offset_s = offset_ms / 1000

    def add(self, chars: Sequence[str], starts_s: Sequence[float],
            ends_s: Sequence[float]) -> None:
        count = min(len(chars), len(starts_s), len(ends_s))
        self._chars.extend(chars[:count])
        self._starts.extend(s + self._offset_s for s in starts_s[:count])
        self._ends.extend(e + self._offset_s for e in ends_s[:count])

    @property
    def empty(self) -> bool:
        return not self._chars

    def words(self, final: bool = False) -> tuple[WordTime, ...]:
        """The words so far: complete ones only (a word may go on in the next piece),
        or also the last one when `final`."""
        last_space = len(self._chars)
        while last_space > self._done and not self._chars[last_space - 1].isspace():
            last_space -= 1
        if last_space > self._done:
            self._words.extend(words_from_characters(self._chars, self._starts, self._ends,
                                                     self._done, last_space))
            self._done = last_space
        tail = words_from_characters(self._chars, self._starts, self._ends,
                                     self._done) if final else ()
        return (*self._words, *tail)


class SpansBuilder:
    """`word_spans` for words that arrive a few at a time (each call hands the words so
    far, the earlier ones unchanged): only the new words are looked up."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._lowered = text.casefold()
        self._cursor = 0
        self._consumed = 0
        self.spans: list[WordSpan] = []

    def update(self, words: Sequence[WordTime]) -> tuple[WordSpan, ...]:
        for word in words[self._consumed:]:
            token = word.word.strip()
            found = self._lowered.find(token.casefold(), self._cursor) if token else -1
            if found >= 0:
                self.spans.append(WordSpan(word.start_ms, word.end_ms, found,
                                           found + len(token)))
                self._cursor = found + len(token)
        self._consumed = max(self._consumed, len(words))
        return tuple(self.spans)


@dataclass(frozen=True)
class SpokenText:
    """A text and when each of its words is heard."""

    text: str
    spans: tuple[WordSpan, ...] = ()

    @classmethod
    def from_words(cls, text: str, words: Sequence[WordTime]) -> SpokenText:
        return cls(text, word_spans(text, words))

    def index_at(self, ms: int) -> int | None:
        """The index of the word being spoken at `ms` (None before, after or between
        words)."""
        index = bisect.bisect_right(self.spans, ms, key=lambda s: s.start_ms) - 1
        if index >= 0 and ms < self.spans[index].end_ms:
            return index
        return None

    def word_at(self, ms: int) -> tuple[int, int] | None:
        """Characters (first, end) of the word being spoken at `ms`, or None."""
        index = self.index_at(ms)
        if index is None:
            return None
        span = self.spans[index]
        return span.first, span.end


__all__ = ["AlignmentCollector", "SpansBuilder", "SpokenText", "WordSpan", "word_spans",
           "words_from_characters"]
