"""Voice settings of a block and of a speaker, through the Scripts tab: the dialog (the
Speech tab's sliders) opened from the block panel and from a cast row, undoable, marking
the blocks concerned stale, sent with their next takes and saved in the script file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QPushButton,
    QTableView,
    QToolButton,
    QWidget,
)

from tests.ui.test_scripts_bad_input import SARAH, open_csv, statuses

pytestmark = pytest.mark.e2e


def set_in_dialog(qtbot: Any, tab: Any, values: dict[str, float]) -> None:
    dialog = tab.voice_settings.dialog
    assert dialog is not None and dialog.isVisible()
    own = dialog.findChild(QCheckBox, "scripts.voice_settings_own")
    if not own.isChecked():
        qtbot.mouseClick(own, Qt.MouseButton.LeftButton, pos=QPoint(6, own.height() // 2))
    assert own.isChecked()
    for name, value in values.items():
        box = dialog.findChild(QWidget, f"scripts.settings.{name}").findChild(QDoubleSpinBox)
        box.selectAll()
        qtbot.keyClicks(box, f"{value:.2f}")
        qtbot.keyClick(box, Qt.Key.Key_Return)  # (applies the value; may press OK too)
    if tab.voice_settings.dialog is not None:
        qtbot.mouseClick(dialog.findChild(QPushButton, "scripts.voice_settings_ok"),
                         Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.voice_settings.dialog is None)


def test_block_and_speaker_settings(launch, cloud, qtbot, tmp_path: Path) -> None:
    studio = open_csv(launch, cloud, qtbot, tmp_path, [
        f"ANNA,First line of Anna.,{SARAH}", f"BEN,A line of Ben.,{SARAH}",
        f"ANNA,Second line of Anna.,{SARAH}"])
    tab = studio.window.scripts_tab
    table = studio.find(QTableView, "scripts.blocks")
    generate_all = studio.find(QPushButton, "scripts.generate_all")
    qtbot.mouseClick(generate_all, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: statuses(table) == ["done"] * 3 and not tab.generation.is_running,
                    timeout=30_000)

    # A block's own settings, from its panel.
    tab.select_block(tab.document.script.blocks[0].block_id)
    qtbot.mouseClick(studio.find(QPushButton, "scripts.block_settings"),
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.voice_settings.dialog is not None)
    set_in_dialog(qtbot, tab, {"stability": 0.3})
    script = tab.document.script
    assert script.blocks[0].settings["stability"] == 0.3
    assert statuses(table) == ["stale", "done", "done"]
    studio.find(QToolButton, "scripts.undo").click()
    assert tab.document.script.blocks[0].settings is None
    assert statuses(table) == ["done"] * 3
    studio.find(QToolButton, "scripts.redo").click()
    assert tab.document.script.blocks[0].settings["stability"] == 0.3

    # A speaker's settings, from the cast: every block of theirs without its own.
    qtbot.mouseClick(studio.find(QPushButton, "scripts.cast_settings_anna"),
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.voice_settings.dialog is not None)
    set_in_dialog(qtbot, tab, {"speed": 1.1})
    assert tab.document.script.cast_for("ANNA").settings["speed"] == 1.1
    assert tab.document.script.cast_for("ANNA").voice_id == SARAH
    assert statuses(table) == ["stale", "done", "stale"]

    # The next takes are made with them.
    before = len(cloud.control.requests())
    qtbot.waitUntil(generate_all.isEnabled)
    qtbot.mouseClick(generate_all, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: statuses(table) == ["done"] * 3 and not tab.generation.is_running,
                    timeout=30_000)
    sent = {r["json"]["text"]: r["json"].get("voice_settings")
            for r in cloud.control.requests()[before:]
            if r["path"].startswith("/v1/text-to-speech/")}
    assert set(sent) == {"First line of Anna.", "Second line of Anna."}
    assert sent["First line of Anna."]["stability"] == 0.3
    assert sent["Second line of Anna."]["speed"] == 1.1

    # Saved in the script file.
    tab.flush_draft()
    from app.library.script_store import load_script

    saved = load_script(tab.document.path)
    assert saved.blocks[0].settings["stability"] == 0.3
    assert saved.cast_for("ANNA").settings["speed"] == 1.1


def test_cancel_changes_nothing_and_unticking_drops_own_settings(launch, cloud, qtbot,
                                                                 tmp_path: Path) -> None:
    studio = open_csv(launch, cloud, qtbot, tmp_path, [f"ANNA,Only line.,{SARAH}"])
    tab = studio.window.scripts_tab
    button = studio.find(QPushButton, "scripts.block_settings")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.voice_settings.dialog is not None)
    dialog = tab.voice_settings.dialog
    dialog.findChild(QPushButton, "scripts.voice_settings_cancel").click()
    qtbot.waitUntil(lambda: tab.voice_settings.dialog is None)
    assert not tab.document.undo_stack.canUndo()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.voice_settings.dialog is not None)
    set_in_dialog(qtbot, tab, {"style": 0.4})
    assert tab.document.script.blocks[0].settings["style"] == 0.4
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.voice_settings.dialog is not None)
    dialog = tab.voice_settings.dialog
    own = dialog.findChild(QCheckBox, "scripts.voice_settings_own")
    assert own.isChecked()
    own.setChecked(False)
    dialog.findChild(QPushButton, "scripts.voice_settings_ok").click()
    qtbot.waitUntil(lambda: tab.voice_settings.dialog is None)
    assert tab.document.script.blocks[0].settings is None
