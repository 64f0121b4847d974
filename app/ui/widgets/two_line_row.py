"""A row of buttons that goes onto two lines on a narrow screen, and a tab's margins on a
short one.

The Scripts tab's file actions and its queue's buttons are each one row of six or more
buttons, wider than a tab has beside History on a small laptop screen (853 logical pixels
wide). Split, each line needs about half; on a wide screen the row stays one line.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QHBoxLayout, QLayout, QVBoxLayout, QWidget

# A tab's margin above and below its fields on a short screen (Qt's usual is 9): the tab
# frame already sets them apart, and the window must fit a 460-pixel-high laptop screen.
SHORT_SCREEN_MARGIN = 4


def set_short_margins(layout: QLayout | None, short: bool) -> None:
    """A tab's layout with less room above and below its fields, or Qt's usual margins."""
    if layout is None:
        return
    side = layout.contentsMargins().left()
    vertical = SHORT_SCREEN_MARGIN if short else side
    layout.setContentsMargins(side, vertical, layout.contentsMargins().right(), vertical)


class TwoLineRow(QVBoxLayout):
    def __init__(self) -> None:
        super().__init__()
        self.setContentsMargins(0, 0, 0, 0)
        self.first = QHBoxLayout()
        self.second = QHBoxLayout()
        self.addLayout(self.first)
        self.addLayout(self.second)
        self._widgets: list[tuple[QWidget, int]] = []  # with their stretch
        self._split_at = 0
        self._trailing_stretch = False
        self.two_lines = False
        self._may_wrap = False  # one line while it fits, else two (`fit_width`)

    def add(self, widget: QWidget, stretch: int = 0) -> None:
        self._widgets.append((widget, stretch))
        self._lay_out()

    def insert(self, index: int, widget: QWidget) -> None:
        self._widgets.insert(index, (widget, 0))
        if index < self._split_at:
            self._split_at += 1
        self._lay_out()

    def widgets(self) -> list[QWidget]:
        return [widget for widget, _stretch in self._widgets]

    def split_before(self) -> None:
        """The widgets added from now on go onto the second line when it is used."""
        self._split_at = len(self._widgets)

    def end_with_stretch(self) -> None:
        self._trailing_stretch = True
        self._lay_out()

    def wrap_when_needed(self, wrap: bool) -> None:
        """One line while the row fits the width its owner gives `fit_width`, two when
        not (a laptop screen at 150% fits a row of natural-width buttons; larger text
        does not). The row asks for no more than its two lines' width."""
        self._may_wrap = wrap
        if not wrap:
            self.set_two_lines(False)
        self.invalidate()

    def fit_width(self, width: int) -> None:
        if self._may_wrap:
            self.set_two_lines(self._width(self._shown(), preferred=True) > width)

    def minimumSize(self) -> QSize:
        size = super().minimumSize()
        if self._may_wrap and not self.two_lines and self._split_at:
            shown = self._shown()
            first = [w for w in shown if self._index(w) < self._split_at]
            second = [w for w in shown if self._index(w) >= self._split_at]
            size.setWidth(max(self._width(first), self._width(second)))
        return size

    def _shown(self) -> list[QWidget]:
        return [widget for widget, _stretch in self._widgets if not widget.isHidden()]

    def _index(self, widget: QWidget) -> int:
        return next(i for i, (w, _s) in enumerate(self._widgets) if w is widget)

    def _width(self, widgets: list[QWidget], preferred: bool = False) -> int:
        spacing = max(0, self.first.spacing())
        # (A width its owner set, least or most, wins over the style's hints.)
        widths = [min(max(w.sizeHint().width() if preferred else w.minimumSizeHint().width(),
                          w.minimumWidth()), w.maximumWidth()) for w in widgets]
        return sum(widths) + spacing * max(0, len(widths) - 1)

    def set_two_lines(self, two: bool) -> None:
        if two != self.two_lines:
            self.two_lines = two
            self._lay_out()

    def _lay_out(self) -> None:
        for row in (self.first, self.second):
            while row.count():
                row.takeAt(0)
        split = self._split_at if self.two_lines and self._split_at else len(self._widgets)
        for index, (widget, stretch) in enumerate(self._widgets):
            line = self.first if index < split else self.second
            line.addWidget(widget, stretch)
        if self._trailing_stretch:
            self.first.addStretch(1)
            if self.two_lines:
                self.second.addStretch(1)
