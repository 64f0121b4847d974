"""The window on today's screens, every tab with History open: 1280x720 (also a
1600x900 laptop at 125%), 1440x900 and 2560x1440. Nothing is cut off, no column scrolls
sideways, and no button is stretched across a wide screen. Screenshots of each tab go to
the test's folder (or $XI_STUDIO_SCREENSHOTS) to be looked at."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QPushButton,
    QToolButton,
    QWidget,
)

from tests.ui import test_palettes
from tests.ui.conftest import emulate_screen
from tests.ui.test_fit_and_keyboard import keep_shot
from tests.ui.test_palettes import (
    dark_palette,
)

themed = test_palettes.themed  # the app's style over Fusion; the palette put back after

pytestmark = pytest.mark.e2e

# (width, height, palette): 1280x720 is also what a 1600x900 screen at 125% gives.
SCREENS = ((1280, 720, "light"), (1440, 900, "light"), (2560, 1440, "dark"))
TABS = ("speech", "transcripts", "music", "scripts")
# px: a button wider reads as a bar, not a button. (A one-line field or a combo box may
# be as wide as its column; a check box's width is not drawn.)
WIDEST_BUTTON = 700


def _shown(window: QWidget, cls: type) -> list:
    return [w for w in window.findChildren(cls) if w.isVisible()
            and w.visibleRegion().boundingRect().width() > 0]


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: f"{s[0]}x{s[1]}-{s[2]}")
def test_every_tab_fits_a_common_screen_with_history_open(
        themed, launch, cloud, qtbot, tmp_path: Path, screen) -> None:
    width, height, look = screen
    if look == "dark":
        themed.setPalette(dark_palette())
    else:
        themed.setPalette(QPalette())
    studio = launch(cloud_url=cloud.url)
    window = studio.window
    window.build_all_tabs()
    emulate_screen(window, width)
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.width() == width and window.height() == height)
    history = studio.find(QWidget, "history.panel")
    problems: list[str] = []
    for name in TABS:
        window.show_tab(name)
        qtbot.wait(50)
        assert history.isVisible(), name
        hint = window.minimumSizeHint()
        if hint.width() > width or hint.height() > height:
            problems.append(f"{name}: the window needs {hint.width()}x{hint.height()}")
        for area in _shown(window, QAbstractScrollArea):
            bar = area.horizontalScrollBar()
            if bar.isVisible() and bar.maximum() > 0 and area.objectName():
                problems.append(f"{name}: {area.objectName()} scrolls sideways "
                                f"({bar.maximum()} px)")
        for button in _shown(window, QPushButton) + _shown(window, QToolButton):
            if button.width() > WIDEST_BUTTON:
                problems.append(f"{name}: button {button.objectName()!r} "
                                f"({button.text()!r}) is {button.width()} px wide")
        keep_shot(window, f"{look}-{width}x{height}-{name}", tmp_path)
    assert not problems, "\n".join(problems)
