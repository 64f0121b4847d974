"""From the keyboard alone: Enter on a focused button of the main window presses it, as
Space does (Qt gives Enter to buttons only in dialogs, so tabbing to a button and
pressing Enter did nothing)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton, QToolButton

pytestmark = pytest.mark.e2e


def tab_to(qtbot: Any, window: Any, target: Any) -> None:
    """Walk the focus with Tab until it reaches `target`, as a keyboard user does."""
    for _ in range(300):
        if QApplication.focusWidget() is target:
            return
        qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {target.objectName()}")


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter])
def test_enter_presses_the_focused_button(launch, cloud, qtbot, key) -> None:
    studio = launch(cloud_url=cloud.url)
    window = studio.window
    window.activateWindow()
    window.show_tab("transcripts")
    toggle = studio.find(QToolButton, "transcripts.settings_toggle")
    before = toggle.isChecked()
    tab_to(qtbot, window, toggle)
    qtbot.keyClick(toggle, key)
    qtbot.waitUntil(lambda: toggle.isChecked() is not before, timeout=2_000)

    window.show_tab("music")
    music = window.music_tab
    music.mode.setCurrentIndex(1)  # plan it section by section
    add = studio.find(QPushButton, "music.add_section")
    qtbot.waitUntil(add.isVisible)
    rows = music.editor.model.rowCount()
    add.setFocus()
    qtbot.keyClick(add, key)
    qtbot.waitUntil(lambda: music.editor.model.rowCount() == rows + 1, timeout=2_000)

    # A disabled button is not pressed, and Enter in a text box is still a new line.
    window.show_tab("speech")
    text = studio.window.speech_tab.text
    text.setFocus()
    text.setPlainText("One")
    text.moveCursor(text.textCursor().MoveOperation.End)
    qtbot.keyClick(text, key)
    assert text.toPlainText() == "One\n"
