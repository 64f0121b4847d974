"""The transcription queue for the whole app (app/services/transcription_queue.py), owned
by the main window, not by the Transcripts tab: the tab is built only when first shown,
and the queue must resume when the app starts (waiting and interrupted jobs go on as soon
as a server is connected), whether or not the tab is ever opened.

Qt side of it: signals per job for the Transcripts tab's list, and the start/stop that
follows the backend (a new key or server stops the running jobs; they wait and start
again on the new connection).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.domain.stt_options import TranscriptionOptions
from app.services.transcript_keep import KeepPlace
from app.services.transcription_queue import QueueJob, TranscriptionQueue, transcribe_jobs
from app.ui.app_context import AppContext
from app.ui.qt_async import TaskRunner

log = logging.getLogger(__name__)

QUEUE_FILE = "transcription_queue.json"
CONCURRENCY = 2
LOAD_TASK = "transcripts.queue_load"
MEDIA_SUFFIXES = {".mp3", ".wav", ".ogg", ".opus", ".flac", ".m4a", ".aac", ".wma", ".aiff",
                  ".mp4", ".mov", ".mkv", ".webm", ".avi"}


def _reason(exc: BaseException) -> str:
    from app.ui.transcripts.messages import describe

    message = describe("transcripts.transcribe", exc)
    return f"{message.title}: {message.text}".strip().rstrip(":")


def media_in(paths: list[Path]) -> list[Path]:
    """The recordings among `paths`, a folder giving the recordings in it (and in its
    folders), sorted by name."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted((p for p in path.rglob("*")
                             if p.is_file() and p.suffix.lower() in MEDIA_SUFFIXES),
                            key=lambda p: str(p).lower())
        elif path.is_file() and path.suffix.lower() in MEDIA_SUFFIXES:
            found.append(path)
    return found


class QueueController(QObject):
    job_changed = Signal(str)  # job id: its state, progress or settings changed
    job_removed = Signal(str)
    loaded = Signal()  # the jobs of the last session are back
    job_done = Signal(str)

    def __init__(self, ctx: AppContext, runner: TaskRunner, parent: QObject | None = None,
                 concurrency: int = CONCURRENCY) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        place = KeepPlace(ctx.paths.data_dir / "transcripts", ctx.history, ctx.session_id)
        self.queue = TranscriptionQueue(
            ctx.paths.data_dir / QUEUE_FILE, transcribe_jobs(ctx.transcripts, place, ctx.costs),
            concurrency=concurrency, on_change=self._on_queue_change,
            on_removed=self.job_removed.emit, describe=_reason)
        self.is_loaded = False
        self._connected = False
        self.mode: str | None = None  # "cloud" (an ElevenLabs key) or "offline", once connected

    # -- life --------------------------------------------------------------------------
    def load(self) -> None:
        """Bring back the last session's jobs (read in a worker thread)."""

        async def load() -> None:
            jobs = await asyncio.to_thread(self.queue.read)
            if not self.is_loaded:
                self.queue.merge(jobs)
                self._set_loaded()

        if not self.is_loaded:
            self._runner.start(LOAD_TASK, load)

    def _set_loaded(self) -> None:
        if self.is_loaded:
            return
        self.is_loaded = True
        self.loaded.emit()
        if self._connected:
            self.queue.start()

    @property
    def has_key(self) -> bool:
        """Connected to ElevenLabs with a key (links need it: the offline engine
        transcribes only files on this computer)."""
        return self.mode == "cloud"

    def on_connected(self, mode: str | None = None) -> None:
        self._connected = True
        self.mode = mode
        if self.is_loaded:
            self.queue.start()

    def on_connecting(self) -> None:
        """A new connection (a new key or server): what runs belongs to the old one."""
        self._connected = False
        self.mode = None
        if self.is_loaded and self.queue.is_started:
            self.queue.stop()

    def shutdown(self) -> None:
        """On quit: running jobs stop and are written as waiting, to resume next time."""
        if self.is_loaded:
            try:
                self.queue.stop()
            except OSError:
                log.exception("could not save the transcription queue on quit")

    # -- jobs --------------------------------------------------------------------------
    @property
    def jobs(self) -> list[QueueJob]:
        return self.queue.jobs

    def add(self, sources: list[Path | str], options: TranscriptionOptions) -> list[QueueJob]:
        if not self.is_loaded:  # the file first, so these never overwrite its jobs
            self.queue.load()
            self._set_loaded()
        return [self.queue.add(source, options) for source in sources]

    def _on_queue_change(self, job: QueueJob) -> None:
        self.job_changed.emit(job.job_id)
        if job.state == "done":
            self.job_done.emit(job.job_id)
