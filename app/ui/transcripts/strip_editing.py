"""The waveform strip's work in the Transcripts tab: what it shows and what it changes.

It follows the selected word: the strip spans that word's paragraph (a little margin
either side), with the paragraph's word boundaries and the word as a box. The peaks for
that span are computed in a worker thread (app/audio/peaks.span_peaks: a short recording
is decoded already, but slicing and reducing a minute of samples is still too slow for
the window's thread; a long one is on disk, and only that span is read from the file).
Dragging an edge is one undoable timing edit; the keys in the shortcut map nudge by
20 ms; a free range dragged on the strip is looped through the review playback (speed
as set) until another range, a click or the sentence loop replaces it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from app.domain import phrase_edit
from app.ui.qt_async import TaskRunner
from app.ui.shortcuts import SHORTCUTS
from app.ui.transcripts.paragraph_model import ParagraphModel
from app.ui.transcripts.transcript_document import TranscriptDocument
from app.ui.transcripts.word_strip import WaveformStrip

if TYPE_CHECKING:
    from app.ui.transcripts.playback import TranscriptPlayback
    from app.ui.transcripts.review import ReviewControls

PEAKS_TASK = "transcripts.strip_peaks"
MARGIN_MS = 400
STRIP_BUCKETS = 1200
#: name in the shortcut map -> (start ms, end ms) moved by one nudge step
NUDGE_KEYS = {"nudge_start_earlier": (-1, 0), "nudge_start_later": (1, 0),
              "nudge_end_earlier": (0, -1), "nudge_end_later": (0, 1)}


class StripEditing(QObject):
    def __init__(self, tab: QWidget, document: TranscriptDocument, model: ParagraphModel,
                 playback: TranscriptPlayback, review: ReviewControls, runner: TaskRunner,
                 report: Callable[[str], None]) -> None:
        super().__init__(tab)
        self._document = document
        self._model = model
        self._playback = playback
        self._review = review
        self._runner = runner
        self._report = report
        self.strip = WaveformStrip(tab)
        self._peaks_for: tuple[int, int] | None = None
        self.shortcuts: list[QShortcut] = []
        for name, (start, end) in NUDGE_KEYS.items():
            shortcut = QShortcut(QKeySequence(SHORTCUTS[name].keys), tab)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda s=start, e=end: self.nudge(s, e))
            self.shortcuts.append(shortcut)
        # After the model has taken an edit in (its rows are then those of the edited
        # transcript), not on the document's own signal, which comes before.
        model.selected_word_changed.connect(self.refresh)
        model.rows_changed.connect(self.refresh)
        model.modelReset.connect(self.refresh)
        playback.heard_ms.connect(self.strip.set_playhead)
        self.strip.timing_dragged.connect(self.set_timing)
        self.strip.range_chosen.connect(review.loop_range)
        self.strip.range_cleared.connect(lambda: review.loop_range(0, None))

    # -- showing ---------------------------------------------------------------------
    def refresh(self, *_args: object) -> None:
        """Show the selected word's paragraph (called on selection, edits, new audio)."""
        edited = self._document.edited
        index = self._model.selected_word
        row = self._model.row_of_word(index) if index is not None and edited else None
        if edited is None or index is None or row is None:
            self.strip.set_word(None)
            self.strip.setEnabled(False)
            return
        self.strip.setEnabled(True)
        paragraph = self._model.rows[row]
        words = [edited.words[i] for i in paragraph.words]
        said = [w for w in words if w.kind == "word"]
        start = min((w.start_ms for w in said), default=paragraph.start_ms) - MARGIN_MS
        end = max((w.end_ms for w in said), default=paragraph.end_ms) + MARGIN_MS
        word = edited.words[index]
        self.strip.set_span(max(0, start), end, [(w.start_ms, w.end_ms) for w in said])
        self.strip.set_word((index, word.start_ms, word.end_ms))
        self._load_peaks()

    def _load_peaks(self) -> None:
        clip = self._playback.clip
        span = self.strip.span
        if clip is None or (span == self._peaks_for and self.strip.peaks is not None):
            return
        self._peaks_for = span

        async def compute() -> None:
            from app.audio.errors import AudioDecodeError
            from app.audio.peaks import span_peaks

            try:
                peaks = await asyncio.to_thread(span_peaks, clip, span[0], span[1],
                                                STRIP_BUCKETS)
            except (OSError, AudioDecodeError) as exc:
                path = getattr(clip, "path", None)  # a long recording, read from disk
                if path is None:
                    raise
                self._playback.cannot_play.emit(path, exc)  # the same words as Play's
                return
            self.strip.set_peaks(span, peaks)

        self._runner.restart(PEAKS_TASK, compute)  # the paragraph shown last wins

    # -- editing ---------------------------------------------------------------------
    def set_timing(self, index: int, start_ms: int, end_ms: int) -> bool:
        """A word's start and end as dragged on the strip: one undoable edit."""
        document = self._document
        edited = document.edited
        if edited is None or document.original is None or not 0 <= index < len(edited.words):
            return False
        word = edited.words[index]
        if (start_ms, end_ms) == (word.start_ms, word.end_ms):
            return False
        after = document.edits.with_timing(index, start_ms, end_ms)
        done = document.apply_edit(after, f"Move “{word.text.strip()}” to "
                                   f"{start_ms / 1000:.2f}–{end_ms / 1000:.2f} s")
        if done:
            self._report(f"“{word.text.strip()}” now starts at {start_ms / 1000:.2f} s and "
                         f"ends at {end_ms / 1000:.2f} s (Undo puts it back).")
        return done

    def nudge(self, start_steps: int, end_steps: int) -> bool:
        document = self._document
        index = self._model.selected_word
        if document.original is None or index is None:
            return False
        step = phrase_edit.NUDGE_MS
        try:
            after = phrase_edit.nudge(document.edits, document.original, index,
                                      start_ms=start_steps * step, end_ms=end_steps * step)
        except ValueError as exc:
            self._report(str(exc))
            return False
        return document.apply_edit(after, "Nudge the word's times")


__all__ = ["NUDGE_KEYS", "StripEditing"]
