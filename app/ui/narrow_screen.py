"""On a narrow screen a tab stacks its two columns instead of setting them side by side,
so the window (with History open) is never wider than the screen.

A 1280x800 laptop at 150% scaling gives 853x533 logical pixels: with History beside a tab
whose columns sat side by side the window needed about 1,005, and History or the tab's
right edge was off the screen. Each tab whose columns, side by side and beside History,
would make the window wider than the screen's free area (QScreen.availableGeometry)
puts them one above the other (the divider between them still moves; the Scripts tab
also puts its rows of buttons on two lines). A tab that fits keeps its columns side by
side. History keeps its place, and View → History still shows or hides it: the decision
counts History as open, so showing it never runs the window off the screen, and hiding
it never reshuffles a tab.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication, QWindow
from PySide6.QtWidgets import QAbstractScrollArea, QSplitter, QStyle, QWidget

from app.ui.widgets.content_first import ContentFirst, content_first_of
from app.ui.widgets.splitter_room import SplitterRoom

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

# The dividers between a tab's two columns (the others already run top to bottom). The
# Scripts block's two columns stack inside their own up-and-down scroll area.
STACKABLE = ("speech.splitter", "transcripts.splitter", "music.splitter",
             "scripts.splitter_block")
# Stacked, which pane holds what the user works on (the text, the transcript, the plan):
# it gets CONTENT_SHARE of the height, the settings or the queue the rest (a drag or the
# saved divider changes that). An even split left a 853x460 laptop's plan table no row
# and its transcript two lines, under settings the user sets once.
CONTENT_PANE = {"speech.splitter": 0, "transcripts.splitter": 1, "music.splitter": 0}
CONTENT_SHARE = 0.9


class NarrowScreen(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.stacked_tabs: set[str] = set()  # object names of the tabs stacked now
        self._followed: QWindow | None = None
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Show:
            self._follow_screen()
            self.fit()
        return super().eventFilter(watched, event)

    def _follow_screen(self) -> None:
        handle = self._window.windowHandle()
        if handle is not None and self._followed is None:
            self._followed = handle
            handle.screenChanged.connect(lambda _screen: self.fit())

    def room(self) -> int | None:
        """The width the window may take: its screen's, less the task bar and docks.
        Drawn offscreen (`--screenshot`, CI) there is no real screen, only Qt's stand-in
        800x800: the window's own size, set by whoever draws it, is the room there."""
        screen = self._window.screen()
        if screen is None:
            return None
        width = screen.availableGeometry().width()
        if QGuiApplication.platformName() == "offscreen":
            width = max(width, self._window.width())
        return width

    def fit(self) -> None:
        """Stack the columns of each tab too wide for the screen beside History (called
        when the window shows, a tab is built or its dividers restored, and when the
        window moves to another screen)."""
        room = self.room()
        if room is None:
            return
        tabs = _pages(self._window)
        # Measuring lays every tab out side by side: dividers that end as they were keep
        # their places (a flip there and back would move them).
        before = {s: (s.orientation(), s.sizes()) for tab in tabs for s in _splitters(tab)}
        for tab in tabs:
            _set_stacked(tab, False)
        around = self._around_tab()
        self.stacked_tabs = set()
        for tab in tabs:
            if _side_by_side_width(tab) + around > room and _set_stacked(tab, True):
                self.stacked_tabs.add(tab.objectName())
        for splitter, (orientation, sizes) in before.items():
            if splitter.orientation() == orientation:
                if any(sizes):  # (a divider just restored in a new tab has none yet)
                    splitter.setSizes(sizes)
            elif splitter.orientation() == Qt.Orientation.Vertical:
                content_first(splitter)

    def _around_tab(self) -> int:
        """What the window needs beside a tab's own width: the tab widget's frame, the
        margins, and History open (with the divider before it)."""
        window = self._window
        central = cast(QWidget, window.centralWidget())
        layout = central.layout()
        if layout is not None:
            layout.activate()
        pages = max((tab.minimumSizeHint().width() for tab in _pages(window)), default=0)
        width = central.minimumSizeHint().width() - pages
        dock = window.history_dock
        if not dock.isFloating():
            separator = window.style().pixelMetric(
                QStyle.PixelMetric.PM_DockWidgetSeparatorExtent, None, window)
            width += dock.minimumSizeHint().width() + separator
        return width


def _pages(window: MainWindow) -> list[QWidget]:
    pages = (window.tabs.widget(i) for i in range(window.tabs.count()))
    return [page for page in pages if page is not None]


def _side_by_side_width(tab: QWidget) -> int:
    """The tab's width with its columns side by side, counting what a scroll area's page
    in one of them needs (the Music plan takes room from the song's column)."""
    width = tab.minimumSizeHint().width()
    for room in tab.findChildren(SplitterRoom):
        splitter = room.splitter
        width = max(width, width - splitter.minimumSizeHint().width()
                    + room.side_by_side_width())
    return width


def content_first(splitter: QSplitter) -> None:
    """Give the content pane of a stacked splitter its share of the height."""
    content = CONTENT_PANE.get(splitter.objectName())
    if content is None or splitter.count() != 2:
        return
    other = splitter.widget(1 - content)
    if isinstance(other, QAbstractScrollArea):
        # Its heading and a line show, and it scrolls: a scroll area's own minimum
        # (70-odd px) took a short screen's plan table's last rows.
        other.setMinimumHeight(2 * other.fontMetrics().lineSpacing()
                               + 2 * other.frameWidth())
    sizer = content_first_of(splitter) or ContentFirst(splitter, content, CONTENT_SHARE)
    sizer.apply()


def _splitters(tab: QWidget) -> list[QSplitter]:
    return [s for s in tab.findChildren(QSplitter) if s.objectName() in STACKABLE]


def _set_stacked(tab: QWidget, stacked: bool) -> bool:
    """Put the tab's columns one above the other (or side by side); False if it has none
    to stack."""
    splitters = _splitters(tab)
    orientation = Qt.Orientation.Vertical if stacked else Qt.Orientation.Horizontal
    for splitter in splitters:
        splitter.setOrientation(orientation)
    set_narrow = getattr(tab, "set_narrow", None)  # tabs with rows of buttons that wrap
    if set_narrow is not None:
        set_narrow(stacked)
    for splitter in splitters:
        relayout_up(splitter)
    relayout_up(tab)
    return bool(splitters) or set_narrow is not None


def relayout_up(widget: QWidget) -> None:
    """Lay out again every widget from `widget` up, also in a tab not shown (Qt leaves
    the layout of a hidden widget as it was, and its old minimum width held the
    window)."""
    parent: QWidget | None = widget
    while parent is not None:
        parent.updateGeometry()  # its parent's layout forgets the size it kept for it
        layout = parent.layout()
        if layout is not None:
            layout.invalidate()
            layout.activate()
        parent = parent.parentWidget()
