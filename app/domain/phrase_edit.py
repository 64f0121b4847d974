"""Edits of phrases and turns, as changes of `TranscriptEdits` (so each is undoable and
saved like a word correction; the server's words are never changed).

- Retype a run of words: the new words take the run's slots in order, so their times
  spread over the span the old words covered; with fewer new words the last slots are
  emptied, with more the last slot takes the rest. Each changed word keeps its server
  text (exported as `original_text`).
- Give words (a paragraph, a selection) to another speaker, or to a new one.
- Split a paragraph before a word (the space before it becomes a line break, which
  starts a paragraph) and join it back.
- Nudge a word's start or end.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.domain.transcript import Transcript
from app.domain.transcript_edit import TranscriptEdits

NUDGE_MS = 20
PARAGRAPH_BREAK = "\n"


def word_slots(transcript: Transcript, first: int, last: int) -> list[int]:
    """Indices of the words (not spacing) from `first` to `last` inclusive."""
    return [i for i in range(max(0, first), min(len(transcript.words), last + 1))
            if transcript.words[i].kind == "word"]


def retype(edits: TranscriptEdits, transcript: Transcript, first: int, last: int,
           text: str) -> TranscriptEdits:
    """The words `first`..`last` retyped as `text` (spread over the same span)."""
    slots = word_slots(transcript, first, last)
    if not slots:
        raise ValueError("Select at least one word to retype.")
    new = text.split()
    if not new:
        raise ValueError("Type the new words (to remove words, retype them as fewer).")
    if len(new) > len(slots):
        new = [*new[:len(slots) - 1], " ".join(new[len(slots) - 1:])]
    result = edits
    for n, index in enumerate(slots):
        value = new[n] if n < len(new) else ""
        if value == transcript.words[index].text:
            result = result.without_correction(index)
        else:
            result = result.with_correction(index, value)
    return result


def new_speaker_id(transcript: Transcript, edits: TranscriptEdits) -> str:
    """An id no word uses yet: speaker_<n> after the highest in use."""
    used = {w.speaker_id for w in transcript.words if w.speaker_id}
    used |= set(edits.speaker_overrides.values()) | set(transcript.speakers)
    numbers = [int(m.group(1)) for sid in used if (m := re.fullmatch(r"speaker_(\d+)", sid))]
    return f"speaker_{max(numbers, default=-1) + 1}"


def give_to_speaker(edits: TranscriptEdits, indices: Sequence[int],
                    speaker_id: str) -> TranscriptEdits:
    """The items `indices` (spacing included, so a turn moves whole) said by `speaker_id`."""
    return edits.with_speaker_overrides({i: speaker_id for i in indices})


def split_before(edits: TranscriptEdits, transcript: Transcript, index: int) -> TranscriptEdits:
    """A paragraph break before the word `index` (at the space before it)."""
    space = index - 1
    if not 0 <= space < len(transcript.words) or transcript.words[space].kind != "spacing":
        raise ValueError("A paragraph can be split only between two words.")
    return edits.with_correction(space, PARAGRAPH_BREAK)


def join_before(edits: TranscriptEdits, transcript: Transcript, index: int) -> TranscriptEdits:
    """Undo a split before the word `index`; at a change of speaker, the paragraph joins
    the previous one by taking its speaker."""
    space = index - 1
    if 0 <= space < len(transcript.words) and edits.corrections.get(space) == PARAGRAPH_BREAK:
        return edits.without_correction(space)
    raise ValueError("This paragraph was not split here; to join two speakers' turns, "
                     "give this paragraph to the speaker before it.")


def nudge(edits: TranscriptEdits, transcript: Transcript, index: int, *,
          start_ms: int = 0, end_ms: int = 0) -> TranscriptEdits:
    """Move a word's start and/or end by the given ms (kept in order, never below 0)."""
    edited = edits.apply(transcript)
    if not 0 <= index < len(edited.words):
        raise ValueError("No such word.")
    word = edited.words[index]
    start = max(0, word.start_ms + start_ms)
    end = max(start, word.end_ms + end_ms)
    return edits.with_timing(index, start, end)


__all__ = ["NUDGE_MS", "PARAGRAPH_BREAK", "give_to_speaker", "join_before",
           "new_speaker_id", "nudge", "retype", "split_before", "word_slots"]
