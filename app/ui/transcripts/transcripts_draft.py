"""The Transcripts tab's draft: the settings on the left, the id typed, the recording
chosen and the transcript open are saved a moment after each change and put back at
the next start, so a restart loses none of them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from app.library.history import Generation
from app.ui.app_context import AppContext
from app.ui.qt_async import TaskRunner
from app.ui.transcripts.source_panel import SourcePanel
from app.ui.transcripts.transcript_document import TranscriptDocument

DRAFT_NAME = "transcripts"
DRAFT_DELAY_MS = 800


class TranscriptsDraft(QObject):
    def __init__(self, ctx: AppContext, runner: TaskRunner, source: SourcePanel,
                 document: TranscriptDocument, parent: QObject) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._source = source
        self._document = document
        self.timer = QTimer(self)  # started on each change; saves when it runs out
        self.timer.setSingleShot(True)
        self.timer.setInterval(DRAFT_DELAY_MS)
        self.timer.timeout.connect(self._save)

    def _payload(self) -> dict[str, object]:
        media = self._source.media_path
        return {"options": self._source.options.to_draft(),
                "transcription_id": self._source.id_input.text(),
                "media_path": str(media) if media else None,
                "generation_id": self._document.source.generation_id}

    def _save(self) -> None:
        payload = self._payload()
        self._runner.start("transcripts.autosave",
                           lambda: asyncio.to_thread(self._ctx.drafts.save, DRAFT_NAME,
                                                     payload))

    def save_now(self) -> None:
        """Save now (on quit), synchronously: the loop may be stopping."""
        self.timer.stop()
        self._ctx.drafts.save(DRAFT_NAME, self._payload())

    def restore(self, open_generation: Callable[[Generation], None]) -> None:
        """Put the saved draft back; the transcript it had open reopens on the next
        loop turn, through `open_generation`."""
        draft = self._ctx.drafts.load(DRAFT_NAME) or {}
        if isinstance(draft.get("options"), dict):
            self._source.options.restore_draft(draft["options"])
        if isinstance(draft.get("transcription_id"), str):
            self._source.id_input.setText(draft["transcription_id"])
        media = draft.get("media_path")
        if isinstance(media, str) and Path(media).is_file():
            self._source.set_media(Path(media))
        generation_id = draft.get("generation_id")
        if isinstance(generation_id, int):
            generation = self._ctx.history.get(generation_id)
            if generation is not None:
                QTimer.singleShot(0, self, lambda: open_generation(generation))
