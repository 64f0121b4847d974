"""A word-wrapped status label for text that changes many times a second.

QLabel.setText always calls updateGeometry(), and a layout that recomputes calls it on
its own widget in turn, so every new count in a status line ("Making takes: 212 of 500
done") re-lays out every layout up to the main window, whose relayout repaints the whole
tab: about 16 ms on two cores, once per take while a queue runs (benchmark figure 10b).
When the new text needs as many lines as the one shown, this label only repaints itself
with it; when it needs more or fewer lines, or the label is resized, it sets the text
the ordinary way, so layouts hear of the new height.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QStyle, QWidget

_FAR = 1_000_000  # a height no status text reaches: measure without clipping


class LiveStatusLabel(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._shown: str | None = None  # painted instead of QLabel's own text (same lines)

    def text(self) -> str:
        return super().text() if self._shown is None else self._shown

    def setText(self, text: str) -> None:
        if text == self.text():
            return
        if self._needs_same_lines(text):
            self._shown = text
            # Assistive technology reads a label's own text, which stays as it was.
            self.setAccessibleName(text)
            self.update()
            return
        self._commit(text)

    def sizeHint(self) -> QSize:
        """As wide as its longest line: QLabel's guess for wrapped text is narrower, and
        beside the Scripts tab's estimate a one-line status took two lines."""
        hint = super().sizeHint()
        words = super().text()
        if words:
            inset = (2 * (self.margin() + max(0, self.indent()))
                     + self.contentsMargins().left() + self.contentsMargins().right())
            widest = max(self.fontMetrics().horizontalAdvance(line)
                         for line in words.splitlines() or [words])
            hint.setWidth(max(hint.width(), widest + inset + 1))
        return hint

    def _commit(self, text: str) -> None:
        self._shown = None
        if self.accessibleName():
            self.setAccessibleName("")  # the label's own text is its name again
        super().setText(text)

    def _text_rect(self) -> QRect:
        """Where QLabel draws its text: the contents less the margin and indent."""
        rect = self.contentsRect()
        inset = self.margin() + max(0, self.indent())
        return rect.adjusted(inset, self.margin(), -inset, -self.margin())

    def _flags(self) -> int:
        align = QStyle.visualAlignment(self.layoutDirection(), self.alignment())
        return align.value | Qt.TextFlag.TextWordWrap.value

    def _lines_height(self, text: str, width: int) -> int:
        box = QRect(0, 0, width, _FAR)
        return self.fontMetrics().boundingRect(box, self._flags(), text).height()

    def _needs_same_lines(self, text: str) -> bool:
        width = self._text_rect().width()
        if not (self.isVisible() and width > 0 and text and self.text()):
            return False
        return self._lines_height(text, width) == self._lines_height(self.text(), width)

    def resizeEvent(self, event: QResizeEvent) -> None:
        if self._shown is not None:  # at another width it may need another height
            self._commit(self._shown)
        super().resizeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._shown is None:
            super().paintEvent(event)
            return
        painter = QPainter(self)
        self.style().drawItemText(painter, self._text_rect(), self._flags(), self.palette(),
                                  self.isEnabled(), self._shown, self.foregroundRole())
