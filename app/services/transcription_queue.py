"""A queue of recordings to transcribe: each job its own settings, progress, cancel and
retry; a few at a time; kept on disk so nothing is lost.

* A job is a local file or a web address, with the transcription settings it will be
  sent with (editable while it waits).
* States: waiting, running (with progress), done (the transcript is kept: its file and
  History entry are recorded on the job), failed (with the reason in plain words),
  cancelled. Cancel and retry work per job; at most `concurrency` run at once.
* Every change of state is written to a small JSON file (atomic writes). After a restart
  or a crash, `load()` brings the jobs back: waiting ones wait again, the ones that were
  running are marked "interrupted" and wait again, finished ones are never requested
  again.

Plain callables report changes (`on_change`, called on the event loop); the work of one
job is a coroutine function handed in (`run_job`), so tests and the app choose what a job
does (the app: `transcribe_and_keep`). A job and its saved form are in queue_job.py; the
settings' JSON in app/domain/stt_options_json.py. No Qt here.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.api.transcripts import TranscriptsService
from app.domain.stt_options import TranscriptionOptions
from app.domain.stt_options_json import options_from_json, options_to_json
from app.library.atomic import atomic_write_text
from app.library.history_open import keep_aside
from app.library.small_json import read_small_json
from app.services.queue_job import INTERRUPTED, STATES, JobState, QueueJob
from app.services.transcript_keep import KeepPlace, transcribe_and_keep

if TYPE_CHECKING:
    from app.services.cost_recording import CostRecorder

log = logging.getLogger(__name__)

FILE_VERSION = 1


@dataclass(frozen=True)
class JobResult:
    """What a finished job left: the transcript file and its History entry."""

    transcript_path: Path | None
    generation_id: int | None


ProgressFn = Callable[[int, int], object]
RunJob = Callable[[QueueJob, ProgressFn], Awaitable[JobResult]]


class TranscriptionQueue:
    def __init__(self, state_path: Path, run_job: RunJob, *, concurrency: int = 2,
                 on_change: Callable[[QueueJob], None] | None = None,
                 on_removed: Callable[[str], None] | None = None,
                 describe: Callable[[BaseException], str] = str) -> None:
        self.state_path = state_path
        self.run_job = run_job
        self.concurrency = max(1, concurrency)
        self.on_change = on_change
        self.on_removed = on_removed
        self.describe = describe
        self.jobs: list[QueueJob] = []
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._cancelled: set[str] = set()
        self._running = False  # dispatching (after start(), until stop())
        self._dirty = False
        self._writer: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self._idle.set()

    # -- loading and saving ----------------------------------------------------------
    def load(self) -> list[QueueJob]:
        """Read the queue file and take its jobs (blocking; small)."""
        return self.merge(self.read())

    def read(self) -> list[QueueJob]:
        """The jobs in the queue file, changing nothing here (so it can run in a worker
        thread). A missing or damaged file is no jobs; a damaged one is set aside as
        queue.json.corrupt-<time> (as History's database is), so neither the next save nor
        a later damaged file overwrites it."""
        try:
            data = read_small_json(self.state_path)
        except FileNotFoundError:
            data = {}
        except (OSError, ValueError):  # (nested past Python's limit is a ValueError)
            log.warning("the transcription queue file is damaged", exc_info=True)
            with contextlib.suppress(OSError):
                keep_aside(self.state_path)
            data = {}
        items = data.get("jobs") if isinstance(data, dict) else None
        jobs = [QueueJob.from_json(item) for item in (items if isinstance(items, list) else [])
                if isinstance(item, dict)]
        return [job for job in jobs if job is not None]

    def merge(self, jobs: list[QueueJob]) -> list[QueueJob]:
        """Take jobs read from the file (on the event loop), before those added since."""
        known = {job.job_id for job in self.jobs}
        fresh = []
        for job in jobs:
            if job.job_id not in known:
                fresh.append(job)
                known.add(job.job_id)
        self.jobs[:0] = fresh
        self._update_idle()
        return list(self.jobs)

    def _snapshot(self) -> str:
        return json.dumps({"version": FILE_VERSION,
                           "jobs": [job.to_json() for job in self.jobs]}, indent=1)

    def save_now(self) -> None:
        """Write the file at once (blocking): on quit, and in tests."""
        self._dirty = False
        atomic_write_text(self.state_path, self._snapshot())

    def _save_soon(self) -> None:
        """Write the file in a worker thread; changes made meanwhile are written next."""
        self._dirty = True
        if self._writer is None or self._writer.done():
            self._writer = asyncio.ensure_future(self._write_loop())

    async def _write_loop(self) -> None:
        while self._dirty:
            self._dirty = False
            text = self._snapshot()
            try:
                await asyncio.to_thread(atomic_write_text, self.state_path, text)
            except OSError:
                log.exception("could not save the transcription queue")

    async def flush(self) -> None:
        while self._writer is not None and not self._writer.done():
            await asyncio.shield(self._writer)

    # -- the jobs --------------------------------------------------------------------
    def job(self, job_id: str) -> QueueJob | None:
        return next((job for job in self.jobs if job.job_id == job_id), None)

    def add(self, source: Path | str, options: TranscriptionOptions,
            title: str | None = None) -> QueueJob:
        text = str(source)
        name = title or (text.rstrip("/").rsplit("/", 1)[-1] if "://" in text
                         else Path(text).name) or text
        job = QueueJob(uuid.uuid4().hex, text, options, name)
        self.jobs.append(job)
        self._changed(job)
        self._dispatch()
        return job

    def set_options(self, job_id: str, options: TranscriptionOptions) -> bool:
        """New settings for a job that has not started (or will be retried)."""
        job = self.job(job_id)
        if job is None or job.state in ("running", "done"):
            return False
        job.options = options
        self._changed(job)
        return True

    def cancel(self, job_id: str) -> bool:
        job = self.job(job_id)
        if job is None or job.is_finished:
            return False
        task = self._tasks.get(job_id)
        if task is not None and not task.done():
            self._cancelled.add(job_id)
            task.cancel()  # its end marks it cancelled
            return True
        self._finish(job, "cancelled", "Cancelled.")
        return True

    def retry(self, job_id: str) -> bool:
        job = self.job(job_id)
        if job is None or job.state not in ("failed", "cancelled"):
            return False
        job.state, job.reason, job.fraction, job.phase = "waiting", "", 0.0, ""
        self._changed(job)
        self._dispatch()
        return True

    def remove(self, job_id: str) -> bool:
        """Take a job off the list (a running one is cancelled first)."""
        job = self.job(job_id)
        if job is None:
            return False
        task = self._tasks.get(job_id)
        if task is not None and not task.done():
            self._cancelled.add(job_id)
            task.cancel()
        self.jobs.remove(job)
        self._save_soon()
        if self.on_removed is not None:
            self.on_removed(job_id)
        return True

    def clear_finished(self) -> int:
        done = [job.job_id for job in self.jobs if job.state == "done"]
        for job_id in done:
            self.remove(job_id)
        return len(done)

    # -- running ---------------------------------------------------------------------
    @property
    def is_started(self) -> bool:
        return self._running

    def start(self) -> None:
        """Begin (or resume) working through the waiting jobs."""
        self._running = True
        self._dispatch()

    def stop(self) -> None:
        """Stop working (on quit, or when the server changes): running jobs are stopped
        and wait again; the file says so, so they resume next time."""
        self._running = False
        for job_id, task in list(self._tasks.items()):
            if not task.done():
                task.cancel()
            job = self.job(job_id)
            if job is not None and job.state == "running":
                job.state, job.reason, job.fraction, job.phase = "waiting", INTERRUPTED, 0.0, ""
                if self.on_change is not None:
                    self.on_change(job)
        with contextlib.suppress(OSError):
            self.save_now()

    async def wait_idle(self) -> None:
        """Until no job runs or waits to run (while started), and the file is written."""
        while True:
            await self._idle.wait()
            await self.flush()
            if self._idle.is_set():
                return

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = dict.fromkeys(STATES, 0)
        for job in self.jobs:
            out[job.state] += 1
        return out

    def _dispatch(self) -> None:
        if not self._running:
            self._update_idle()
            return
        running = sum(1 for t in self._tasks.values() if not t.done())
        for job in self.jobs:
            if running >= self.concurrency:
                break
            if job.state == "waiting" and job.job_id not in self._tasks:
                job.state, job.fraction, job.phase = "running", 0.0, "Starting…"
                self._changed(job)
                task = asyncio.ensure_future(self._run(job))
                task.add_done_callback(functools.partial(self._ended, job))
                self._tasks[job.job_id] = task
                running += 1
        self._update_idle()

    def _update_idle(self) -> None:
        busy = any(not t.done() for t in self._tasks.values()) or (
            self._running and any(job.state == "waiting" for job in self.jobs))
        if busy:
            self._idle.clear()
        else:
            self._idle.set()

    async def _run(self, job: QueueJob) -> None:
        def progress(sent: int, total: int) -> None:
            if job.state != "running":
                return
            job.fraction = sent / total if total else 0.0
            job.phase = "Uploading…" if sent < total else "Transcribing…"
            if self.on_change is not None:
                self.on_change(job)  # progress is not written to the file

        try:
            job.phase = "Transcribing…" if job.is_url else "Uploading…"
            if self.on_change is not None:
                self.on_change(job)
            result = await self.run_job(job, progress)
        except Exception as exc:  # one job's failure never stops the others
            log.info("transcription of %s failed", job.source, exc_info=True)
            self._finish(job, "failed", self.describe(exc) or type(exc).__name__)
        else:
            job.transcript_path = str(result.transcript_path) if result.transcript_path \
                else None
            job.generation_id = result.generation_id
            job.fraction = 1.0
            self._finish(job, "done", "")

    def _ended(self, job: QueueJob, task: asyncio.Task[None]) -> None:
        """A job's task ended (also when it was cancelled before it began to run)."""
        if task.cancelled() and job.job_id in self._cancelled and job.state == "running":
            self._finish(job, "cancelled", "Cancelled.")
        # (cancelled otherwise: stopped with the app; stop() put it back to waiting)
        self._cancelled.discard(job.job_id)
        if self._tasks.get(job.job_id) is task:
            del self._tasks[job.job_id]
        self._dispatch()

    def _finish(self, job: QueueJob, state: JobState, reason: str) -> None:
        if job not in self.jobs:  # removed meanwhile
            return
        job.state, job.reason, job.phase = state, reason, ""
        if state != "done":
            job.fraction = 0.0
        self._changed(job)

    def _changed(self, job: QueueJob) -> None:
        self._save_soon()
        if self.on_change is not None:
            self.on_change(job)


def transcribe_jobs(service: TranscriptsService, place: KeepPlace,
                    costs: CostRecorder | None = None) -> RunJob:
    """What a job does in the app: transcribe its recording and keep the transcript
    (the same step as one file in the Transcripts tab)."""

    async def run(job: QueueJob, progress: ProgressFn) -> JobResult:
        kept = await transcribe_and_keep(service, place, job.source, job.options, progress,
                                         job.title or None, costs)
        return JobResult(kept.source.saved_path, kept.source.generation_id)

    return run


__all__ = [
    "INTERRUPTED",
    "JobResult",
    "JobState",
    "QueueJob",
    "RunJob",
    "TranscriptionQueue",
    "options_from_json",
    "options_to_json",
    "transcribe_jobs",
]
