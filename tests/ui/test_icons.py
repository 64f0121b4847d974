"""The app's icons: every symbolic icon the UI names exists, and they follow the palette
(a dark theme gets light icons) even when the theme changes while the app runs."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from app import APP_ID
from app.ui.icons import app_icon, icon, icons_dir

ROOT = Path(__file__).resolve().parents[2]


def test_every_icon_the_ui_asks_for_exists(qapp: QApplication) -> None:
    names = set()
    for source in (ROOT / "app" / "ui").rglob("*.py"):
        names |= set(re.findall(r"\bicon\(\"([a-z_]+)\"\)", source.read_text()))
    assert names, "no icon() calls found"
    missing = sorted(n for n in names if icon(n).isNull())
    assert not missing, f"no symbolic SVG for {missing}"


def test_icons_follow_the_palette(qapp: QApplication) -> None:
    play = icon("play")
    original = qapp.palette()
    try:
        for colour in ("#111111", "#eeeeee"):
            palette = QPalette(original)
            palette.setColor(QPalette.ColorRole.ButtonText, QColor(colour))
            qapp.setPalette(palette)
            image = play.pixmap(32, 32).toImage()
            assert image.pixelColor(12, 16).name() == colour
    finally:
        qapp.setPalette(original)


def test_app_icon_in_every_size(qapp: QApplication) -> None:
    sizes = {p.parent.parent.name for p in (icons_dir() / "hicolor").glob(f"*/apps/{APP_ID}.png")}
    assert {"16x16", "32x32", "48x48", "128x128", "256x256", "512x512"} <= sizes
    assert (icons_dir() / f"{APP_ID}.ico").stat().st_size > 0
    assert (icons_dir() / f"{APP_ID}.icns").stat().st_size > 0
    assert not app_icon().isNull()
