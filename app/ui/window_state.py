"""The main window's place, size, tab, History dock and dividers, kept across runs in the
settings (`window_state`), as Qt's own base64 state blobs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtWidgets import QSplitter, QWidget

from app.ui.app_context import AppContext
from app.ui.widgets.content_first import content_first_of

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

FIRST_RUN_HISTORY_WIDTH = 260


def _to_text(data: QByteArray) -> str:
    return bytes(data.toBase64().data()).decode()


def _from_text(text: object) -> QByteArray:
    """The saved blob; empty (Qt then keeps its default) for what is not text: a
    damaged settings file's number here stopped the window from opening."""
    return QByteArray.fromBase64(text.encode()) if isinstance(text, str) else QByteArray()


class WindowState:
    def __init__(self, window: MainWindow, ctx: AppContext, tab_names: tuple[str, ...]) -> None:
        self._window = window
        self._ctx = ctx
        self._tab_names = tab_names
        # Tabs built later restore their dividers at once, but only after the first time.
        self.layouts_restored = False

    def _saved(self) -> dict | None:
        state = self._ctx.settings.window_state
        return state if isinstance(state, dict) else None

    def restore_geometry(self) -> None:
        """Size, place and tab: at construction, before the window is shown."""
        state = self._saved()
        if state is None:
            return
        geometry = state.get("geometry")
        if geometry:
            self._window.restoreGeometry(_from_text(geometry))
        if state.get("tab") in self._tab_names:
            self._window.show_tab(state["tab"])

    def restore_layouts(self) -> None:
        """The dock and the dividers, once the window has its real size (restoring them
        earlier would scale them against the default size)."""
        self.layouts_restored = True
        window = self._window
        state = self._saved()
        if state is None or not state.get("window_layout"):
            # First run: History wide enough for its columns; the tabs keep the rest.
            window.resizeDocks([window.history_dock], [FIRST_RUN_HISTORY_WIDTH],
                               Qt.Orientation.Horizontal)
        if state is None:
            return
        window_layout = state.get("window_layout")
        if window_layout:  # the History dock's place and size
            window.restoreState(_from_text(window_layout))
        self.restore_splitters(window)

    def restore_splitters(self, root: QWidget) -> None:
        state = self._saved()
        splitters = state.get("splitters") if state is not None else None
        if isinstance(splitters, dict):
            for splitter in root.findChildren(QSplitter):
                saved = splitters.get(splitter.objectName())
                if saved and splitter.restoreState(_from_text(saved)):
                    sizer = content_first_of(splitter)
                    if sizer is not None:  # the user's divider wins over first sizes
                        sizer.cancel()
        # A saved divider brings its direction too: the screen decides it.
        self._window.narrow_screen.fit()

    def save(self) -> None:
        """Into the settings object (the caller writes the settings file)."""
        window = self._window
        previous = self._saved()
        # Dividers of a tab never built this session keep their saved places.
        # (Only a mapping: dict() of a damaged file's number raised in closeEvent, and the
        # window never closed cleanly.)
        saved = previous.get("splitters") if previous is not None else None
        splitters = dict(saved) if isinstance(saved, dict) else {}
        splitters.update({
            splitter.objectName(): _to_text(splitter.saveState())
            for splitter in window.findChildren(QSplitter) if splitter.objectName()})
        self._ctx.settings.window_state = {
            "geometry": _to_text(window.saveGeometry()),
            "tab": self._tab_names[window.tabs.currentIndex()],
            "window_layout": _to_text(window.saveState()),
            "splitters": splitters,
        }
