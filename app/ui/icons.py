"""Icons the UI uses, by role name, drawn from the app's own symbolic SVGs.

The SVGs in icons/symbolic are drawn in one colour (#000000). A QIconEngine paints
them in the palette's current text colour (dimmed when disabled) each time Qt asks, so
icons follow the system's light or dark theme, also when it changes while running.
Rendered pixmaps are cached per name, colour and size.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from app import APP_ID


def icons_dir() -> Path:
    """icons/ beside the package in a checkout, or inside a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "icons"
    return Path(__file__).resolve().parents[2] / "icons"


def app_icon() -> QIcon:
    """The app's icon from its PNG renderings (16-512 px), which cover every size a
    window, task bar or dock asks for. The SVG master is not added: reading it loads
    Qt's SVG icon plugin, ~10 ms before the window can appear (start-up, figure 4)."""
    folder = icons_dir()
    result = QIcon()
    for png in sorted((folder / "hicolor").glob(f"*/apps/{APP_ID}.png")):
        result.addFile(str(png))
    return result


@cache
def _svg_source(name: str) -> bytes | None:
    path = icons_dir() / "symbolic" / f"{name}.svg"
    try:
        return path.read_bytes()
    except OSError:
        return None


@cache
def _rendered(name: str, color: str, width: int, height: int) -> QPixmap:
    source = _svg_source(name) or b""
    renderer = QSvgRenderer(QByteArray(source.replace(b"#000000", color.encode())))
    pixmap = QPixmap(QSize(width, height))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return pixmap


def _color_for(mode: QIcon.Mode) -> str:
    group = (QPalette.ColorGroup.Disabled if mode == QIcon.Mode.Disabled
             else QPalette.ColorGroup.Active)
    return QGuiApplication.palette().color(group, QPalette.ColorRole.ButtonText).name()


class _PaletteIconEngine(QIconEngine):
    def __init__(self, name: str) -> None:
        super().__init__()
        self._name = name

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return _rendered(self._name, _color_for(mode), size.width(), size.height())

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode,
              state: QIcon.State) -> None:
        ratio = painter.device().devicePixelRatioF() if painter.device() else 1.0
        pixmap = _rendered(self._name, _color_for(mode), round(rect.width() * ratio),
                           round(rect.height() * ratio))
        painter.drawPixmap(rect, pixmap)

    def clone(self) -> QIconEngine:
        return _PaletteIconEngine(self._name)


def icon(name: str) -> QIcon:
    """The symbolic icon `name`, in the palette's colours (an empty icon if unknown)."""
    if _svg_source(name) is None:
        return QIcon()
    return QIcon(_PaletteIconEngine(name))
