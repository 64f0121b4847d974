"""The account's history from a hostile server: a date no calendar has and a character
count no plan has. The row's date cell raised OverflowError in the table ("year is out of
range"), and importing the item failed with SQLite's "Python int too large to convert to
SQLite INTEGER" ("Something unexpected went wrong"). Against the cloud test server."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from tests.support.cloud_history import seed
from tests.ui.test_account_history import click, idle, open_account_history

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("date_unix", [2**70, -(10**15), 10**15])
def test_an_impossible_date_and_count_show_and_import(launch, cloud, qtbot: Any,
                                                      date_unix: int) -> None:
    [item] = seed(cloud.server, 1)
    with cloud.server.lock:
        item["date_unix"] = date_unix
        item["character_count_change_to"] = 2**70
    studio = launch(cloud_url=cloud.url)
    dialog = open_account_history(qtbot, studio)
    assert dialog.model.rowCount() == 1
    shown = [dialog.model.data(dialog.model.index(0, column), Qt.ItemDataRole.DisplayRole)
             for column in range(dialog.model.columnCount())]
    assert shown[0] == "", shown  # the date is not known, and says nothing
    assert shown[1] == item["text"]
    table = studio.window.findChild(QTableView, "account_history.list")
    table.selectRow(0)
    qtbot.waitUntil(lambda: idle(dialog), timeout=15_000)
    click(qtbot, dialog.import_button)
    qtbot.waitUntil(lambda: len(studio.ctx.history.list()) == 1, timeout=15_000)
    generation = studio.ctx.history.list()[0]
    assert generation.text == item["text"]
    assert generation.character_cost is None  # not 2**70 credits
