"""The Scripts tab's Export: the dialog, the delivery service, and what was written.

Export writes the chosen takes into a folder (app.services.script_export: a joined file
at the chosen gap and loudness, a file per block, SRT and WebVTT captions) in a worker
thread, then says what it wrote in a window-modal box (opened, never exec'd).
"""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from app.ui.app_context import AppContext
from app.ui.errors import UserMessage
from app.ui.qt_async import TaskRunner
from app.ui.scripts.script_document import ScriptDocument
from app.ui.widgets.progress_window import progress_window

if TYPE_CHECKING:
    from app.ui.scripts.export_dialog import ExportChoice
    from app.ui.scripts.scripts_tab import ScriptsTab


def show_summary(parent: QWidget, text: str) -> QMessageBox:
    """What was written, in a window-modal box (opened, never exec'd)."""
    box = QMessageBox(QMessageBox.Icon.Information, "Export finished", text,
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("scripts.export_summary")
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.finished.connect(box.deleteLater)
    box.open()
    return box


class ScriptExportUi(QObject):
    EXPORT = "scripts.export"
    # From the export's worker thread (queued to the window's thread): done, total, what.
    _progress = Signal(int, int, str)

    def __init__(self, tab: ScriptsTab, ctx: AppContext, runner: TaskRunner,
                 document: ScriptDocument) -> None:
        super().__init__(tab)
        self._tab = tab
        self._ctx = ctx
        self._runner = runner
        self._document = document
        self.last_export: Any = None  # the ExportSummary of the last export
        self.progress_dialog: QProgressDialog | None = None  # while an export runs
        self._progress.connect(self._on_progress)
        runner.task_failed.connect(self._on_runner_task_failed)
        runner.reports(self.EXPORT)

    def ask_export(self) -> None:
        from pathlib import Path

        from app.ui.scripts.export_dialog import ScriptExportDialog

        # Beside the file imported or opened would be nicer, but the script itself may
        # live in the app's data folder: the home folder is where people look.
        script = self._document.script
        folder = Path.home() / f"{script.title or 'Script'} export"
        dialog = ScriptExportDialog(folder, self._tab)
        dialog.gap.setValue(script.gap_ms)
        dialog.lufs.setValue(script.target_lufs)
        dialog.export_requested.connect(self.export)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def export(self, choice: ExportChoice) -> None:
        if self._runner.is_running(self.EXPORT):
            return
        stop = threading.Event()
        # Shown before the task starts (5,000 blocks take a while to read): the words
        # and Cancel are there at once.
        dialog = self.progress_dialog = progress_window(
            self._tab, "scripts.export_progress", "Exporting",
            f"Exporting to {choice.folder}…", stop)
        dialog.canceled.connect(self._stopping)
        dialog.rejected.connect(self._stopping)
        self._runner.start(self.EXPORT, lambda: self._export(choice, stop, dialog))

    async def _export(self, choice: ExportChoice, stop: threading.Event,
                      dialog: QProgressDialog) -> None:
        from dataclasses import replace

        from app.services.script_export import (
            ExportError,
            ExportOptions,
            ExportStopped,
            export_script,
        )

        self._tab.block_panel.commit_text()
        # The choices are the script's from now on (offered again next time).
        self._document.update(lambda s: replace(
            s, gap_ms=choice.gap_ms, target_lufs=choice.target_lufs))
        core = self._document.core
        self._tab.status.setText(f"Exporting to {choice.folder}…")
        options = ExportOptions(gap_ms=choice.gap_ms, target_lufs=choice.target_lufs,
                                joined=choice.joined, per_block=choice.per_block,
                                captions=choice.srt or choice.vtt)
        try:
            summary = await export_script(core.script, core.takes_dir, choice.folder, options,
                                          stopped=stop.is_set, progress=self._progress.emit)
        except ExportStopped:
            self._tab.status.setText(f"Export stopped: nothing was left in {choice.folder}.")
            return
        except ExportError as exc:
            self.say(UserMessage("Nothing was exported", str(exc),
                                 "Generate the missing blocks, then export again."))
            self._tab.status.setText("")
            return
        finally:
            stop.set()  # a cancelled task (the tab closing) stops its thread too
            self.progress_dialog = None
            dialog.close()
            dialog.deleteLater()
        unwanted = [".srt"] if not choice.srt else [".vtt"] if not choice.vtt else []
        if unwanted:  # the service writes both caption formats; keep the one asked for
            for path in [p for p in summary.files if p.suffix in unwanted]:
                await asyncio.to_thread(path.unlink, True)
                summary.files.remove(path)
        self.last_export = summary
        self._tab.status.setText(f"Exported {len(summary.files)} files to {choice.folder}.")
        show_summary(self._tab, summary.describe())

    def _stopping(self) -> None:
        """The worker thread sees the stop before its next block and removes what it
        wrote; the export task then says so."""
        if self.progress_dialog is not None:
            self._tab.status.setText("Stopping the export…")

    def _on_progress(self, done: int, total: int, what: str) -> None:
        dialog = self.progress_dialog
        if dialog is None or dialog.wasCanceled():
            return
        dialog.setMaximum(total)
        dialog.setValue(done)
        dialog.setLabelText(f"{what} block {min(done + 1, total)} of {total}…")

    def say(self, message: UserMessage) -> None:
        self._tab.show_error(message)

    def _on_runner_task_failed(self, name: str, exc: object) -> None:
        if name == self.EXPORT:
            self._tab.show_error(exc)
