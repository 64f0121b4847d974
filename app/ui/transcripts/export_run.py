"""Running a transcript export the user asked for: said at once in the status, with the
shared progress window whose Cancel (or Escape) stops it, nothing then saved (a Word
document of a 3-hour transcript takes seconds to make; there was no way to stop it)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from app.ui.widgets.progress_window import progress_window

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLabel, QProgressDialog, QWidget

    from app.domain.transcript import Transcript
    from app.domain.transcript_edit import TranscriptEdits
    from app.ui.transcripts.export_dialog import ExportRequest
    from app.ui.transcripts.transcripts_controller import TranscriptsController

PROGRESS = "transcripts.export_progress"


class _Reports(QObject):
    """Carries the worker thread's (done, total) to the window on the window's thread:
    the signal is queued because this object lives there."""

    moved = Signal(int, int)

    def __init__(self, window: QProgressDialog) -> None:
        super().__init__(window)
        self._window = window
        self.moved.connect(self._show)

    @Slot(int, int)
    def _show(self, done: int, total: int) -> None:
        if self._window.wasCanceled():
            return  # (it says it is stopping; the bar need not move on)
        self._window.setMaximum(total)
        self._window.setValue(done)


def start_export(parent: QWidget, status: QLabel, controller: TranscriptsController,
                 original: Transcript, edits: TranscriptEdits,
                 request: ExportRequest) -> bool:
    """Start the export with its window; False if it could not start. The controller
    says how it ended (`exported`, `export_stopped`, `failed`); the window closes then."""
    stop = threading.Event()
    window = progress_window(parent, PROGRESS, "Exporting",
                             f"Exporting to {request.path}…", stop)

    over = threading.Event()  # closing the window at the end emits `canceled` too

    def stopping() -> None:
        if not over.is_set():
            status.setText("Stopping the export…")

    window.canceled.connect(stopping)
    window.rejected.connect(stopping)

    def ended() -> None:
        over.set()
        window.close()
        window.deleteLater()

    reports = _Reports(window)
    started = controller.export(original, edits, request, stop, ended, reports.moved.emit)
    if started:
        status.setText(f"Exporting to {request.path}…")
    else:
        ended()
    return started
