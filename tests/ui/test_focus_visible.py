"""Focus is visible on every kind of control the app uses, in light, dark and high
contrast: the focused control, grabbed, has an indicator (pixels that changed from the
unfocused grab) whose colour reaches 3:1 against the window around the control
(WCAG 2.4.7, 1.4.11). Under Fusion lists, tables, the transcript and text boxes showed
no focus at all (their current item's dotted rectangle drew at about 1.3:1)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSlider,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.contrast import GRAPHIC_CONTRAST, contrast
from tests.ui import test_palettes
from tests.ui.test_palettes import (
    as_the_desktop_gives,
    dark_palette,
    high_contrast_palette,
)

themed = test_palettes.themed  # the app's style over Fusion; the palette put back after

pytestmark = pytest.mark.e2e

PALETTES = pytest.mark.parametrize("palette", [QPalette, dark_palette, high_contrast_palette],
                                   ids=["light", "dark", "high-contrast"])


def _list() -> QListWidget:
    view = QListWidget()
    view.addItems(["Rachel", "Adam", "Bella"])
    view.setCurrentRow(1)
    return view


def _table() -> QTableWidget:
    table = QTableWidget(3, 2)  # as the Scripts table and History are
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    for row in range(3):
        for column in range(2):
            table.setItem(row, column, QTableWidgetItem(f"line {row}"))
    table.setCurrentCell(1, 0)
    return table


def _tool() -> QToolButton:
    button = QToolButton()
    button.setText("Next")
    button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    return button


def _slider() -> QSlider:
    slider = QSlider(Qt.Orientation.Horizontal)
    slider.setValue(30)
    return slider


def _combo() -> QComboBox:
    combo = QComboBox()
    combo.addItems(["Rachel", "Adam"])
    return combo


CONTROLS: dict[str, Callable[[], QWidget]] = {
    "push button": lambda: QPushButton("Generate"),
    "tool button": _tool,
    "combo box": _combo,
    "line edit": lambda: QLineEdit("hello"),
    "spin box": QSpinBox,
    "double spin box": QDoubleSpinBox,
    "slider": _slider,
    "check box": lambda: QCheckBox("Speaker boost"),
    "radio button": lambda: QRadioButton("Per word"),
    "list": _list,
    "table": _table,
    "text box": lambda: QPlainTextEdit("Hello there"),
    "rich text box": lambda: QTextBrowser(),
}


CHANGED = 1.5  # a pixel that changed less is a tint (Fusion's focused row: 1.1:1)


def _indicator_pixels(before: QImage, after: QImage, around: QColor) -> int:
    """Pixels that clearly changed on focus and whose new colour reads at 3:1 on
    `around` (a text field's caret is one column: too few to count)."""
    count = 0
    for y in range(after.height()):
        for x in range(after.width()):
            now = after.pixelColor(x, y)
            if contrast(now, before.pixelColor(x, y)) >= CHANGED \
                    and contrast(now, around) >= GRAPHIC_CONTRAST:
                count += 1
    return count


@PALETTES
@pytest.mark.parametrize("kind", list(CONTROLS))
def test_the_focused_control_shows_it_at_3_to_1(themed, qtbot, palette, kind: str) -> None:
    themed.setPalette(as_the_desktop_gives(themed, palette()))
    page = QWidget()
    qtbot.addWidget(page)
    layout = QVBoxLayout(page)
    elsewhere = QPushButton("Elsewhere", page)
    control = CONTROLS[kind]()
    layout.addWidget(elsewhere)
    layout.addWidget(control)
    page.resize(320, 220 if isinstance(control, QAbstractItemView | QPlainTextEdit
                                       | QTextBrowser) else 90)
    page.show()
    page.activateWindow()
    qtbot.waitExposed(page)
    themed.setCursorFlashTime(0)  # a caret that stays put
    try:
        elsewhere.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(elsewhere.hasFocus)
        before = control.grab().toImage()
        qtbot.keyClick(elsewhere, Qt.Key.Key_Tab)  # a keyboard user moves on
        qtbot.waitUntil(control.hasFocus)
        qtbot.wait(20)
        after = control.grab().toImage()
    finally:
        themed.setCursorFlashTime(1000)
    around = themed.palette().color(QPalette.ColorRole.Window)
    # At least one side's worth of outline: an indicator a user can find.
    needed = min(control.width(), control.height())
    shown = _indicator_pixels(before, after, around)
    assert shown >= needed, (kind, shown, needed)
