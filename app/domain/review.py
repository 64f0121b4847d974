"""Look-ups for reviewing a transcript by ear: the sentence around a word (to loop it)
and the next or previous doubtful word (to jump to it). Plain data, no Qt."""

from __future__ import annotations

from collections.abc import Callable

from app.domain.transcript import Transcript, Word

_SENTENCE_ENDS = (".", "?", "!", "。", "？", "！", "…")


def _ends_sentence(word: Word) -> bool:
    return word.text.rstrip().rstrip("\"')»”’").endswith(_SENTENCE_ENDS)


def sentence_span(transcript: Transcript, word_index: int) -> tuple[int, int] | None:
    """(start ms, end ms) of the sentence holding the word: from the word after the
    previous sentence end (or a change of speaker) to the next sentence end."""
    words = transcript.words
    if not 0 <= word_index < len(words):
        return None
    speaker = words[word_index].speaker_id
    spoken = [i for i, w in enumerate(words) if w.kind == "word"]
    if not spoken:
        return None
    first = last = None
    i = word_index
    while i >= 0:  # back to the start of the sentence
        w = words[i]
        if w.kind == "word":
            if w.speaker_id != speaker or (i != word_index and _ends_sentence(w)):
                break
            first = i
        i -= 1
    i = word_index
    while i < len(words):
        w = words[i]
        if w.kind == "word":
            if w.speaker_id != speaker:
                break
            last = i
            if _ends_sentence(w):
                break
        i += 1
    if first is None or last is None:
        return None
    return words[first].start_ms, max(words[first].start_ms, words[last].end_ms)


def next_flagged(transcript: Transcript, from_index: int | None, direction: int,
                 is_flagged: Callable[[Word], bool]) -> int | None:
    """The nearest flagged word after (direction > 0) or before `from_index`."""
    words = transcript.words
    step = 1 if direction > 0 else -1
    i = (from_index if from_index is not None else (-1 if step > 0 else len(words))) + step
    while 0 <= i < len(words):
        if words[i].kind == "word" and is_flagged(words[i]):
            return i
        i += step
    return None


__all__ = ["next_flagged", "sentence_span"]
