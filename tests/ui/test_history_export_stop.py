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
    assert not studio.find(QPushButton, "history.export").isEnabled()  # one at a time
    stop.click()  # before the worker thread copied a single chunk
    qtbot.waitUntil(lambda: not stop.isVisibleTo(studio.window), timeout=30_000)
    assert "nothing was saved" in said.text()
    assert studio.find(QPushButton, "history.export").isEnabled()
    assert list(target.parent.iterdir()) == []  # no file, no .partial
    assert audio.stat().st_size == size and len(studio.ctx.history.list()) == 1

    _choose(studio, qtbot, target)  # and a second try, left alone, finishes
    qtbot.waitUntil(lambda: "Exported to" in said.text(), timeout=30_000)
    assert target.stat().st_size == size
    assert [p.name for p in target.parent.iterdir()] == ["long.mp3"]
    assert not stop.isVisibleTo(studio.window)


def test_speech_save_as_shows_a_window_whose_escape_leaves_no_file(
        launch, engine_url: str, qtbot, tmp_path: Path) -> None:
    """Save as… (Speech tab) of a long generation: a window with words at once, and
    Escape stops the copy with no file under the chosen name; left alone it saves."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QProgressDialog

    studio = launch(engine_url=engine_url)
    generate(qtbot, studio, "A long recording, saved as a copy.")
    generation = studio.ctx.history.list()[0]
    audio = studio.ctx.history.audio_path(generation)
    with audio.open("ab") as grow:
        grow.write(b"\0" * 24_000_000)
    size = audio.stat().st_size
    save = studio.find(QPushButton, "speech.save_as")
    status = studio.find(QLabel, "speech.status")
    target = tmp_path / "out" / "copy.mp3"
    target.parent.mkdir()

    def choose() -> QProgressDialog:
        qtbot.waitUntil(save.isEnabled, timeout=10_000)
        click(qtbot, save)
        dialog = studio.window.findChild(QFileDialog, "speech.save_dialog")
        dialog.selectFile(str(target))
        dialog.accept()
        window = studio.window.findChild(QProgressDialog, "speech.save_progress")
        assert window is not None and window.isVisible()  # at once
        assert "Saving a copy" in window.labelText()
        return window

    qtbot.keyClick(choose(), Qt.Key.Key_Escape)  # before the thread copied a chunk
    qtbot.waitUntil(lambda: "nothing was saved" in status.text(), timeout=30_000)
    assert list(target.parent.iterdir()) == []  # no file, no .partial
    assert not studio.window.speech_tab.error_banner.isVisible()  # a stop is no error

    choose()
    qtbot.waitUntil(lambda: "Saved a copy" in status.text(), timeout=30_000)
    assert target.stat().st_size == size
    assert studio.window.findChild(QProgressDialog, "speech.save_progress") is None \
        or not studio.window.findChild(QProgressDialog, "speech.save_progress").isVisible()
