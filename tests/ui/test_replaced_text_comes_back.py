"""Text the user typed in the Speech tab is never lost to a file or a History entry
opened over it: it is replaced as one step Ctrl+Z takes back, and the tab says so.

(`setPlainText` emptied the box's undo history, and the draft saved a moment later
held the new text: a typed script was gone for good.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton, QTableView

from tests.ui.test_settings_history_drafts import generate

pytestmark = pytest.mark.e2e

TYPED = "My own script, typed by hand and never saved anywhere else."


def type_into(qtbot: Any, box: QPlainTextEdit, words: str) -> None:
    box.setFocus()
    box.selectAll()
    qtbot.keyClick(box, Qt.Key.Key_Delete)
    qtbot.keyClicks(box, words)
    assert box.toPlainText() == words


def undo_in(qtbot: Any, box: QPlainTextEdit) -> None:
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


def test_a_text_file_opened_over_typed_text_is_one_ctrl_z_away(launch, engine_url: str,
                                                                qtbot: Any,
                                                                tmp_path: Path) -> None:
    studio = launch(engine_url=engine_url)
    window = studio.window
    box = studio.find(QPlainTextEdit, "speech.text")
    type_into(qtbot, box, TYPED)
    opened = tmp_path / "chapter.txt"
    opened.write_text("Words from a file.")
    window.open_paths([opened])
    qtbot.waitUntil(lambda: box.toPlainText() == "Words from a file.")
    message = window.statusBar().currentMessage()
    assert "chapter.txt" in message and "Ctrl+Z" in message, message
    undo_in(qtbot, box)
    assert box.toPlainText() == TYPED
    qtbot.keyClick(box, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert box.toPlainText() == "Words from a file."

    # Into an empty box there is nothing to bring back, and nothing is said of it.
    box.clear()
    window.statusBar().clearMessage()
    window.open_paths([opened])
    qtbot.waitUntil(lambda: box.toPlainText() == "Words from a file.")
    assert "Ctrl+Z" not in window.statusBar().currentMessage()


def test_a_history_entry_reopened_over_typed_text_is_one_ctrl_z_away(launch, cloud,
                                                                      qtbot: Any) -> None:
    studio = launch(cloud_url=cloud.url)
    tab = studio.window.speech_tab
    qtbot.waitUntil(lambda: tab.catalog_ready, timeout=10_000)
    generate(qtbot, studio, "Made earlier.")
    box = studio.find(QPlainTextEdit, "speech.text")
    type_into(qtbot, box, TYPED)
    table = studio.find(QTableView, "history.list")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1, timeout=10_000)
    table.selectRow(0)
    qtbot.mouseClick(studio.find(QPushButton, "history.reopen"), Qt.MouseButton.LeftButton)
    assert box.toPlainText() == "Made earlier."
    assert "Ctrl+Z" in studio.find(QLabel, "speech.status").text()
    undo_in(qtbot, box)
    assert box.toPlainText() == TYPED
