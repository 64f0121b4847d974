"""A History database that opens but whose rows hold the wrong types (SQLite keeps what
it is given: another program, a sync tool or a damaged page can put "x" where a length
belongs): every row is listed, shown and opened, each value read as its type."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QTableView

from app.library.history import HistoryStore, NewGeneration
from app.library.paths import AppPaths
from tests.reliability_ii.conftest import StudioFactory
from tests.support.cloud import Cloud

DAMAGE = {"duration_ms": "x", "character_cost": "[", "created_at": "not a date",
          "file_path": b"\xff\x00", "title": b"Chapter \xe2\x80\x94 one"}


def damaged_history(paths: AppPaths) -> None:
    store = HistoryStore(paths.history_db, paths.audio_dir)
    store.add(NewGeneration(
        kind="speech", title="Chapter one", text="It was a dark night.", voice_id="v",
        voice_name="V", model_id="m", output_format="mp3_44100_128", settings_json="{}",
        request_ids=["r"], character_cost=20, duration_ms=1500, file_path=None,
        session_id="s"))
    store.close()
    with sqlite3.connect(paths.history_db) as conn:
        for column, value in DAMAGE.items():
            conn.execute(f"UPDATE generations SET {column} = ?", (value,))
    conn.close()


def test_a_row_of_the_wrong_types_is_read_as_its_types(tmp_path: Path) -> None:
    paths = AppPaths.under(tmp_path).ensure()
    damaged_history(paths)
    store = HistoryStore(paths.history_db, paths.audio_dir)
    [row] = store.list()
    assert row.duration_ms == 0 and row.character_cost is None and row.file_path is None
    assert row.title == "Chapter — one"
    assert row.created.year == 1970  # raised ValueError: the Music versions list failed
    store.close()


def test_the_history_list_shows_a_row_of_the_wrong_types(
        studios: StudioFactory, cloud: Cloud, qtbot: Any) -> None:
    """The list raised on every repaint ("x" formatted as a length), and reopening the
    row failed in the tab it went to."""
    home = studios.home()
    damaged_history(AppPaths.under(home).ensure())
    with qtbot.capture_exceptions() as raised:
        studio = studios.start(home, cloud_url=cloud.url)
        table = studio.find(QTableView, "history.list")
        model = table.model()
        qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=10_000)
        shown = [model.index(0, column).data() for column in range(model.columnCount())]
        table.selectRow(0)
        qtbot.mouseClick(studio.find(QPushButton, "history.reopen"), Qt.MouseButton.LeftButton)
        qtbot.wait(200)
    assert not raised, raised
    assert "Chapter — one" in shown[1] and studio.window.speech_tab.text.toPlainText() \
        == "It was a dark night."
