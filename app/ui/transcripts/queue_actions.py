"""The Transcripts tab's side of the queue: recordings and links are queued with the
settings shown on the left (checked first, problems said in the tab's banner); a
finished one opens in the tab."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShortcut
from PySide6.QtWidgets import QScrollArea

from app.api.transcripts import TranscriptionOptionsError
from app.domain.stt_options import TranscriptionOptions
from app.services.transcription_queue import QueueJob
from app.ui.shortcuts import keys as shortcut_keys
from app.ui.transcripts import dialogs
from app.ui.transcripts.link_dialog import LinkDialog
from app.ui.transcripts.messages import queued_text
from app.ui.transcripts.queue_controller import media_in
from app.ui.transcripts.record_dialog import RecordDialog
from app.ui.transcripts.transcripts_controller import TranscriptsController

if TYPE_CHECKING:
    from app.ui.transcripts.transcripts_tab import TranscriptsTab


class QueueActions:
    def __init__(self, tab: TranscriptsTab) -> None:
        self._tab = tab
        panel = tab.queue_panel
        panel.open_requested.connect(self.open_job)
        panel.add_requested.connect(lambda: dialogs.choose_recordings(tab, self.queue_paths))
        panel.add_folder_requested.connect(lambda: dialogs.choose_folder(tab, self.queue_paths))
        panel.link_requested.connect(self.ask_link)
        panel.record_requested.connect(self.record)
        # A transcript finished in the background joins the tab's recent list.
        tab.queue.job_done.connect(lambda _job_id: tab.controller.refresh_recent())
        record = QShortcut(shortcut_keys("record"), tab)
        record.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        record.activated.connect(self.record)

    def _options(self, source_url: str | None = None) -> TranscriptionOptions | None:
        """The settings shown, or None (and the problems said) when they cannot be sent."""
        options = self._tab.source.options.options()
        problems = replace(options, source_url=source_url).validate()
        if problems:
            self._tab._on_controller_failed(TranscriptsController.TRANSCRIBE,
                                            TranscriptionOptionsError(problems))
            return None
        self._tab.error_banner.hide()
        return options

    def _queue(self, sources: list[Path | str], options: TranscriptionOptions
               ) -> list[QueueJob]:
        jobs = self._tab.queue.add(sources, options)
        self._tab.status.setText(queued_text(len(jobs)))
        if jobs:
            self.show_queue()
        return jobs

    def show_queue(self) -> None:
        """Scroll the left column to the Queue box (it sits below the settings)."""
        panel = self._tab.queue_panel
        widget = panel.parentWidget()
        while widget is not None and not isinstance(widget, QScrollArea):
            widget = widget.parentWidget()
        if widget is not None:
            QTimer.singleShot(0, panel, lambda: widget.ensureWidgetVisible(panel, 0, 0))

    def queue_paths(self, paths: list[Path]) -> list[QueueJob]:
        options = self._options()
        return [] if options is None else self._queue(list(media_in(paths)), options)

    def queue_url(self, url: str) -> list[QueueJob]:
        """A recording on the web, sent as `source_url`."""
        options = self._options(url)
        return [] if options is None else self._queue([url], options)

    def ask_link(self) -> LinkDialog:
        dialog = LinkDialog(self._tab.queue.has_key, self.queue_url, self._tab)
        dialog.open()
        return dialog

    def record(self) -> RecordDialog:
        """Record from the microphone; the recording is queued when stopped."""
        tab = self._tab
        dialog = RecordDialog(tab._ctx.paths.data_dir / "recordings", tab._runner, tab,
                              device=tab._ctx.settings.input_device)
        dialog.recorded.connect(lambda path: self.queue_paths([path]))
        dialog.open()
        dialog.start()
        return dialog

    def open_job(self, job: QueueJob) -> None:
        tab = self._tab
        generation = tab._ctx.history.get(job.generation_id) if job.generation_id else None
        if generation is not None:
            tab.load_generation(generation)
        elif job.transcript_path:
            tab.open_path(Path(job.transcript_path))
