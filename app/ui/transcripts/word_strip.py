"""A small waveform strip under the transcript: the current paragraph's sound, its words'
boundaries, and the selected word as a box whose edges can be dragged.

Drag a word's left or right edge to move its start or end (one undoable edit on
release); drag anywhere else to choose a free range, which is looped. The peaks are
computed elsewhere, off the window's thread (app/audio/peaks.span_peaks); this widget
only paints them.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

EDGE_GRAB_PX = 6  # how near a word's edge a press grabs it
MIN_RANGE_PX = 4  # a shorter drag is a click (it clears the range)
WORD_FILL = QColor(31, 95, 191, 60)
RANGE_FILL = QColor(230, 140, 20, 70)
FULL_HEIGHT = 56  # with a word chosen: room for its sound and its edges to grab
EMPTY_TEXT = "Click a word to see its sound here and drag its edges to adjust its timing"


class WaveformStrip(QWidget):
    timing_dragged = Signal(int, int, int)  # word index, new start ms, new end ms
    range_chosen = Signal(int, int)  # start ms, end ms of a free range (dragged)
    range_cleared = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transcripts.word_strip")
        self.setAccessibleName("Waveform of the current paragraph")
        self.setAccessibleDescription(
            "Drag the selected word's edges to move its start or end; drag elsewhere to "
            "loop a range")
        self.setToolTip("Drag the selected word's edges to move its start or end "
                        "(Ctrl+Alt+Left/Right, with Shift for the end); drag elsewhere "
                        "to loop that stretch")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.span: tuple[int, int] = (0, 1)
        self.peaks: Any = None  # numpy array of 0..1 over `span`, or None (not yet)
        self.bounds: list[tuple[int, int]] = []  # the paragraph's words' (start, end)
        self.word: tuple[int, int, int] | None = None  # (index, start ms, end ms)
        self.range: tuple[int, int] | None = None
        self.playhead: int | None = None
        self._drag: str | None = None  # "start", "end" or "range"
        self._anchor = 0
        self._fit_height()

    def sizeHint(self) -> QSize:
        return QSize(400, self.minimumHeight())

    def _fit_height(self) -> None:
        """One line of words while no word is chosen (56 px of a 460 px laptop screen
        said only how to use it, under a transcript shown two lines at a time); full
        height, to see the sound and grab the edges, once one is."""
        empty = self.fontMetrics().height() + 8
        height = empty if self.word is None else max(FULL_HEIGHT, empty)
        if height != self.minimumHeight():
            self.setMinimumHeight(height)
            self.updateGeometry()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # (a larger system font: a taller line)
            self._fit_height()

    # -- what is shown ---------------------------------------------------------------
    def set_span(self, start_ms: int, end_ms: int, bounds: list[tuple[int, int]]) -> None:
        span = (start_ms, max(start_ms + 1, end_ms))
        if span != self.span:
            self.span, self.peaks, self.range = span, None, None
        self.bounds = bounds
        self.update()

    def set_peaks(self, span: tuple[int, int], peaks: Any) -> None:
        if span == self.span:  # an answer for a paragraph no longer shown is dropped
            self.peaks = peaks
            self.update()

    def set_word(self, word: tuple[int, int, int] | None) -> None:
        if self._drag not in ("start", "end"):
            self.word = word
            self._fit_height()
            self.update()

    def set_playhead(self, ms: int | None) -> None:
        if ms != self.playhead:
            self.playhead = ms
            self.update()

    # -- geometry --------------------------------------------------------------------
    def x_of(self, ms: float) -> float:
        start, end = self.span
        return (ms - start) * max(1, self.width() - 1) / (end - start)

    def ms_at(self, x: float) -> int:
        start, end = self.span
        at = start + x * (end - start) / max(1, self.width() - 1)
        return round(min(end, max(start, at)))

    # -- mouse -----------------------------------------------------------------------
    def _edge_at(self, x: float) -> str | None:
        if self.word is None:
            return None
        _, start, end = self.word
        near_start, near_end = abs(x - self.x_of(start)), abs(x - self.x_of(end))
        if min(near_start, near_end) > EDGE_GRAB_PX:
            return None
        return "start" if near_start <= near_end else "end"

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        x = event.position().x()
        self._drag = self._edge_at(x) or "range"
        self._anchor = self.ms_at(x)
        if self._drag == "range":
            self.range = None
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        x = event.position().x()
        if self._drag is None:
            cursor = Qt.CursorShape.SizeHorCursor if self._edge_at(x) else \
                Qt.CursorShape.IBeamCursor
            self.setCursor(cursor)
            return
        at = self.ms_at(x)
        if self._drag == "range":
            self.range = (min(self._anchor, at), max(self._anchor, at))
        elif self.word is not None:
            index, start, end = self.word
            self.word = (index, min(at, end), end) if self._drag == "start" else \
                (index, start, max(at, start))
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        drag, self._drag = self._drag, None
        if drag is None or event.button() != Qt.MouseButton.LeftButton:
            return
        if drag == "range":
            picked = self.range
            if picked is None or self.x_of(picked[1]) - self.x_of(picked[0]) < MIN_RANGE_PX:
                self.range = None
                self.range_cleared.emit()
            else:
                self.range_chosen.emit(*picked)
        elif self.word is not None:
            self.timing_dragged.emit(*self.word)
        self.update()

    # -- painting --------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = self.rect()
        palette = self.palette()
        painter.fillRect(rect, palette.base())
        mid = rect.height() / 2
        if self.range is not None:
            x1, x2 = self.x_of(self.range[0]), self.x_of(self.range[1])
            painter.fillRect(QRectF(x1, 0, max(1.0, x2 - x1), rect.height()), RANGE_FILL)
        if self.word is not None:
            _, start, end = self.word
            x1, x2 = self.x_of(start), self.x_of(end)
            painter.fillRect(QRectF(x1, 0, max(1.0, x2 - x1), rect.height()), WORD_FILL)
        peaks = self.peaks
        if peaks is not None and len(peaks):
            painter.setPen(QPen(palette.text().color(), 1))
            width = rect.width()
            for column in range(width):
                value = float(peaks[min(len(peaks) - 1, column * len(peaks) // max(1, width))])
                h = value * (mid - 2)
                painter.drawLine(QPointF(column, mid - h), QPointF(column, mid + h))
        painter.setPen(QPen(palette.mid().color(), 1, Qt.PenStyle.DotLine))
        for start, _end in self.bounds:
            x = self.x_of(start)
            painter.drawLine(QPointF(x, 0), QPointF(x, rect.height()))
        if self.word is not None:
            painter.setPen(QPen(palette.highlight().color(), 2))
            for ms in self.word[1:]:
                x = self.x_of(ms)
                painter.drawLine(QPointF(x, 0), QPointF(x, rect.height()))
        if self.playhead is not None and self.span[0] <= self.playhead <= self.span[1]:
            painter.setPen(QPen(QColor("#D03030"), 1))
            x = self.x_of(self.playhead)
            painter.drawLine(QPointF(x, 0), QPointF(x, rect.height()))
        if self.word is None:
            # Empty it was a blank box under the transcript that said nothing.
            painter.setPen(palette.placeholderText().color())
            words = self.fontMetrics().elidedText(EMPTY_TEXT, Qt.TextElideMode.ElideRight,
                                                  max(0, rect.width() - 12))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, words)
        painter.end()


__all__ = ["WaveformStrip"]
