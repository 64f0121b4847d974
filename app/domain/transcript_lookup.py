"""Fast look-ups in a transcript: which word plays at a time, its paragraphs, which
words are unsure, and search.

`WordIndex` and `SearchIndex` are built once per transcript (cached on it as
`Transcript.word_index` and `.search_index`): "which word is playing at ms" is
O(log n), and a find over 30,000 words is a few `str.find` calls on one joined
lower-case text per channel.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Container, Sequence
from dataclasses import dataclass
from itertools import accumulate, compress, islice, repeat
from operator import attrgetter, le, ne
from typing import TYPE_CHECKING

from app.domain.script_spacing import joins_without_space

if TYPE_CHECKING:  # the model imports this module for its cached indexes
    from app.domain.transcript import Transcript, Word


# --------------------------------------------------------------------------- look-ups


def _contains(word: Word, ms: int) -> bool:
    return word.start_ms <= ms < word.end_ms or word.start_ms == word.end_ms == ms


class WordIndex:
    """Built once per word list; every query is O(log n) (plus overlapping words)."""

    def __init__(self, words: Sequence[Word]) -> None:
        # Column by column at C speed (map, compress, accumulate): an edit made while a
        # 3-hour transcript plays builds this again on the window's thread, where the
        # plain loops took 25-50 ms for 30,000 words.
        self._words = words
        kinds = map(attrgetter("kind"), words)
        self._positions = list(compress(range(len(words)), map(ne, kinds, repeat("spacing"))))
        picked = list(map(words.__getitem__, self._positions))
        starts = list(map(attrgetter("start_ms"), picked))
        ends = list(map(attrgetter("end_ms"), picked))
        if all(map(le, starts, islice(starts, 1, None))):  # in time order already (usual)
            order = self._positions
        else:  # by start, transcript order among equal starts (a stable sort)
            ranks = sorted(range(len(starts)), key=starts.__getitem__)
            order = [self._positions[r] for r in ranks]
            starts = [starts[r] for r in ranks]
            ends = [ends[r] for r in ranks]
        self._order = order
        self.starts: list[int] = starts
        # The latest end so far, for each start: the ends themselves when they only grow.
        self._max_end: list[int] = ends if all(map(le, ends, islice(ends, 1, None))) \
            else list(accumulate(ends, max))

    def word_at(self, ms: int) -> int | None:
        """The index of the word (not spacing) sounding at `ms` (start <= ms < end), or
        None in a pause. Where words overlap, the one that started last wins."""
        j = bisect_right(self.starts, ms) - 1
        while j >= 0 and self._max_end[j] >= ms:
            candidate = self._words[self._order[j]]
            if _contains(candidate, ms):
                return self._order[j]
            j -= 1
        return None

    def last_started(self, ms: int) -> int | None:
        """The index of the last word that started at or before `ms` (None before the first)."""
        j = bisect_right(self.starts, ms) - 1
        return self._order[j] if j >= 0 else None

    def next_word(self, index: int) -> int | None:
        """The next word (or audio event) after `index` in transcript order, skipping spacing."""
        k = bisect_right(self._positions, index)
        return self._positions[k] if k < len(self._positions) else None

    def previous_word(self, index: int) -> int | None:
        k = bisect_left(self._positions, index) - 1
        return self._positions[k] if k >= 0 else None


def word_at(source: Transcript | WordIndex | Sequence[int], ms: int) -> int | None:
    """Which word plays at `ms`.

    - a Transcript or WordIndex: the word index (see WordIndex.word_at);
    - a sorted list of start times: the position of the last start <= ms, or None.
    """
    if isinstance(source, WordIndex):
        return source.word_at(ms)
    if hasattr(source, "word_index"):  # a Transcript (imported here only for types)
        return source.word_index.word_at(ms)
    position = bisect_right(source, ms) - 1
    return position if position >= 0 else None


#: Without word times, a paragraph is cut at the first sentence end after this many words.
UNTIMED_PARAGRAPH_WORDS = 80


@dataclass(frozen=True, slots=True)
class Paragraph:
    speaker_id: str | None
    channel: int
    start_ms: int
    end_ms: int
    word_indices: range


def paragraphs(transcript: Transcript, pause_ms: int = 1500, from_item: int = 0,
               stop_at: Container[int] = ()) -> list[Paragraph]:
    """Runs of words by one speaker on one channel, also split at pauses >= `pause_ms`.

    Spacing belongs to the paragraph before it; an item without a speaker (say, an
    untagged sound) never starts a new paragraph on its own.

    For an edit (app/domain/transcript_patch.py): `from_item` must be where a paragraph
    starts; the scan ends at the first paragraph start found in `stop_at` (the last
    paragraph then ends there), since from an unchanged start on everything is as before.
    """
    result: list[Paragraph] = []
    words = transcript.words
    first = from_item
    speaker: str | None = None
    channel = 0
    start = end = 0
    seen_word = False
    # Without times there are no pauses: text is cut at line breaks, and at a sentence
    # end once a paragraph is long (one paragraph of a whole hour is slow to lay out).
    untimed = not transcript.has_timestamps
    count = 0
    text_break = False

    def close(stop: int) -> None:
        if stop > first:
            result.append(Paragraph(speaker, channel, start, end, range(first, stop)))

    # A Word is a named tuple: unpacking it is quicker than five attribute look-ups, and
    # this loop runs over every item of a 3-hour transcript (60,000) on open.
    items = enumerate(islice(words, from_item, None) if from_item else words, from_item)
    for pos, (_, text, w_start, w_end, kind, w_speaker, w_channel, _, _) in items:
        if kind == "spacing":
            text_break = text_break or "\n" in text  # untimed text, or a split by hand
            continue
        if seen_word:
            turn = (w_speaker is not None and w_speaker != speaker) or w_channel != channel
            if turn or w_start - end >= pause_ms or text_break:
                close(pos)
                if pos in stop_at:
                    return result
                first = pos
                seen_word = False
        text_break = False
        if not seen_word:
            speaker, channel, start, end = w_speaker, w_channel, w_start, w_end
            seen_word = True
            count = 0
        elif w_end > end:
            end = w_end
        count += 1
        if untimed and count >= UNTIMED_PARAGRAPH_WORDS and \
                text.rstrip().endswith((".", "?", "!", "。", "？", "！", "؟")):
            text_break = True
    if words:  # the last paragraph (or, with no words at all, just the spacing)
        close(len(words))
    return result


def is_low_confidence(word: Word, threshold: float = 0.5) -> bool:
    """True for a word (not spacing) whose confidence exp(logprob) is below `threshold`."""
    confidence = word.confidence
    return word.kind != "spacing" and confidence is not None and confidence < threshold


# --------------------------------------------------------------------------- search

_WHITESPACE = re.compile(r"\s+")


class SearchIndex:
    """Per channel: the words joined into one lower-case text, with each item's offset."""

    def __init__(self, words: Sequence[Word]) -> None:
        by_channel: dict[int, list[Word]] = {}
        for w in words:
            by_channel.setdefault(w.channel, []).append(w)
        self._channels: list[tuple[str, list[int], list[Word]]] = []
        for items in by_channel.values():
            pieces: list[str] = []
            offsets: list[int] = []
            length = 0
            for n, w in enumerate(items):
                if w.kind == "spacing" and w.text.isspace():
                    # No space between two words of a script written without them.
                    before = items[n - 1].text if n > 0 else ""
                    after = items[n + 1].text if n + 1 < len(items) else ""
                    piece = "" if before and after and joins_without_space(before, after) \
                        else " "
                else:
                    piece = w.text.lower()
                    if not piece.isalnum():  # cheap test before the slower regex
                        piece = _WHITESPACE.sub(" ", piece)
                nxt = items[n + 1] if n + 1 < len(items) else None
                if (
                    nxt is not None
                    and w.kind != "spacing"
                    and nxt.kind != "spacing"
                    and not piece.endswith(" ")
                    and not nxt.text[:1].isspace()
                    and not joins_without_space(piece, nxt.text)
                ):
                    piece += " "  # words given without spacing items still match apart
                offsets.append(length)
                pieces.append(piece)
                length += len(piece)
            self._channels.append(("".join(pieces), offsets, items))

    def find(self, query: str) -> list[int]:
        needle = _WHITESPACE.sub(" ", query.lower()).strip()
        if not needle:
            return []
        found: set[int] = set()
        for text, offsets, items in self._channels:
            at = text.find(needle)
            while at >= 0:
                k = bisect_right(offsets, at) - 1
                while k < len(items) - 1 and items[k].kind == "spacing":
                    k += 1
                found.add(items[k].index)
                at = text.find(needle, at + 1)
        return sorted(found)


def search(transcript: Transcript, query: str) -> list[int]:
    """Indices of the words where a case-insensitive match of `query` starts.

    The query may span words ("thanks for"); runs of whitespace count as one space.
    Each channel is searched on its own, so a phrase never spans two speakers' channels.
    """
    return transcript.search_index.find(query)
