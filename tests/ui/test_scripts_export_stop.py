"""The Scripts tab's Export of a long script: a progress window with words at once, and
its Cancel (or Escape) stops the export with no file left in the folder; left alone,
the same export writes every file.

The export's worker thread is held at its first block until the test has pressed Cancel:
a dozen tiny blocks are otherwise written in a few ms, and a fast machine could finish
before the click (a test of timing, not of Cancel)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QProgressDialog, QPushButton, QWidget

from app.library.script_store import save_script
from app.services import script_export
from tests.services.test_script_export_stop import BLOCKS, files_in, long_script
from tests.support.held_worker import HeldWorker, hold_calls

pytestmark = pytest.mark.e2e


def start_export(studio: Any, qtbot: Any, out: Path) -> Any:
    tab = studio.window.scripts_tab
    button = studio.find(QPushButton, "scripts.export")
    qtbot.waitUntil(button.isEnabled, timeout=30_000)  # the chosen takes are counted
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = studio.find(QWidget, "scripts.export_dialog")
    dialog.findChild(QLineEdit, "scripts.export_folder").setText(str(out))
    qtbot.mouseClick(dialog.findChild(QPushButton, "scripts.export_go"),
                     Qt.MouseButton.LeftButton)
    return tab.exporter


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldWorker]:
    with hold_calls(monkeypatch, script_export, "decode_file") as hold:
        yield hold


def cancel_while_reading(qtbot: Any, exporter: Any, hold: HeldWorker, press: Any) -> None:
    """Wait until the export is under way and its window is up, press Cancel (or Escape)
    the way `press` does, then let the thread go on to find the stop."""
    progress = exporter.progress_dialog
    assert progress is not None and progress.isVisible()  # at once, before any block
    assert "Exporting" in progress.labelText()
    qtbot.waitUntil(hold.reached.is_set, timeout=30_000)
    qtbot.waitExposed(progress)
    press(progress)
    assert progress.wasCanceled()  # the press took, while the thread was mid-export
    hold.release.set()


def test_a_stopped_script_export_leaves_no_files(launch, cloud, qtbot, tmp_path: Path,
                                                 held: HeldWorker) -> None:
    script, _takes = long_script(tmp_path)
    path = save_script(tmp_path / "long.xiscript.json", script)
    studio = launch(cloud_url=cloud.url)
    studio.window.show_tab("scripts")
    tab = studio.window.scripts_tab
    tab.files.open_path(path)
    qtbot.waitUntil(lambda: tab.document.path == path
                    and len(tab.document.script.blocks) == BLOCKS, timeout=30_000)

    stopped = tmp_path / "stopped"
    exporter = start_export(studio, qtbot, stopped)
    assert exporter.progress_dialog is studio.window.findChild(
        QProgressDialog, "scripts.export_progress")
    cancel_while_reading(qtbot, exporter, held,
                         lambda window: qtbot.keyClick(window, Qt.Key.Key_Escape))
    qtbot.waitUntil(lambda: "stopped" in tab.status.text(), timeout=30_000)
    qtbot.waitUntil(lambda: not tab._runner.is_running(exporter.EXPORT), timeout=30_000)
    assert files_in(stopped) == []
    assert exporter.last_export is None
    assert exporter.progress_dialog is None

    clicked = tmp_path / "clicked"  # the same with its Cancel button
    held.reset()
    start_export(studio, qtbot, clicked)
    cancel_while_reading(qtbot, exporter, held, lambda window: qtbot.mouseClick(
        window.findChild(QPushButton), Qt.MouseButton.LeftButton))
    qtbot.waitUntil(lambda: not tab._runner.is_running(exporter.EXPORT), timeout=30_000)
    assert "stopped" in tab.status.text() and files_in(clicked) == []

    kept = tmp_path / "kept"  # (the thread is no longer held)
    start_export(studio, qtbot, kept)
    qtbot.waitUntil(lambda: exporter.last_export is not None, timeout=60_000)
    assert len(list((kept / "blocks").iterdir())) == BLOCKS
    assert len(list(kept.glob("*.wav"))) == 1
    assert exporter.progress_dialog is None
