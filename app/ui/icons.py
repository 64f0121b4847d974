"""Icons the UI uses, by role name, drawn from the app's own symbolic SVGs.

The SVGs in icons/symbolic are drawn in one colour (#000000); here that colour is
replaced with the palette's text colour (and a dimmed one for disabled buttons), so
icons stay readable in light and dark themes. Rendered pixmaps are cached per colour.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from app import APP_ID

_SIZES = (16, 20, 24, 32, 48)


def icons_dir() -> Path:
    """icons/ beside the package in a checkout, or inside a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "icons"
    return Path(__file__).resolve().parents[2] / "icons"


def app_icon() -> QIcon:
    folder = icons_dir()
    result = QIcon(str(folder / f"{APP_ID}.svg"))
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


def _render(source: bytes, color: str, size: int, ratio: float) -> QPixmap:
    renderer = QSvgRenderer(QByteArray(source.replace(b"#000000", color.encode())))
    pixmap = QPixmap(QSize(round(size * ratio), round(size * ratio)))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return pixmap


@cache
def _icon_for(name: str, normal: str, disabled: str, ratio: float) -> QIcon:
    source = _svg_source(name)
    if source is None:
        return QIcon()
    result = QIcon()
    for size in _SIZES:
        result.addPixmap(_render(source, normal, size, ratio), QIcon.Mode.Normal)
        result.addPixmap(_render(source, disabled, size, ratio), QIcon.Mode.Disabled)
    return result


def icon(name: str) -> QIcon:
    """The symbolic icon `name` in the current palette's colours (empty if unknown)."""
    app = QGuiApplication.instance()
    palette = QGuiApplication.palette() if app is not None else QPalette()
    normal = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.ButtonText).name()
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText).name()
    ratio = QGuiApplication.primaryScreen().devicePixelRatio() \
        if app is not None and QGuiApplication.primaryScreen() is not None else 1.0
    return _icon_for(name, normal, disabled, ratio)
