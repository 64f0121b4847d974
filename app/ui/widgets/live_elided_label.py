"""A one-line label for long text that changes often (the Scripts tab's cost estimate).

On a short screen the estimate's two lines took a table row. This label is one line
high whatever its text: what does not fit ends in "…", and the whole text is in its
tooltip and its accessible description. A new text only repaints the label (a QLabel's
setText re-lays out the window, once per take while a queue runs: benchmark figure 10b).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

MINIMUM_CHARS = 8  # the narrowest a layout may make it, in average characters


class LiveElidedLabel(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._own_tip = ""  # said after the whole text in the tooltip
        # Its text's width never widens the window: the layout gives it what is left.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def text(self) -> str:
        return self._text

    def one_line(self) -> str:
        """The text as drawn before shortening: its lines joined with " · "."""
        return " · ".join(line for line in self._text.splitlines() if line.strip())

    def setText(self, text: str) -> None:
        if text == self._text:
            return
        self._text = text
        self.setAccessibleDescription(self.one_line())
        self._update_tooltip()
        self.update()

    def setToolTip(self, tip: str) -> None:
        self._own_tip = tip
        self._update_tooltip()

    def sizeHint(self) -> QSize:
        margins = self.contentsMargins()
        return QSize(self.fontMetrics().averageCharWidth() * MINIMUM_CHARS,
                     self.fontMetrics().height() + margins.top() + margins.bottom())

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def is_elided(self) -> bool:
        return (self.fontMetrics().horizontalAdvance(self.one_line())
                > self.contentsRect().width())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_tooltip()

    def _update_tooltip(self) -> None:
        parts = [self.one_line()] if self._text and self.is_elided() else []
        if self._own_tip:
            parts.append(self._own_tip)
        super().setToolTip("\n\n".join(parts))

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.one_line(), Qt.TextElideMode.ElideRight,
                                              rect.width())
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         shown)
