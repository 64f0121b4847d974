"""A splitter's first sizes that favour the pane the user works in (the plan, the
transcript, the blocks, the text), given once the splitter has its real size.

QSplitter.setSizes weighs the sizes against the splitter's length: called on a splitter
not laid out yet (a tab built before it is shown) the weights were lost, and the panes
shared the height by their stretch factors, the settings or the cast as tall as the
content. A divider the user moves, or one restored from the last run, wins: `cancel`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QSplitter


class ContentFirst(QObject):
    """`share` of the splitter to the `content` pane (if `only_if()`, when given, says
    so when the splitter gets its size)."""

    def __init__(self, splitter: QSplitter, content: int, share: float,
                 only_if: Callable[[], bool] | None = None) -> None:
        super().__init__(splitter)
        self._splitter = splitter
        self._content = content
        self._share = share
        self._only_if = only_if
        self._pending = False
        splitter.installEventFilter(self)
        splitter.splitterMoved.connect(lambda _pos, _index: self.cancel())

    def _length(self) -> int:
        splitter = self._splitter
        return splitter.height() if splitter.orientation() == Qt.Orientation.Vertical \
            else splitter.width()

    def apply(self) -> None:
        """Now if the splitter has its size, else at its first real resize."""
        self._pending = True
        if self._splitter.isVisible() and self._length() > 0:
            self._set()

    def cancel(self) -> None:
        self._pending = False

    def _set(self) -> None:
        self._pending = False
        splitter = self._splitter
        if splitter.count() != 2:
            return
        if self._only_if is not None and not self._only_if():
            return
        sizes = [round(1000 * (1 - self._share))] * 2
        sizes[self._content] = round(1000 * self._share)
        splitter.setSizes(sizes)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._pending and watched is self._splitter and event.type() in (
                QEvent.Type.Resize, QEvent.Type.Show) and self._splitter.isVisible() \
                and self._length() > 0:
            self._set()
        return False


def content_first_of(splitter: QSplitter) -> ContentFirst | None:
    return splitter.findChild(ContentFirst, options=Qt.FindChildOption.FindDirectChildrenOnly)
