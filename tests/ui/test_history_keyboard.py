"""History from the keyboard alone: Enter plays the chosen entry, Delete asks before it
deletes (the list's accessible description promises Enter), driven through the real
window against the cloud test server on loopback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox, QPushButton, QTableView

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


def test_export_of_an_entry_whose_file_was_deleted_says_so(
        launch, cloud, qtbot: Any, tmp_path: Path) -> None:
    """The audio file deleted behind the app's back (the list still shows it): Play
    said "The audio could not be read … Try another output format" with Try again, and
    Export "Could not write a file … Check that the disk has space"."""
    studio = launch(cloud_url=cloud.url)
    generate(qtbot, studio, "Gone soon.")
    table = studio.find(QTableView, "history.list")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1, timeout=10_000)
    table.selectRow(0)
    generation = studio.ctx.history.list()[0]
    studio.ctx.history.audio_path(generation).unlink()
    play = studio.find(QPushButton, "history.play")
    export = studio.find(QPushButton, "history.export")
    said = studio.find(QLabel, "history.usage")

    # Export first: the dialog is asked for before the file is looked at again.
    qtbot.mouseClick(export, Qt.MouseButton.LeftButton)
    dialog = studio.window.findChild(QFileDialog, "history.export_dialog")
    if dialog is not None and dialog.isVisible():
        dialog.selectFile(str(tmp_path / "gone.mp3"))
        dialog.accept()
    qtbot.waitUntil(said.isVisible, timeout=5_000)
    assert "no longer" in said.text() and "disk has space" not in said.text(), said.text()
    assert not (tmp_path / "gone.mp3").exists()
    # The list now shows the file as missing, and Play and Export are off.
    qtbot.waitUntil(lambda: "(file missing)" in table.model().data(table.model().index(0, 1)),
                    timeout=5_000)
    table.selectRow(0)
    assert not play.isEnabled() and not export.isEnabled()
    assert studio.find(QPushButton, "history.reopen").isEnabled()


def test_play_of_an_entry_whose_file_was_deleted_says_so(launch, cloud, qtbot: Any) -> None:
    studio = launch(cloud_url=cloud.url)
    generate(qtbot, studio, "Gone soon.")
    table = studio.find(QTableView, "history.list")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1, timeout=10_000)
    table.selectRow(0)
    studio.ctx.history.audio_path(studio.ctx.history.list()[0]).unlink()
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Return)
    said = studio.find(QLabel, "history.usage")
    qtbot.waitUntil(said.isVisible, timeout=5_000)
    assert "no longer" in said.text(), said.text()
    assert not studio.window.speech_tab.error_banner.isVisible()  # no "another format"
    qtbot.waitUntil(lambda: "(file missing)" in table.model().data(table.model().index(0, 1)),
                    timeout=5_000)


def save_as_refused(qtbot: Any, studio: Any, path: Path) -> str:
    """Speech's Save as… to `path`, as the user does; the words of the banner it brings."""
    save = studio.find(QPushButton, "speech.save_as")
    qtbot.waitUntil(save.isEnabled, timeout=10_000)
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    dialog = studio.window.findChild(QFileDialog, "speech.save_dialog")
    dialog.selectFile(str(path))
    dialog.accept()
    banner = studio.window.speech_tab.error_banner
    qtbot.waitUntil(banner.isVisible, timeout=5_000)
    return " ".join(label.text() for label in banner.findChildren(QLabel))


def test_save_as_after_the_entry_was_deleted_says_it_is_gone(launch, cloud, qtbot: Any,
                                                             tmp_path: Path) -> None:
    """Generate, delete it in History, then the Speech tab's Save as…: the banner said
    "Could not write a file … Check that the disk has space"."""
    studio = launch(cloud_url=cloud.url)
    generate(qtbot, studio, "Deleted, then saved.")
    generation = studio.ctx.history.list()[0]
    studio.ctx.history.delete(generation.id)
    shown = save_as_refused(qtbot, studio, tmp_path / "saved.mp3")
    assert "no longer there" in shown and "disk has space" not in shown, shown
    assert not (tmp_path / "saved.mp3").exists()


def test_save_as_when_history_cannot_be_read_says_so(launch, cloud, qtbot: Any,
                                                     tmp_path: Path) -> None:
    """Save as… while the History database cannot be read (held by another program, or
    damaged): only file errors were shown, so the click seemed to do nothing."""
    import sqlite3

    studio = launch(cloud_url=cloud.url)
    generate(qtbot, studio, "Saved while the database is busy.")
    history = studio.ctx.history

    def busy(_generation_id: int) -> None:
        raise sqlite3.OperationalError("database is locked")

    history.get = busy  # type: ignore[method-assign]  # as a locked database answers
    shown = save_as_refused(qtbot, studio, tmp_path / "saved.mp3")
    assert "History could not be read" in shown and "locked" in shown, shown
    assert "other copy of XI Studio" in shown, shown
    assert not (tmp_path / "saved.mp3").exists()
    assert studio.find(QPushButton, "speech.save_as").isEnabled()
