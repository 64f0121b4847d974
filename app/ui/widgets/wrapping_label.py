"""A word-wrapped label whose height is all of its lines.

A QLabel with word wrap reports its size for a width of its own choosing, so a layout
that does not ask for height-for-width shows only the first line of a longer message.
This one asks for the height its text needs at its current width.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget


class WrappingLabel(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self._lines_height = -1

    def minimumSizeHint(self) -> QSize:
        return self._all_lines(super().minimumSizeHint())

    def sizeHint(self) -> QSize:
        return self._all_lines(super().sizeHint())

    def _all_lines(self, hint: QSize) -> QSize:
        if self.width() > 0 and self.text():
            hint.setHeight(max(hint.height(), self.heightForWidth(self.width())))
        return hint

    def setText(self, text: str) -> None:
        super().setText(text)
        self.updateGeometry()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        needed = self.heightForWidth(self.width())
        if needed != self._lines_height:  # a line more or less: layouts must know
            self._lines_height = needed
            self.updateGeometry()
