"""No background task fails with nothing said: a task nobody reports is shown by the main
window (the safety net), and the tasks that ended silently say what happened in their
own place: History's list, Speech's and Music's autosave, the usage window, the script
written as text."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableView,
)

from tests.ui.test_scripts_e2e import open_screenplay
from tests.ui.test_settings_history_drafts import generate
from tests.ui.test_usage_e2e import open_usage

pytestmark = pytest.mark.e2e


def banner_words(banner: Any) -> str:
    return " ".join(label.text() for label in banner.findChildren(QLabel))


def locked(*_args: object, **_kwargs: object) -> Any:
    raise sqlite3.OperationalError("database is locked")


def said_on(qtbot: Any, banner: Any, timeout: int = 10_000) -> str:
    """The banner's words, once it shows."""
    qtbot.waitUntil(banner.isVisible, timeout=timeout)
    return banner_words(banner)


def directory_in_place_of(path: Path) -> None:
    """The draft file replaced by a folder (with something in it), which no save can
    write over: as a full or read-only disk, but also for root."""
    if path.exists():
        path.unlink()
    (path / "inside").mkdir(parents=True)


def typed_where_the_draft_cannot_be_saved(studio: Any, qtbot: Any, draft: str,
                                          box: Any, words: str, banner: Any) -> str:
    """Type `words` into `box` while the draft `draft` cannot be written; what the tab's
    banner says then. (The folder is taken away after, so quitting can save.)"""
    path = studio.ctx.drafts.directory / f"{draft}.json"
    directory_in_place_of(path)
    try:
        qtbot.keyClicks(box, words)
        return said_on(qtbot, banner)
    finally:
        shutil.rmtree(path)


def test_a_failed_task_nobody_reports_is_still_said(launch, cloud, qtbot: Any) -> None:
    studio = launch(cloud_url=cloud.url)
    banner = studio.window.speech_tab.error_banner
    assert not banner.isVisible()

    async def broken() -> None:
        raise RuntimeError("the index of voices is damaged")

    studio.window.runner.start("nobody.owns.this", broken)
    shown = said_on(qtbot, banner, timeout=5_000)
    assert "Something unexpected went wrong" in shown, shown
    assert "the index of voices is damaged" in shown, shown
    assert "Your text is kept" not in shown  # no text of the user's was involved
    assert not banner.findChild(QPushButton, "speech.error.retry").isVisible()


