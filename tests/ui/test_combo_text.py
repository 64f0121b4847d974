"""A combo box Qt sized to its text shows that text whole.

The app draws combo box text itself, to end a text that does not fit with "…"
(app/ui/control_style.py). It kept 2 pixels less room than Qt's own drawing and measured
the text's fractional width against it, so a box at exactly its size hint showed
"Normal spe…" for "Normal speed" (the transcript review bar at 1024x640). Checked here
by pixels: the text drawn at the box's own width is the text drawn with room to spare."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QStyle,
    QStyleOptionComboBox,
    QWidget,
)

from app.ui.control_style import ControlStyle
from app.ui.widgets.combo_tips import is_shortened
from tests.ui.conftest import emulate_screen

pytestmark = pytest.mark.e2e


# Boxes Qt sizes to their longest text (others, such as the voice list, are sized to a
# number of characters and may end a long name with "…" by design).
SIZED_TO_TEXT = (QComboBox.SizeAdjustPolicy.AdjustToContents,
                 QComboBox.SizeAdjustPolicy.AdjustToContentsOnFirstShow)


def _text_pixels(combo: QComboBox, width: int) -> QImage:
    """What is drawn where the box's text starts, `width` pixels wide (the arrow is to
    the right of it at any width)."""
    combo.resize(width, combo.height())
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                         QStyle.SubControl.SC_ComboBoxEditField, combo)
    text_width = combo.fontMetrics().horizontalAdvance(combo.currentText()) + 1
    return combo.grab().toImage().copy(QRect(field.left(), 0, text_width, combo.height()))


def shows_whole_text(combo: QComboBox) -> bool:
    own = combo.width()
    at_its_width = _text_pixels(combo, own)
    with_room = _text_pixels(combo, own + 60)
    combo.resize(own, combo.height())
    return at_its_width == with_room


def test_a_box_at_its_own_size_shows_its_whole_text(launch, cloud, qtbot) -> None:
    studio = launch(cloud_url=cloud.url)
    window = studio.window
    emulate_screen(window, 1024)
    window.resize(1024, 640)
    checked: list[str] = []
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        qtbot.wait(50)
        for combo in QApplication.allWidgets():
            if not isinstance(combo, QComboBox) or not combo.isVisible() \
                    or combo.isEditable() or not combo.currentText() \
                    or combo.window() is not window \
                    or combo.sizeAdjustPolicy() not in SIZED_TO_TEXT \
                    or combo.width() < combo.sizeHint().width():
                continue
            assert isinstance(combo.style(), ControlStyle), combo.objectName()
            assert shows_whole_text(combo), (combo.objectName(), combo.currentText())
            assert not is_shortened(combo), combo.objectName()
            checked.append(combo.objectName())
    assert "transcripts.review_speed" in checked, checked


@pytest.mark.parametrize("texts", [
    ("Normal speed", "0.75× speed", "1.25× speed"),
    ("MP3 · 44.1 kHz · 128 kbps", "PCM · 16 kHz"),
    ("Automatic", "English", "Français", "日本語"),
    ("Scribe v2 (newest, most accurate)", "Eleven Multilingual v2"),
])
def test_every_text_fits_a_box_sized_to_it(launch, cloud, qtbot, texts) -> None:
    studio = launch(cloud_url=cloud.url)
    holder = QWidget(studio.window)
    for text in texts:
        combo = QComboBox(holder)
        combo.addItem(text)
        combo.adjustSize()
        combo.show()
        qtbot.waitExposed(combo)
        assert isinstance(combo.style(), ControlStyle)
        assert combo.width() == combo.sizeHint().width()
        assert shows_whole_text(combo), text
        assert not is_shortened(combo), text
        combo.resize(combo.width() - 20, combo.height())  # now it does not fit
        assert is_shortened(combo), text
        assert not shows_whole_text(combo), text
    holder.deleteLater()
