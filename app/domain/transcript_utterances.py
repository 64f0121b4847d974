"""Several channels' words in conversation order, one utterance at a time.

A two-channel call transcribed per channel gives each channel's words with times.
Interleaving the words one by one by start time (`merge_channels_by_time`) makes a
reader (and a subtitle file) jump between channels every word or two as soon as the
two people overlap or back-channel ("yeah", "mm"). So each channel's words are first
grouped into utterances (cut at a pause, or at a sentence end followed by a shorter
pause), and the utterances, not the words, are interleaved by start time. Within a
channel the order never changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # transcript_parse.py imports this module
    from app.domain.transcript import Word

#: A pause this long ends an utterance whatever was said.
UTTERANCE_PAUSE_MS = 1000
#: After a sentence end ("." "?" "!" "。"...), a pause this long already ends it.
SENTENCE_PAUSE_MS = 300
_SENTENCE_ENDS = (".", "?", "!", "…", "。", "？", "！", "؟", "।")


def utterances(words: Sequence[Word]) -> list[list[Word]]:
    """One channel's words cut into utterances; spacing stays with the words before it."""
    groups: list[list[Word]] = []
    current: list[Word] = []
    last_spoken: Word | None = None
    for w in words:
        if w.kind != "spacing" and last_spoken is not None:
            gap = w.start_ms - last_spoken.end_ms
            sentence_end = last_spoken.text.rstrip().endswith(_SENTENCE_ENDS)
            if gap >= UTTERANCE_PAUSE_MS or (sentence_end and gap >= SENTENCE_PAUSE_MS):
                groups.append(current)
                current = []
        current.append(w)
        if w.kind != "spacing":
            last_spoken = w
    if current:
        groups.append(current)
    return groups


def _start(group: list[Word]) -> int:
    return next((w.start_ms for w in group if w.kind != "spacing"), group[0].start_ms)


def merge_channels_by_utterance(channels: Iterable[Sequence[Word]]) -> tuple[Word, ...]:
    """All channels' words, utterance by utterance in order of start time (ties: lower
    channel first), re-indexed from 0."""
    tagged: list[tuple[int, int, int, list[Word]]] = []
    for n, words in enumerate(channels):
        for k, group in enumerate(utterances(words)):
            tagged.append((_start(group), group[0].channel if group else n, k, group))
    tagged.sort(key=lambda t: t[:3])
    merged = [w for *_, group in tagged for w in group]
    return tuple(w if w.index == i else w._replace(index=i) for i, w in enumerate(merged))


def split_by_channel(words: Sequence[Word]) -> list[list[Word]]:
    """The words of each channel (in channel order), each list in its original order."""
    by_channel: dict[int, list[Word]] = {}
    for w in words:
        by_channel.setdefault(w.channel, []).append(w)
    return [by_channel[c] for c in sorted(by_channel)]
