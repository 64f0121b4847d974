"""Render the app icon's SVG master into every raster size and container the platforms want.

    python packaging/make_icons.py

Writes icons/hicolor/<N>x<N>/apps/<APP_ID>.png (16-512), icons/<APP_ID>.ico and
icons/<APP_ID>.icns. Qt's own SVG renderer and image writers do the work, so no extra
tool is needed; run it again after editing the master and commit the results.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

from app import APP_ID  # noqa: E402

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 256)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    app = QGuiApplication(sys.argv[:1])  # noqa: F841 (image plugins need an application)
    icons = ROOT / "icons"
    renderer = QSvgRenderer(str(icons / f"{APP_ID}.svg"))
    if not renderer.isValid():
        print("the SVG master could not be read", file=sys.stderr)
        return 1
    for size in SIZES:
        target = icons / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not render(renderer, size).save(str(target), "PNG"):
            print(f"could not write {target}", file=sys.stderr)
            return 1
    # One image per container is what Qt's writers take; use the largest each format keeps.
    if not render(renderer, 256).save(str(icons / f"{APP_ID}.ico"), "ICO"):
        return 1
    if not render(renderer, 512).save(str(icons / f"{APP_ID}.icns"), "ICNS"):
        return 1
    scalable = icons / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    scalable.write_bytes((icons / f"{APP_ID}.svg").read_bytes())
    print(f"icons written under {icons}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
