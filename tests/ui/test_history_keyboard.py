"""History from the keyboard alone: Enter plays the chosen entry, Delete asks before it
deletes (the list's accessible description promises Enter), driven through the real
window against the cloud test server on loopback."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QTableView

from tests.ui.test_settings_history_drafts import generate

pytestmark = pytest.mark.e2e


def test_enter_plays_the_chosen_entry_and_delete_asks_first(launch, cloud, qtbot: Any) -> None:
    studio = launch(cloud_url=cloud.url)
    generate(qtbot, studio, "Keyboard only, please.")
    table = studio.find(QTableView, "history.list")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1, timeout=10_000)
    studio.ctx.player.stop()
    played: list[object] = []
    studio.window.history.play_requested.connect(played.append)
    table.setFocus()
    table.selectRow(0)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(played) == 1, timeout=5_000)
    qtbot.keyClick(table, Qt.Key.Key_Enter)
    qtbot.waitUntil(lambda: len(played) == 2, timeout=5_000)

    qtbot.keyClick(table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: studio.window.findChild(QMessageBox, "history.confirm_delete")
                    is not None, timeout=5_000)
    box = studio.window.findChild(QMessageBox, "history.confirm_delete")
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.wait(200)
    assert table.model().rowCount() == 1
