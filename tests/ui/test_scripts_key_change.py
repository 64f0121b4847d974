"""A new API key saved in Settings stops the Scripts queue (its requests belong to the
old account), keeps what was made, says so, and the next "Generate all missing" uses the
new key."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QTableView

from tests.support.cloud_server import PRO_KEY
from tests.ui.test_scripts_bad_input import SARAH, open_csv, statuses

pytestmark = pytest.mark.e2e
TTS = r"^/v1/text-to-speech/"


def test_a_new_key_stops_the_queue_and_the_next_run_uses_it(
        launch, cloud, qtbot, tmp_path: Path, memory_keyring, monkeypatch) -> None:
    lines = [f"ANNA,Line {n} of the script.,{SARAH}" for n in range(1, 5)]
    studio = open_csv(launch, cloud, qtbot, tmp_path, lines)
    tab = studio.window.scripts_tab
    table = studio.find(QTableView, "scripts.blocks")
    # The server holds the requests: the queue is busy when the key changes.
    cloud.control.add_faults({"path_regex": TTS, "fault": "stall_before_headers",
                              "seconds": 30, "count": 4})
    generate_all = studio.find(QPushButton, "scripts.generate_all")
    qtbot.mouseClick(generate_all, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(r["path"].startswith("/v1/text-to-speech/")
                                for r in cloud.control.requests()), timeout=10_000)
    assert tab.generation.is_running

    # The user saves another key in Settings (the environment's key no longer applies).
    monkeypatch.delenv("ELEVENLABS_API_KEY")
    dialog = studio.window.open_settings()
    qtbot.keyClicks(dialog.findChild(QLineEdit, "settings.api_key"), PRO_KEY)
    qtbot.mouseClick(dialog.findChild(QPushButton, "settings.save_key"),
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.generation.is_running, timeout=10_000)
    dialog.accept()
    banner = studio.find(QLabel, "scripts.error.text")
    qtbot.waitUntil(lambda: "API key changed" in banner.text(), timeout=5000)
    assert "Generate all missing" in banner.text()
    assert not any(b.takes for b in tab.document.script.blocks)
    assert all(s not in ("done", "generating") for s in statuses(table))
    assert [b.text for b in tab.document.script.blocks] == \
        [f"Line {n} of the script." for n in range(1, 5)]  # nothing lost

    # Carry on: every block made, with the new key.
    cloud.control.reset()
    qtbot.waitUntil(generate_all.isEnabled, timeout=10_000)
    qtbot.mouseClick(generate_all, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: statuses(table) == ["done"] * 4 and not tab.generation.is_running,
                    timeout=30_000)
    new_key = hashlib.sha256(PRO_KEY.encode()).hexdigest()
    sent = [r for r in cloud.control.requests() if r["path"].startswith("/v1/text-to-speech/")]
    assert len(sent) == 4 and all(r["key_sha256"] == new_key for r in sent)
