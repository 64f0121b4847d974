"""The Scripts tab's Export of a long script: a progress window with words at once, and
its Cancel (or Escape) stops the export with no file left in the folder; left alone,
the same export writes every file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QProgressDialog, QPushButton, QWidget

from app.library.script_store import save_script
from tests.services.test_script_export_stop import BLOCKS, files_in, long_script

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


def test_a_stopped_script_export_leaves_no_files(launch, cloud, qtbot, tmp_path: Path) -> None:
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
    progress = studio.window.findChild(QProgressDialog, "scripts.export_progress")
    assert progress is not None and progress.isVisible()  # at once, before any block
    assert "Exporting" in progress.labelText()
    qtbot.keyClick(progress, Qt.Key.Key_Escape)  # as Cancel: before the thread read a block
    qtbot.waitUntil(lambda: "stopped" in tab.status.text(), timeout=30_000)
    qtbot.waitUntil(lambda: not tab._runner.is_running(exporter.EXPORT), timeout=30_000)
    assert files_in(stopped) == []
    assert exporter.last_export is None
    assert exporter.progress_dialog is None

    clicked = tmp_path / "clicked"  # the same with its Cancel button
    start_export(studio, qtbot, clicked)
    progress = studio.window.findChild(QProgressDialog, "scripts.export_progress")
    qtbot.mouseClick(progress.findChild(QPushButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab._runner.is_running(exporter.EXPORT), timeout=30_000)
    assert "stopped" in tab.status.text() and files_in(clicked) == []

    kept = tmp_path / "kept"
    start_export(studio, qtbot, kept)
    qtbot.waitUntil(lambda: exporter.last_export is not None, timeout=60_000)
    assert len(list((kept / "blocks").iterdir())) == BLOCKS
    assert len(list(kept.glob("*.wav"))) == 1
    assert exporter.progress_dialog is None
