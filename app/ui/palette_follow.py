"""Work colours out again when the desktop changes the application's palette (a live
switch between light and dark).

Qt 6 sends QEvent.ApplicationPaletteChange only to the application and to top-level
windows, not to the widgets inside them; and a widget with a style sheet gets no
PaletteChange either, as its palette is the style sheet's. A child widget that names
colours of its own (in a style sheet, or a pixmap drawn in the palette's colours) so
listens to the application's paletteChanged signal instead, through a small receiver
owned by the widget: when the widget goes, Qt drops the connection with it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QGuiApplication, QPalette


class _Follower(QObject):
    def __init__(self, owner: QObject, update: Callable[[], None]) -> None:
        super().__init__(owner)
        self._update = update

    @Slot(QPalette)
    def changed(self, _palette: QPalette) -> None:
        self._update()


def follow_palette(owner: QObject, update: Callable[[], None]) -> None:
    """Call `update` after each change of the application's palette, while `owner` lives."""
    app = QGuiApplication.instance()
    if isinstance(app, QGuiApplication):
        app.paletteChanged.connect(_Follower(owner, update).changed)
