"""On a narrow screen the tabs stack their two columns instead of setting them side by
side, so the window (with History open) is never wider than the screen.

A 1366x768 laptop at 150% scaling gives 910x512 logical pixels: with History beside a tab
whose columns sat side by side the window needed about 1,005, and History or the tab's
right edge was off the screen. Where the screen's free area (QScreen.availableGeometry)
is narrower than the side-by-side window, each tab's columns are stacked, the first above
the second (the divider between them still moves). History keeps its place, and View →
History still shows or hides it: stacking is decided with History counted as open, so
showing it never runs the window off the screen, and hiding it never reshuffles the tab.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QWindow
from PySide6.QtWidgets import QSplitter, QWidget

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

# The dividers between a tab's two columns (the others already run top to bottom).
# (The Scripts block's two columns are stacked in their own up-and-down scroll area.)
STACKABLE = ("speech.splitter", "transcripts.splitter", "music.splitter",
             "scripts.splitter_block")


class NarrowScreen(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.stacked = False
        window.installEventFilter(self)
        self._screen: QWindow | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Show:
            self._follow_screen()
            self.fit()
        return super().eventFilter(watched, event)

    def _follow_screen(self) -> None:
        handle = self._window.windowHandle()
        if handle is not None and self._screen is None:
            self._screen = handle
            handle.screenChanged.connect(lambda _screen: self.fit())

    def splitters(self) -> list[QSplitter]:
        return [s for s in self._window.findChildren(QSplitter) if s.objectName() in STACKABLE]

    def side_by_side_width(self) -> int:
        """The window's minimum width with every tab's columns side by side and History
        open."""
        self._orient(Qt.Orientation.Horizontal)
        return self._minimum_width()

    def _minimum_width(self) -> int:
        window = self._window
        central = cast(QWidget, window.centralWidget())
        layout = central.layout()
        if layout is not None:
            layout.activate()
        width = central.minimumSizeHint().width()
        dock = window.history_dock
        if not dock.isFloating():
            separator = window.style().pixelMetric(
                window.style().PixelMetric.PM_DockWidgetSeparatorExtent, None, window)
            width += dock.minimumSizeHint().width() + separator
        return width

    def fit(self) -> None:
        """Stack the columns if the screen is too narrow for them side by side (called when
        the window shows, a tab is built and the window moves to another screen)."""
        screen = self._window.screen()
        if screen is None:
            return
        room = screen.availableGeometry().width()
        self.stacked = self.side_by_side_width() > room
        if self.stacked:
            self._orient(Qt.Orientation.Vertical)

    def _orient(self, orientation: Qt.Orientation) -> None:
        for splitter in self.splitters():
            if splitter.orientation() != orientation:
                splitter.setOrientation(orientation)
                _relayout(splitter)
        narrow = orientation == Qt.Orientation.Vertical
        for tab in self._window.tab_builder.built_tabs():
            set_narrow = getattr(tab, "set_narrow", None)  # tabs with rows that wrap
            if set_narrow is not None:
                set_narrow(narrow)
                _relayout(cast(QWidget, tab))


def _relayout(widget: QWidget) -> None:  # (itself included)
    """Lay out again every widget up from `widget`, also in a tab not shown (Qt leaves the
    layout of a hidden widget as it was, and its old minimum width held the window)."""
    parent: QWidget | None = widget
    while parent is not None:
        layout = parent.layout()
        if layout is not None:
            layout.invalidate()
            layout.activate()
        parent = parent.parentWidget()
