"""A strip that draws the song's sections to scale, with their names and a playhead.

Clicking a section selects it and asks to play from its start (`section_clicked`).
Sections with problems are outlined in red; kept sections are drawn hatched.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.domain.music_plan_checks import seconds_text
from app.ui.contrast import blend, readable_on

_COLORS = ("#5b8def", "#43b581", "#e67e22", "#9b59b6", "#e84393", "#16a085", "#c0a000")


def _label(name: str, row: int, metrics: QFontMetrics, width: int) -> str:
    """The name if it fits, else the section's number (a 30-section plan read "P…" in
    every block), else nothing."""
    if metrics.horizontalAdvance(name) <= width:
        return name
    number = str(row + 1)
    return number if metrics.horizontalAdvance(number) <= width else ""


@dataclass(frozen=True)
class TimelineSection:
    name: str
    start_ms: int
    duration_ms: int
    kept: bool = False
    has_error: bool = False
    note: str = ""  # said in words when the pointer rests on it ("planned 3-7 s")


class TimelineWidget(QWidget):
    section_clicked = Signal(int, int)  # row, start in ms

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("music.timeline")
        self.setMinimumHeight(44)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.setAccessibleName("Song timeline")
        self.setToolTip("The song's sections to scale. Click one to hear it from its start.")
        self._sections: list[TimelineSection] = []
        self._playhead_ms: int | None = None
        self._selected: int | None = None
        self.click_hint = "Click to play from here."  # what a click on a section does

    def sizeHint(self) -> QSize:
        return QSize(400, 48)

    # -- state -----------------------------------------------------------------------------
    def set_sections(self, sections: list[TimelineSection]) -> None:
        self._sections = list(sections)
        self.update()

    def sections(self) -> list[TimelineSection]:
        return list(self._sections)

    @property
    def total_ms(self) -> int:
        return sum(max(0, s.duration_ms) for s in self._sections)

    def set_playhead(self, ms: int | None) -> None:
        if ms != self._playhead_ms:
            self._playhead_ms = ms
            self.update()

    @property
    def playhead_ms(self) -> int | None:
        return self._playhead_ms

    def set_selected(self, row: int | None) -> None:
        if row != self._selected:
            self._selected = row
            self.update()

    # -- geometry --------------------------------------------------------------------------
    def _bar(self) -> QRectF:
        return QRectF(self.rect()).adjusted(1, 1, -1, -13)

    def section_rect(self, row: int) -> QRectF:
        bar = self._bar()
        total = self.total_ms
        if total <= 0 or not 0 <= row < len(self._sections):
            return QRectF()
        s = self._sections[row]
        x = bar.left() + bar.width() * s.start_ms / total
        width = bar.width() * max(0, s.duration_ms) / total
        return QRectF(x, bar.top(), width, bar.height())

    def row_at(self, x: float) -> int | None:
        for row in range(len(self._sections)):
            rect = self.section_rect(row)
            if rect.width() > 0 and rect.left() <= x < rect.right() + 0.5:
                return row
        return None

    # -- painting --------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        bar = self._bar()
        painter.fillRect(bar, palette.color(QPalette.ColorRole.AlternateBase))
        if not self._sections or self.total_ms <= 0:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(bar, Qt.AlignmentFlag.AlignCenter, "No sections yet")
            return
        metrics = painter.fontMetrics()
        for row, s in enumerate(self._sections):
            rect = self.section_rect(row)
            if rect.width() <= 0:
                continue
            color = QColor(_COLORS[row % len(_COLORS)])
            color.setAlpha(110 if s.kept else 200)
            painter.fillRect(rect.adjusted(0.5, 0, -0.5, 0), color)
            if s.kept:
                painter.fillRect(rect, QColor(255, 255, 255, 60))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.fillRect(rect, Qt.BrushStyle.BDiagPattern)
            if s.has_error:
                painter.setPen(QPen(QColor("#c0392b"), 2))
                painter.drawRect(rect.adjusted(1, 1, -1, -1))
            if row == self._selected:
                painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 3))
                painter.drawRect(rect.adjusted(1.5, 1.5, -1.5, -1.5))
            shown = blend(color, palette.color(QPalette.ColorRole.AlternateBase))
            painter.setPen(readable_on(shown))  # white on yellow vanished
            label = _label(s.name or f"Section {row + 1}", row, metrics, int(rect.width()) - 6)
            painter.drawText(rect.adjusted(3, 0, -3, 0),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, label)
        # a time scale under the bar
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        small = painter.font()
        small.setPointSizeF(max(6.0, small.pointSizeF() * 0.8))
        painter.setFont(small)
        total = self.total_ms
        painter.drawText(QRectF(bar.left(), bar.bottom() + 1, 80, 12),
                         Qt.AlignmentFlag.AlignLeft, "0 s")
        painter.drawText(QRectF(bar.right() - 80, bar.bottom() + 1, 80, 12),
                         Qt.AlignmentFlag.AlignRight, f"{seconds_text(total)} s")
        if self._playhead_ms is not None and 0 <= self._playhead_ms <= total:
            x = bar.left() + bar.width() * self._playhead_ms / total
            painter.setPen(QPen(palette.color(QPalette.ColorRole.WindowText), 2))
            painter.drawLine(int(x), int(bar.top()), int(x), int(bar.bottom()))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            row = self.row_at(event.position().x())
            if row is not None:
                self.set_selected(row)
                self.section_clicked.emit(row, self._sections[row].start_ms)
                return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        row = self.row_at(event.position().x())
        if row is not None:
            s = self._sections[row]
            note = f" ({s.note})" if s.note else ""
            self.setToolTip(f"{s.name or f'Section {row + 1}'}: {seconds_text(s.start_ms)}–"
                            f"{seconds_text(s.start_ms + s.duration_ms)} s{note}. "
                            f"{self.click_hint}")
        super().mouseMoveEvent(event)
