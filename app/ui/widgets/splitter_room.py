"""Give one side of a splitter the width its page needs, from the other side's spare.

The Music plan sits in a scroll area beside the song's column: on a laptop with History
open the splitter's proportions left the plan narrower than its rows, and it scrolled
sideways. The scroll area itself stays free to shrink (the window must still fit a small
screen); whenever the splitter or the page is laid out again, the side column gives up
what it has above its own minimum until the page fits.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QScrollArea, QSplitter

# The margins and frames between the splitter's pane and the scroll area in it.
FRAME_ALLOWANCE = 16


class SplitterRoom(QObject):
    def __init__(self, splitter: QSplitter, area: QScrollArea) -> None:
        super().__init__(splitter)
        self._splitter = splitter
        self._area = area
        # Once the splitter has placed its panes (an event filter sees a resize before).
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        splitter.installEventFilter(self)
        page = area.widget()
        if page is not None:
            page.installEventFilter(self)  # its rows grow as chips wrap

    def needed(self) -> int:
        """The width the area's page needs, with room for its vertical scroll bar."""
        page = self._area.widget()
        if page is None:
            return 0
        bar = self._area.verticalScrollBar().sizeHint().width()
        return page.minimumSizeHint().width() + bar + 2 * self._area.frameWidth()

    @property
    def splitter(self) -> QSplitter:
        return self._splitter

    def side_by_side_width(self) -> int:
        """The splitter's width with the page's need met beside the other pane's minimum
        (a narrow screen stacks the panes when the window would not fit)."""
        splitter = self._splitter
        panes = [splitter.widget(i) for i in range(splitter.count())]
        others = sum(p.minimumWidth() or p.minimumSizeHint().width()
                     for p in panes if p is not None and not p.isAncestorOf(self._area))
        handles = splitter.handleWidth() * max(0, len(panes) - 1)
        return others + handles + self.needed() + FRAME_ALLOWANCE

    def fit(self) -> None:
        splitter = self._splitter
        if splitter.orientation() != Qt.Orientation.Horizontal:
            return  # stacked: the page has the splitter's whole width
        panes = [splitter.widget(i) for i in range(splitter.count())]
        if len(panes) != 2 or None in panes:
            return
        index = 0 if panes[0] is not None and panes[0].isAncestorOf(self._area) else 1
        other = panes[1 - index]
        assert other is not None
        # How much narrower the area is than its page needs, and what the other pane
        # has above its own minimum (as the splitter counts it).
        short = self.needed() - self._area.width()
        floor = other.minimumWidth() or other.minimumSizeHint().width()
        sizes = splitter.sizes()
        move = min(short, sizes[1 - index] - floor)
        if move > 0:
            sizes[index] += move
            sizes[1 - index] -= move
            splitter.setSizes(sizes)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest) \
                and (watched is self._splitter or watched is self._area.widget()):
            self._timer.start()
        return False
