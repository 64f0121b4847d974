"""What the Transcripts tab shows while its work runs: the source panel is busy (and its
Stop button live) while any transcript is being made, fetched, opened or aligned, and
the status line says when a transcription was stopped or a deletion ended."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel

from app.ui.qt_async import TaskRunner
from app.ui.transcripts.align_script import ALIGN_TASK
from app.ui.transcripts.source_panel import SourcePanel
from app.ui.transcripts.transcripts_controller import TranscriptsController as C

BUSY_TASKS = (C.TRANSCRIBE, C.FETCH, C.OPEN, ALIGN_TASK)
DELETING = "Deleting from the server…"


class TaskFeedback(QObject):
    def __init__(self, runner: TaskRunner, source: SourcePanel, status: QLabel,
                 parent: QObject) -> None:
        super().__init__(parent)
        self._runner = runner
        self._source = source
        self._status = status
        runner.task_started.connect(self.started)
        runner.task_finished.connect(self._on_finished)
        runner.task_cancelled.connect(self._on_cancelled)

    def started(self, name: str) -> None:
        if name in BUSY_TASKS and not self._source.is_busy:
            self._source.set_busy(True)
            if name == C.TRANSCRIBE:
                self._source.show_upload(0, 1)

    def _on_finished(self, name: str) -> None:
        if name == C.DELETE and self._status.text() == DELETING:
            self._status.setText("")  # it failed or stopped: the banner says why
        if name in BUSY_TASKS and not any(self._runner.is_running(n) for n in BUSY_TASKS
                                          if n != name):
            self._source.set_busy(False)

    def _on_cancelled(self, name: str) -> None:
        if name == C.TRANSCRIBE:
            self._status.setText("Transcription stopped. Nothing was saved; press Transcribe "
                                 "to start again.")
