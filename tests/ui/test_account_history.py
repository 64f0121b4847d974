"""The account's ElevenLabs history through the window, against the cloud test server:
120 items page, filters, play, download, import into the local History with settings,
delete asks first, and errors leave the local History untouched."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton, QTableView

from app.ui.history.account_history_dialog import AccountHistoryDialog
from tests.support.alsa_sink import read_played
from tests.support.cloud_history import seed
from tests.ui.conftest import save_screenshot

pytestmark = pytest.mark.e2e

GEORGE = "JBFqnCBsd6RMkjVDRZzb"


def click(qtbot: Any, button: QPushButton) -> None:
    assert button.isEnabled(), f"{button.objectName()} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def idle(dialog: AccountHistoryDialog) -> bool:
    return not dialog._busy and not dialog._runner.is_running("account_history")


def open_account_history(qtbot: Any, studio: Any) -> AccountHistoryDialog:
    click(qtbot, studio.find(QPushButton, "history.account"))
    dialog = studio.window.findChild(AccountHistoryDialog, "account_history")
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0 or "Nothing" in dialog.message.text()
                    or bool(dialog.message.property("problem")), timeout=15_000)
    qtbot.waitUntil(lambda: idle(dialog), timeout=15_000)
    return dialog


def test_browse_play_download_import_delete(launch, cloud, qtbot, tmp_path: Path,
                                            alsa_played_file: Path) -> None:
    made = seed(cloud.server, 120)
    studio = launch(cloud_url=cloud.url)
    dialog = open_account_history(qtbot, studio)
    assert dialog.model.rowCount() == 50
    for expected in (100, 120):
        click(qtbot, dialog.more)
        qtbot.waitUntil(lambda n=expected: dialog.model.rowCount() == n and idle(dialog),
                        timeout=15_000)
    assert not dialog.more.isEnabled()
    ids = [i.history_item_id for i in dialog.model.items]
    assert ids == [m["history_item_id"] for m in reversed(made)]
    dialog.resize(1024, 640)
    save_screenshot(dialog, "account-history", tmp_path)

    # Filter by voice on the server.
    dialog.voice.setCurrentIndex(dialog.voice.findData(GEORGE))
    qtbot.waitUntil(lambda: idle(dialog) and dialog.model.rowCount() == 50
                    and {i.voice_id for i in dialog.model.items} == {GEORGE}, timeout=15_000)
    dialog.voice.setCurrentIndex(0)
    qtbot.waitUntil(lambda: idle(dialog) and dialog.model.rowCount() == 50, timeout=15_000)

    table = studio.window.findChild(QTableView, "account_history.list")
    table.selectRow(0)
    click(qtbot, dialog.play)
    qtbot.waitUntil(lambda: np.abs(read_played(alsa_played_file)).max(initial=0) > 0.05,
                    timeout=15_000)

    # Import the newest item: its audio and settings land in the local History.
    qtbot.waitUntil(lambda: idle(dialog), timeout=15_000)
    click(qtbot, dialog.import_button)
    local = studio.find(QTableView, "history.list")
    qtbot.waitUntil(lambda: local.model().rowCount() == 1, timeout=15_000)
    generation = studio.ctx.history.list()[0]
    assert generation.text == made[-1]["text"]
    assert json.loads(generation.settings_json)["voice_settings"]["stability"] == 0.4
    assert generation.file_path is not None and generation.file_path.stat().st_size > 0
    assert generation.duration_ms > 300

    # Download two as a zip.
    table.selectRow(1)
    table.selectionModel().select(dialog.model.index(2, 0), table.selectionModel().
                                  SelectionFlag.Select | table.selectionModel().
                                  SelectionFlag.Rows)
    assert len(dialog.chosen()) == 2
    target = tmp_path / "two.zip"
    dialog.download_to(dialog.chosen(), str(target))
    qtbot.waitUntil(target.exists, timeout=15_000)
    assert len(zipfile.ZipFile(target).namelist()) == 2

    # Delete asks first; Cancel keeps it, Delete removes it on the server only.
    qtbot.waitUntil(lambda: idle(dialog), timeout=15_000)
    table.selectRow(0)
    click(qtbot, dialog.delete)
    box = dialog.findChild(QMessageBox, "account_history.confirm_delete")
    assert box is not None and box.isVisible()
    click(qtbot, box.button(QMessageBox.StandardButton.Cancel))
    assert len(cloud.server._stt_music_state()["history"]) == 120
    click(qtbot, dialog.delete)
    box = dialog.findChild(QMessageBox, "account_history.confirm_delete")
    click(qtbot, box.findChild(QPushButton, "account_history.confirm_delete.yes"))
    qtbot.waitUntil(lambda: len(cloud.server._stt_music_state()["history"]) == 119
                    and idle(dialog), timeout=15_000)
    assert made[-1]["history_item_id"] not in [i.history_item_id for i in dialog.model.items]
    assert local.model().rowCount() == 1  # the local copy stays


def test_errors_leave_local_history_untouched(launch, cloud, qtbot) -> None:
    seed(cloud.server, 3)
    studio = launch(cloud_url=cloud.url)
    dialog = open_account_history(qtbot, studio)
    table = studio.window.findChild(QTableView, "account_history.list")
    table.selectRow(0)
    for fault in ("500", "truncated_body", "404"):
        cloud.control.add_faults({"path_regex": "^/v1/history/[^/]+/audio$", "fault": fault,
                                  "count": 10})
        table.selectRow(0)
        click(qtbot, dialog.import_button)
        qtbot.waitUntil(lambda: idle(dialog) and bool(dialog.message.property("problem")),
                        timeout=60_000)
        audio_calls = [r for r in cloud.control.requests() if r["path"].endswith("/audio")]
        assert audio_calls, "the import never asked for the audio"
        assert studio.ctx.history.list() == []
        assert not list(studio.ctx.history.audio_dir.iterdir())
        cloud.control.reset()  # faults and history gone: make it again, and look again
        seed(cloud.server, 3)
        dialog.reload()
        qtbot.waitUntil(lambda: idle(dialog) and dialog.model.rowCount() == 3,
                        timeout=15_000)