def test_history_delete_while_the_database_is_locked_says_so(launch, cloud,
                                                              qtbot: Any) -> None:
    studio = launch(cloud_url=cloud.url)
    generate(qtbot, studio, "Kept while the database is busy.")
    table = studio.find(QTableView, "history.list")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1, timeout=10_000)
    studio.ctx.history.delete = locked  # type: ignore[method-assign]
    table.selectRow(0)
    qtbot.mouseClick(studio.find(QPushButton, "history.delete"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: studio.window.findChild(QMessageBox, "history.confirm_delete")
                    is not None, timeout=5_000)
    box = studio.window.findChild(QMessageBox, "history.confirm_delete")
    box.button(QMessageBox.StandardButton.Yes).click()
    said = studio.find(QLabel, "history.usage")
    qtbot.waitUntil(lambda: "Nothing was deleted" in said.text(), timeout=5_000)
    assert "locked" in said.text() and "other copy of XI Studio" in said.text()
    assert said.isVisible()
    assert table.model().rowCount() == 1


def test_speech_autosave_that_cannot_write_says_the_text_is_still_open(
        launch, cloud, qtbot: Any) -> None:
    studio = launch(cloud_url=cloud.url)
    box = studio.find(QPlainTextEdit, "speech.text")
    shown = typed_where_the_draft_cannot_be_saved(
        studio, qtbot, "speech", box, "Words that cannot reach the disk.",
        studio.window.speech_tab.error_banner)
    assert "Your work could not be saved" in shown and "still open here" in shown, shown
    assert box.toPlainText() == "Words that cannot reach the disk."


def test_music_autosave_that_cannot_write_says_the_work_is_still_open(
        launch, cloud, qtbot: Any) -> None:
    studio = launch(cloud_url=cloud.url)
    studio.window.show_tab("music")
    shown = typed_where_the_draft_cannot_be_saved(
        studio, qtbot, "music", studio.find(QPlainTextEdit, "music.prompt"),
        "A calm piano piece", studio.window.music_tab.error_banner)
    assert "Your work could not be saved" in shown and "still open here" in shown, shown


def test_usage_window_with_a_locked_ledger_says_so(launch, cloud, qtbot: Any) -> None:
    studio = launch(cloud_url=cloud.url)
    window = open_usage(studio, qtbot)
    ledger = studio.ctx.costs.ledger
    ledger.entries = locked  # type: ignore[method-assign]
    status = window.findChild(QLabel, "usage.status")
    window.reload()  # as changing the period does
    qtbot.waitUntil(lambda: "could not be read" in status.text(), timeout=5_000)
    assert "locked" in status.text() and "other copy of XI Studio" in status.text()


def test_script_written_as_text_where_it_cannot_be_says_so(launch, cloud, qtbot: Any,
                                                           tmp_path: Path) -> None:
    studio = open_screenplay(launch, cloud, qtbot, tmp_path)
    in_the_way = tmp_path / "not a folder"
    in_the_way.write_text("a file where a folder was expected", encoding="utf-8")
    qtbot.mouseClick(studio.find(QPushButton, "scripts.export_text"), Qt.MouseButton.LeftButton)
    dialog = studio.find(QFileDialog, "scripts.export_text_dialog")
    dialog.fileSelected.emit(str(in_the_way / "back.csv"))  # as the dialog's OK sends it
    dialog.reject()
    shown = said_on(qtbot, studio.window.scripts_tab.error_banner, timeout=5_000)
    assert "The script was not saved as text" in shown, shown
    assert "Choose another name or folder" in shown, shown


def test_music_versions_unreadable_says_so_in_the_music_tab(launch, cloud, qtbot: Any) -> None:
    studio = launch(cloud_url=cloud.url)
    studio.ctx.history.list = locked  # type: ignore[method-assign]
    studio.window.show_tab("music")  # its versions are read from History when shown
    shown = said_on(qtbot, studio.window.music_tab.error_banner)
    assert "Your versions could not be listed" in shown and "locked" in shown, shown


def test_transcripts_autosave_that_cannot_write_says_the_work_is_still_open(
        launch, cloud, qtbot: Any) -> None:
    from PySide6.QtWidgets import QLineEdit

    studio = launch(cloud_url=cloud.url)
    studio.window.show_tab("transcripts")
    shown = typed_where_the_draft_cannot_be_saved(
        studio, qtbot, "transcripts", studio.find(QLineEdit, "transcripts.id_input"),
        "abc123", studio.window.transcripts_tab.error_banner)
    assert "Your work could not be saved" in shown and "still open here" in shown, shown


def test_a_locked_ledger_is_said_on_the_usage_line_not_in_a_banner_each_time(
        launch, cloud, qtbot: Any) -> None:
    """The status bar's usage line is read again after every cost: with the ledger held
    by another program, each generation put the safety net's banner up again."""
    studio = launch(cloud_url=cloud.url)
    line = studio.find(QLabel, "status.usage")
    generate(qtbot, studio, "Counted.")
    qtbot.waitUntil(lambda: "This session: 1 generation" in line.text(), timeout=10_000)
    ledger = studio.ctx.costs.ledger
    session_total = ledger.session_total
    ledger.session_total = locked  # type: ignore[method-assign]
    generate(qtbot, studio, "Not counted just now.")
    qtbot.waitUntil(lambda: "could not be counted" in line.text(), timeout=10_000)
    assert "locked" in line.toolTip() and "other copy of XI Studio" in line.toolTip()
    banner = studio.window.speech_tab.error_banner
    qtbot.wait(100)
    assert not banner.isVisible(), banner_words(banner)
    ledger.session_total = session_total  # type: ignore[method-assign]
    generate(qtbot, studio, "Counted again.")
    qtbot.waitUntil(lambda: line.text().startswith("This session:"), timeout=10_000)


def test_a_locked_ledger_is_said_on_the_scripts_estimate(launch, cloud, qtbot: Any,
                                                        tmp_path: Path) -> None:
    """The estimate stayed "Counting…" while the safety net's banner said why; the
    estimate itself needs no ledger, so it is shown, and the spent line says it could
    not be read."""
    studio = open_screenplay(launch, cloud, qtbot, tmp_path)
    tab = studio.window.scripts_tab
    assert tab.document.path is not None  # an imported script is kept in the data folder
    estimate = studio.find(QLabel, "scripts.estimate")
    qtbot.waitUntil(lambda: "Counting" not in estimate.text(), timeout=10_000)
    studio.ctx.costs.ledger.script_total = locked  # type: ignore[method-assign]
    tab.generation.estimate.refresh()
    qtbot.waitUntil(lambda: "could not be read" in estimate.text(), timeout=5_000)
    assert "credits" in estimate.text()  # the estimate is still there
    assert "locked" in estimate.toolTip()
    assert not tab.error_banner.isVisible()
