"""The transcript as a list of paragraphs (one row per speaker turn or long pause).

A thin adapter over the domain's `paragraphs()`: no widget per word; the delegate lays
out each row's words itself. The model also holds what the delegate highlights (the
word playing, search matches, the low-confidence threshold) and answers "which row
holds word n" by bisection.

Views: all channels merged by time (conversation order), or one channel on its own.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field, replace
from itertools import accumulate
from operator import itemgetter
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from app.domain.script_spacing import joins_without_space
from app.domain.transcript import Transcript, Word
from app.domain.transcript_lookup import Paragraph, is_low_confidence, paragraphs
from app.domain.transcript_patch import TranscriptPatch, patched_paragraphs
from app.ui.transcripts.speaker_colors import SpeakerColors

ALL_CHANNELS = -1
#: All channels in time order, each channel's paragraphs in a column of its own.
SIDE_BY_SIDE = -2
PARAGRAPH_PAUSE_MS = 1500

ParagraphRole = Qt.ItemDataRole.UserRole + 1
SpeakerIdRole = Qt.ItemDataRole.UserRole + 2
SpeakerNameRole = Qt.ItemDataRole.UserRole + 3
SpeakerColorRole = Qt.ItemDataRole.UserRole + 4
StartMsRole = Qt.ItemDataRole.UserRole + 5

_Index = QModelIndex | QPersistentModelIndex
_TEXT = itemgetter(Word._fields.index("text"))  # a Word is a tuple


@dataclass(frozen=True, slots=True)
class ParagraphRow:
    speaker_id: str | None
    channel: int
    start_ms: int
    end_ms: int
    words: tuple[int, ...]  # word indices (into Transcript.words), in reading order
    chars: int = field(default=0, compare=False)  # about how many characters it shows


def build_rows(transcript: Transcript | None, channel_view: int = ALL_CHANNELS
               ) -> list[ParagraphRow]:
    """The rows for `transcript` as seen in `channel_view`. Plain Python, no Qt: it may
    run in a worker thread."""
    if transcript is None:
        return []
    if channel_view in (ALL_CHANNELS, SIDE_BY_SIDE):
        view = transcript
        positions: list[int] | None = None
    else:
        kept = tuple(w for w in transcript.words if w.channel == channel_view)
        view = replace(transcript, words=kept)
        positions = [w.index for w in kept]
    return _rows_of(transcript, paragraphs(view, PARAGRAPH_PAUSE_MS), positions, whole=True)


def _rows_of(transcript: Transcript, found: list[Paragraph], positions: list[int] | None = None,
             *, whole: bool = False) -> list[ParagraphRow]:
    rows = []
    all_words = transcript.words
    # For the whole transcript: characters before each item, so a paragraph's length is
    # one subtraction (a paragraph of the all-channel view is a run of consecutive
    # items). A patch of a few paragraphs counts its words instead (no O(n) pass).
    before = [0, *accumulate(map(len, map(_TEXT, all_words)))] \
        if positions is None and whole else []
    for p in found:
        if before:
            words = tuple(p.word_indices)
            chars = before[p.word_indices.stop] - before[p.word_indices.start]
        elif positions is None:
            words = tuple(p.word_indices)
            chars = sum(map(len, map(_TEXT, map(all_words.__getitem__, words))))
        else:
            words = tuple(positions[k] for k in p.word_indices)
            chars = sum(map(len, map(_TEXT, map(all_words.__getitem__, words))))
        chars += len(words) // 4
        rows.append(ParagraphRow(p.speaker_id, p.channel, p.start_ms, p.end_ms, words,
                                 chars))
    return rows


def paragraph_text(transcript: Transcript, row: ParagraphRow) -> str:
    """The words as one line of text (spacing kept, missing spaces added)."""
    parts: list[str] = []
    for piece, _index in display_pieces(transcript, row):
        parts.append(piece)
    return "".join(parts).strip()


def display_pieces(transcript: Transcript, row: ParagraphRow) -> list[tuple[str, int]]:
    """(text, word index) pieces as shown: whitespace collapsed to one space, a space
    added between two words the server sent without spacing between them."""
    pieces: list[tuple[str, int]] = []
    previous: Word | None = None
    words = transcript.words
    for n, i in enumerate(row.words):
        w = words[i]
        if w.kind == "spacing":
            text = " " if w.text.isspace() or not w.text else " ".join(w.text.split())
            if text == " " and previous is not None and n + 1 < len(row.words) and \
                    joins_without_space(previous.text, words[row.words[n + 1]].text):
                continue  # Japanese, Chinese: no space between words
        else:
            text = w.text.replace("\n", " ")
            if previous is not None and previous.kind != "spacing" and not \
                    text[:1].isspace() and not pieces[-1][0][-1:].isspace() and \
                    not joins_without_space(pieces[-1][0], text):
                pieces.append((" ", -1))
        if pieces and text == " " and pieces[-1][0].endswith(" "):
            continue
        pieces.append((text, i))
        previous = w
    return pieces


class ParagraphModel(QAbstractListModel):
    rows_changed = Signal(list)  # rows whose words were re-spelled (their layout is stale)
    selected_word_changed = Signal(object)  # word index or None

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.transcript: Transcript | None = None
        self.rows: list[ParagraphRow] = []
        self._first_words: list[int] = []
        self.channel_view = ALL_CHANNELS
        self.colors = SpeakerColors()
        self.current_word: int | None = None
        self.matches: frozenset[int] = frozenset()
        self.current_match: int | None = None
        self.selected_word: int | None = None
        self.threshold = 0.5
        self.corrected: frozenset[int] = frozenset()

    # -- building --------------------------------------------------------------------
    def set_transcript(self, transcript: Transcript | None, corrected: frozenset[int] =
                       frozenset(), rows: list[ParagraphRow] | None = None,
                       patch: TranscriptPatch | None = None) -> None:
        """Show `transcript`. When only names or spellings changed (an edit, not a merge),
        the rows stay and only the paragraphs whose text changed are laid out again.
        `rows`, when given, are `build_rows(transcript, self.channel_view)` made earlier
        in a worker thread (for a long transcript they take ~15 ms). `patch`, when given,
        says which words changed since the transcript shown: only the paragraphs around
        them are cut again and announced (dataChanged, rowsRemoved/rowsInserted)."""
        if patch is not None and rows is None and transcript is not None and \
                self.transcript is not None and self.channel_view in (ALL_CHANNELS,
                                                                      SIDE_BY_SIDE):
            self._patch(transcript, corrected, patch)
            return
        old_transcript, old_rows, old_corrected = self.transcript, self.rows, self.corrected
        self.transcript, self.corrected = transcript, corrected
        if rows is None or transcript is None:
            rows = build_rows(transcript, self.channel_view)
        if transcript is not None:
            self.colors.assign(list(transcript.speakers))
        if old_transcript is not None and transcript is not None and rows == old_rows:
            self.rows = rows
            changed = {i for i in corrected ^ old_corrected}
            changed |= {i for i in corrected if old_transcript.words[i].text
                        != transcript.words[i].text}
            dirty = sorted({r for r in (self.row_of_word(i) for i in changed) if r is not None})
            self.rows_changed.emit(dirty)
            self._touch_all()  # speaker names are drawn from the model at paint time
            return
        self.beginResetModel()
        self.rows = rows
        self._first_words = [r.words[0] if r.words else -1 for r in self.rows]
        self.endResetModel()

    def _patch(self, transcript: Transcript, corrected: frozenset[int],
               patch: TranscriptPatch) -> None:
        self.transcript, self.corrected = transcript, corrected
        self.colors.assign(list(transcript.speakers))
        dirty: set[int] = set()
        found = patched_paragraphs(transcript, self._first_words, patch, PARAGRAPH_PAUSE_MS)
        if found is not None:
            row, count, paragraphs_ = found
            new = _rows_of(transcript, paragraphs_)
            old = self.rows[row:row + count]
            lead = 0  # rows equal before and after the change stay as they are
            while lead < min(len(old), len(new)) and old[lead] == new[lead]:
                lead += 1
            tail = 0
            while tail < min(len(old), len(new)) - lead and old[-1 - tail] == new[-1 - tail]:
                tail += 1
            start, removed = row + lead, count - lead - tail
            added = new[lead:len(new) - tail]
            if removed == len(added):
                self._replace_rows(start, removed, added)
            else:
                if removed:
                    self.beginRemoveRows(QModelIndex(), start, start + removed - 1)
                    self._replace_rows(start, removed, [])
                    self.endRemoveRows()
                if added:
                    self.beginInsertRows(QModelIndex(), start, start + len(added) - 1)
                    self._replace_rows(start, 0, added)
                    self.endInsertRows()
            dirty.update(range(start, start + len(added)))
        if patch.words_changed:
            first, last = self.row_of_word(patch.first), self.row_of_word(patch.last)
            if first is not None and last is not None:
                dirty.update(range(first, last + 1))
        rows = sorted(dirty)
        self.rows_changed.emit(rows)
        if patch.names or patch.speakers:
            self._touch_all()  # speaker names are drawn from the model at paint time
        else:
            for row in rows:
                index = self.index(row)
                self.dataChanged.emit(index, index, [ParagraphRole])

    def _replace_rows(self, start: int, count: int, rows: list[ParagraphRow]) -> None:
        self.rows[start:start + count] = rows
        self._first_words[start:start + count] = [r.words[0] if r.words else -1
                                                  for r in rows]

    @property
    def columns(self) -> int:
        """How many columns the rows are drawn in (one per channel side by side)."""
        if self.channel_view != SIDE_BY_SIDE or self.transcript is None:
            return 1
        return max(1, self.transcript.channels)

    def column_of(self, row: ParagraphRow) -> int:
        return min(row.channel, self.columns - 1) if self.columns > 1 else 0

    def set_channel_view(self, channel: int) -> None:
        if channel != self.channel_view:
            self.channel_view = channel
            # Always a reset: side by side has the same rows as merged, but every row's
            # layout (its column width) changes.
            self.beginResetModel()
            self.rows = build_rows(self.transcript, channel)
            self._first_words = [r.words[0] if r.words else -1 for r in self.rows]
            self.endResetModel()

    # -- Qt model --------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows) or \
                self.transcript is None:
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            name = self.speaker_name(row.speaker_id)
            text = paragraph_text(self.transcript, row)
            return f"{name}: {text}" if name else text
        if role == ParagraphRole:
            return row
        if role == SpeakerIdRole:
            return row.speaker_id
        if role == SpeakerNameRole:
            return self.speaker_name(row.speaker_id)
        if role == SpeakerColorRole:
            return self.speaker_color(row.speaker_id)
        if role == StartMsRole:
            return row.start_ms
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled

    # -- look-ups --------------------------------------------------------------------
    def speaker_name(self, speaker_id: str | None) -> str:
        if speaker_id is None or self.transcript is None:
            return ""
        return self.transcript.speaker_name(speaker_id)

    def speaker_color(self, speaker_id: str | None) -> QColor:
        return self.colors.color(speaker_id)

    def row_of_word(self, word_index: int) -> int | None:
        """The row showing `word_index` (None when it is not shown, say another channel)."""
        if not self.rows:
            return None
        row = bisect_right(self._first_words, word_index) - 1
        if row < 0:
            return None
        words = self.rows[row].words
        if self.channel_view in (ALL_CHANNELS, SIDE_BY_SIDE):
            return row if words[0] <= word_index <= words[-1] else None
        return row if word_index in words else None

    def is_low_confidence(self, word: Word) -> bool:
        """Below the threshold and not yet corrected by the user."""
        return word.index not in self.corrected and is_low_confidence(word, self.threshold)

    # -- highlights (repaint only the rows that change) ------------------------------
    def _touch(self, *word_indices: int | None) -> None:
        rows = {self.row_of_word(i) for i in word_indices if i is not None}
        for row in sorted(r for r in rows if r is not None):
            index = self.index(row)
            self.dataChanged.emit(index, index, [ParagraphRole])

    def set_current_word(self, word_index: int | None) -> None:
        if word_index != self.current_word:
            old, self.current_word = self.current_word, word_index
            self._touch(old, word_index)

    def set_selected_word(self, word_index: int | None) -> None:
        if word_index != self.selected_word:
            old, self.selected_word = self.selected_word, word_index
            self._touch(old, word_index)
            self.selected_word_changed.emit(word_index)

    def set_matches(self, matches: frozenset[int], current: int | None) -> None:
        changed = (self.matches ^ matches) | {x for x in (self.current_match, current)
                                              if x is not None}
        self.matches, self.current_match = matches, current
        if len(changed) > 200:
            self._touch_all()
        else:
            self._touch(*changed)

    def set_threshold(self, threshold: float) -> None:
        if threshold != self.threshold:
            self.threshold = threshold
            self._touch_all()

    def _touch_all(self) -> None:
        if self.rows:
            self.dataChanged.emit(self.index(0), self.index(len(self.rows) - 1),
                                  [ParagraphRole])


__all__ = ["ALL_CHANNELS", "SIDE_BY_SIDE", "ParagraphModel", "ParagraphRow", "display_pieces"]
