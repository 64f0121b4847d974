"""History's Export… of a long recording: words at once, a Stop that ends the copy, and
no half file under the chosen name after Stop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog, QLabel, QPushButton, QTableView

from tests.ui.test_settings_history_drafts import click, generate

pytestmark = pytest.mark.e2e


def _choose(studio: Any, qtbot: Any, target: Path) -> None:
    click(qtbot, studio.find(QPushButton, "history.export"))
    dialog = studio.window.findChild(QFileDialog, "history.export_dialog")
    dialog.selectFile(str(target))
    dialog.accept()


def test_history_export_shows_progress_and_stop_leaves_no_file(
        launch, engine_url: str, qtbot, tmp_path: Path) -> None:
    studio = launch(engine_url=engine_url)
    generate(qtbot, studio, "A long recording, made longer below.")
    table = studio.find(QTableView, "history.list")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1)
    table.selectRow(0)
    generation = studio.ctx.history.list()[0]
    audio = studio.ctx.history.audio_path(generation)
    with audio.open("ab") as grow:  # an hour of audio is hundreds of megabytes
        grow.write(b"\0" * 24_000_000)
    size = audio.stat().st_size

    target = tmp_path / "out" / "long.mp3"
    target.parent.mkdir()
    _choose(studio, qtbot, target)
    said = studio.find(QLabel, "history.usage")
    stop = studio.find(QPushButton, "history.export_stop")
    assert "Exporting" in said.text()  # words at once, before the copy has begun
    assert stop.isVisibleTo(studio.window) and stop.isEnabled()
    stop.click()  # before the worker thread copied a single chunk
    qtbot.waitUntil(lambda: not stop.isVisibleTo(studio.window), timeout=30_000)
    assert "nothing was saved" in said.text()
    assert list(target.parent.iterdir()) == []  # no file, no .partial
    assert audio.stat().st_size == size and len(studio.ctx.history.list()) == 1

    _choose(studio, qtbot, target)  # and a second try, left alone, finishes
    qtbot.waitUntil(lambda: "Exported to" in said.text(), timeout=30_000)
    assert target.stat().st_size == size
    assert [p.name for p in target.parent.iterdir()] == ["long.mp3"]
    assert not stop.isVisibleTo(studio.window)
