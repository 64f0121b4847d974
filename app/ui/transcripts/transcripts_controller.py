"""The Transcripts tab's work: get a transcript (by id, from a file, from saved JSON),
keep it in the app's data folder and History, load its audio, delete it on the server,
export it.

Each slow step is a named task on the runner; parsing, decoding and file writes run in
worker threads. Results and failures come back as signals the tab turns into words.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.api.client import ResponseInfo
from app.api.transcripts import TranscriptsService
from app.domain import json_io
from app.domain.stt_options import TranscriptionOptions
from app.domain.transcript import Transcript
from app.domain.transcript_edit import TranscriptEdits
from app.domain.transcript_parse import parse_transcript
from app.domain.transcript_patch import prepare_patching
from app.library import json_files
from app.library.atomic import atomic_write_text
from app.library.bounded_read import read_bounded
from app.library.history import Generation
from app.library.stoppable_write import ExportStopped
from app.services.transcript_keep import KIND, KeepPlace, keep_files, transcribe_and_keep
from app.ui.app_context import AppContext
from app.ui.qt_async import TaskRunner
from app.ui.transcripts.export_dialog import ExportRequest, render_and_write
from app.ui.transcripts.paragraph_model import ALL_CHANNELS, ParagraphRow, build_rows
from app.ui.transcripts.transcript_document import TranscriptSource, read_saved

PEAK_BUCKETS = 800


@dataclass
class Opened:
    """A transcript ready to show."""

    original: Transcript
    edits: TranscriptEdits
    source: TranscriptSource
    info: ResponseInfo | None = None
    saved_formats: list[Path] = field(default_factory=list)
    how: str = ""  # "transcribed", "fetched", "opened"
    # Made by prepare() in a worker thread, so showing a long transcript does not
    # freeze the window: the edits applied, and the paragraphs of the all-channel view.
    edited: Transcript | None = None
    rows: list[ParagraphRow] | None = None

    def prepare(self) -> None:
        """The costly part of showing it. Plain Python, no Qt: runs in a worker thread."""
        self.edited = self.edits.apply(self.original)
        self.rows = build_rows(self.edited, ALL_CHANNELS)
        for transcript in (self.original, self.edited):  # cached on the transcript
            # The word index too: playback asks it for the word being heard, and building
            # it for 30,000 words on the window's thread was a stall of tens of ms.
            _ = transcript.duration_ms, transcript.word_counts, transcript.word_index
        prepare_patching(self.original)  # so the first edit is as quick as the others


def _extra(generation: Generation) -> dict[str, Any]:
    try:
        data = json.loads(generation.extra_json or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


class TranscriptsController(QObject):
    opened = Signal(object)  # Opened
    failed = Signal(str, object)  # task name, exception
    upload_progress = Signal(int, int)  # bytes sent, bytes in all
    deleted = Signal(str)  # transcription id
    saved = Signal(object)  # Path
    exported = Signal(object)  # Path
    # AudioClip (or, long, a RecordingFile played from disk), peaks (None: to come), Path
    audio_loaded = Signal(object, object, object)
    peaks_loaded = Signal(object, object)  # a long recording's peaks, Path
    export_stopped = Signal(object)  # Path: Cancel pressed, nothing was saved there
    recent_loaded = Signal(list)  # [Generation]
    generation_added = Signal(object)  # Generation

    # Not a task of the controller: the tab's draft, whose failure messages.py words.
    AUTOSAVE = "transcripts.autosave"
    FETCH = "transcripts.fetch"
    TRANSCRIBE = "transcripts.transcribe"
    OPEN = "transcripts.open"
    DELETE = "transcripts.delete"
    SAVE = "transcripts.save"
    EXPORT = "transcripts.export"
    AUDIO = "transcripts.audio"
    RECENT = "transcripts.recent"

    def __init__(self, ctx: AppContext, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        service = getattr(ctx, "transcripts", None)
        self.service: TranscriptsService = service if isinstance(service, TranscriptsService) \
            else TranscriptsService(ctx.client)
        self._exports = 0
        runner.task_failed.connect(self._on_runner_task_failed)
        runner.reports("transcripts.")

    @property
    def folder(self) -> Path:
        return self._ctx.paths.data_dir / "transcripts"

    @property
    def keep_place(self) -> KeepPlace:
        return KeepPlace(self.folder, self._ctx.history, self._ctx.session_id)

    def is_running(self, name: str) -> bool:
        return self._runner.is_running(name)

    def cancel(self, name: str) -> None:
        self._runner.cancel(name)

    def _on_runner_task_failed(self, name: str, exc: object) -> None:
        if name.startswith("transcripts."):
            self.failed.emit(name, exc)

    # -- getting a transcript --------------------------------------------------------
    def transcribe(self, path: Path, options: TranscriptionOptions) -> bool:
        return self._runner.start(self.TRANSCRIBE,
                                  lambda: self._transcribe(path, options)) is not None

    async def _transcribe(self, path: Path, options: TranscriptionOptions) -> None:
        kept = await transcribe_and_keep(self.service, self.keep_place, path, options,
                                         self.upload_progress.emit, costs=self._ctx.costs)
        opened = Opened(kept.original, TranscriptEdits(), kept.source, kept.info,
                        kept.saved_formats, how="transcribed")
        if kept.generation is not None:
            self.generation_added.emit(kept.generation)
        await asyncio.to_thread(opened.prepare)
        self.opened.emit(opened)

    def fetch(self, transcription_id: str) -> bool:
        return self._runner.start(self.FETCH, lambda: self._fetch(transcription_id)) is not None

    async def _fetch(self, transcription_id: str) -> None:
        raw, info = await self.service.get(transcription_id)
        original = await asyncio.to_thread(parse_transcript, raw)
        known = await asyncio.to_thread(self._find_saved, original.transcription_id
                                        or transcription_id)
        edits = TranscriptEdits()
        source = TranscriptSource(title=f"Transcript {transcription_id}")
        if known is not None:  # seen before: keep the user's edits and audio link
            generation, saved = known
            _, edits, notes = await asyncio.to_thread(read_saved, saved.read_bytes())
            audio = notes.get("audio_path")
            source = TranscriptSource(saved, Path(audio) if audio else None, generation.id,
                                      notes.get("title") or generation.title)
        opened = Opened(original, edits, source, info, how="fetched")
        await self._keep(opened, None, raw)  # the server's extra formats saved here too
        await asyncio.to_thread(opened.prepare)
        self.opened.emit(opened)

    def open_json(self, path: Path, parsed: Any = None) -> bool:
        """Open a saved transcript; `parsed`, its JSON already read, spares a second read."""
        return self._runner.start(self.OPEN,
                                  lambda: self._open_json(path, None, parsed)) is not None

    def open_generation(self, generation: Generation) -> bool:
        extra = _extra(generation)
        saved = extra.get("transcript_path")
        if not isinstance(saved, str):
            self.failed.emit(self.OPEN, FileNotFoundError(
                f"“{generation.title}” has no saved transcript file."))
            return False
        return self._runner.start(self.OPEN, lambda: self._open_json(Path(saved), generation)) \
            is not None

    async def _open_json(self, path: Path, generation: Generation | None,
                         parsed: Any = None) -> None:
        # Bounded: a damaged file of gigabytes was read whole (and decoded: twice that).
        data = parsed if isinstance(parsed, dict) else await asyncio.to_thread(
            read_bounded, path, json_files.MAX_JSON_FILE_BYTES)
        original, edits, notes = await asyncio.to_thread(read_saved, data)
        audio = notes.get("audio_path")
        if generation is None:
            audio_path = Path(audio) if audio else _audio_beside(path)
            source = TranscriptSource(None, audio_path, None, notes.get("title") or path.stem)
        else:
            source = TranscriptSource(path, Path(audio) if audio else generation.file_path,
                                      generation.id, generation.title)
        opened = Opened(original, edits, source, how="opened")
        await self._keep(opened, None, None)
        await asyncio.to_thread(opened.prepare)
        self.opened.emit(opened)

    # -- keeping it ------------------------------------------------------------------
    def _find_saved(self, transcription_id: str | None) -> tuple[Generation, Path] | None:
        if not transcription_id:
            return None
        for generation in self._ctx.history.list(kind=KIND, limit=2000):
            extra = _extra(generation)
            path = extra.get("transcript_path")
            if extra.get("transcription_id") == transcription_id and isinstance(path, str) \
                    and Path(path).is_file():
                return generation, Path(path)
        return None

    async def _keep(self, opened: Opened, options: TranscriptionOptions | None,
                    raw: dict[str, Any] | None) -> None:
        generation = await asyncio.to_thread(self._keep_files, opened, options, raw)
        if generation is not None:
            self.generation_added.emit(generation)

    def _keep_files(self, opened: Opened, options: TranscriptionOptions | None,
                    raw: dict[str, Any] | None) -> Generation | None:
        """Save a copy in the data folder and list it in History (once per transcript).
        Runs in a worker thread: no Qt here."""
        generation, formats = keep_files(self.keep_place, opened.original, opened.edits,
                                         opened.source, options, raw, opened.info)
        if raw is not None:
            opened.saved_formats = formats
        return generation

    def save(self, data: dict[str, Any] | Callable[[], dict[str, Any]], path: Path) -> None:
        """Write the edited transcript (latest wins; an older save still running is replaced).
        `data` may be a function making it: it then runs in the worker thread too (for a
        3-hour transcript that takes ~300 ms, too long for the window's thread)."""
        self._runner.restart(self.SAVE, lambda: self._save(data, path))

    async def _save(self, data: dict[str, Any] | Callable[[], dict[str, Any]],
                    path: Path) -> None:
        def write() -> None:
            _write_json(path, data() if callable(data) else data)

        writing = asyncio.ensure_future(asyncio.to_thread(write))
        try:
            await asyncio.shield(writing)
        except asyncio.CancelledError:
            # A newer save replaces this one: let this write end first (a thread cannot
            # be stopped), so the two never write the file at the same time.
            with contextlib.suppress(Exception):
                await asyncio.shield(writing)
            raise
        self.saved.emit(path)

    def save_now(self, data: dict[str, Any], path: Path) -> None:
        _write_json(path, data)

    # -- the rest --------------------------------------------------------------------
    def delete_remote(self, transcription_id: str) -> bool:
        async def delete() -> None:
            await self.service.delete(transcription_id)
            self.deleted.emit(transcription_id)

        return self._runner.start(self.DELETE, delete) is not None

    def export(self, original: Transcript, edits: TranscriptEdits, request: ExportRequest,
               stop: threading.Event | None = None,
               ended: Callable[[], None] | None = None,
               progress: Callable[[int, int], None] | None = None) -> bool:
        """Render and write in a worker thread; `stop` (the progress window's Cancel) is
        checked between the rendered pieces (paragraphs, subtitles) and the written
        ones, and ends it with `export_stopped` and no file. `progress(done, total)` is
        called from the worker thread as the rendering goes on. `ended()` is called
        however it ends."""
        stop = stop if stop is not None else threading.Event()

        async def export() -> None:
            try:
                await asyncio.to_thread(render_and_write, original, edits, request, stop,
                                        progress)
            except ExportStopped:
                self.export_stopped.emit(request.path)
                return
            finally:
                stop.set()  # a cancelled task (the tab closing) stops its thread too
                if ended is not None:
                    ended()
            self.exported.emit(request.path)

        self._exports += 1  # each export its own task: a second one never waits or fails
        return self._runner.start(f"{self.EXPORT}.{self._exports}", export) is not None

    def load_audio(self, path: Path) -> None:
        async def load() -> None:
            from app.audio import decode
            from app.audio.file_stream import is_long_file
            from app.audio.peaks import compute_peaks

            if await asyncio.to_thread(is_long_file, path):
                await self._load_long(path)
                return
            clip = await asyncio.to_thread(decode.decode_file, path)
            peaks = await asyncio.to_thread(compute_peaks, clip, PEAK_BUCKETS)
            self.audio_loaded.emit(clip, peaks, path)

        self._runner.restart(self.AUDIO, load)  # the recording chosen last wins

    async def _load_long(self, path: Path) -> None:
        """A long recording plays from disk at once (three hours decoded whole would be
        2-4 GB and minutes of waiting); its waveform is read after, in blocks."""
        import threading

        from app.audio.file_stream import file_peaks
        from app.audio.recording_file import RecordingFile

        recording = await asyncio.to_thread(RecordingFile.open, path)
        self.audio_loaded.emit(recording, None, path)
        stop = threading.Event()  # a thread cannot be cancelled: it is asked to stop
        try:
            peaks = await asyncio.to_thread(file_peaks, path, PEAK_BUCKETS, stop)
        except asyncio.CancelledError:
            stop.set()
            raise
        self.peaks_loaded.emit(peaks, path)

    def refresh_recent(self) -> None:
        async def recent() -> None:
            items = await asyncio.to_thread(self._ctx.history.list, "", KIND, 50)
            self.recent_loaded.emit(items)

        self._runner.start(self.RECENT, recent)

    # -- for the other ways a transcript comes (Align to a script…) ------------------
    @property
    def client(self) -> Any:
        """The API client (with a key: ElevenLabs; without: the local engine)."""
        return self._ctx.client

    def start_task(self, name: str, work: Callable[[], Any]) -> bool:
        """Run `work` (a coroutine function) as the named task; False if it is running."""
        return self._runner.start(name, work) is not None

    async def record_alignment_cost(self, recording: Path, script_text: str,
                                    duration_ms: int | None, info: Any) -> None:
        """Write an alignment's cost to the usage ledger (see app/services/cost_recording)."""
        await self._ctx.costs.alignment(recording, script_text, duration_ms, info)

    async def keep_and_open(self, opened: Opened, raw: dict[str, Any] | None) -> None:
        """Keep a transcript made elsewhere (data folder, History) and open it."""
        await self._keep(opened, None, raw)
        await asyncio.to_thread(opened.prepare)
        self.opened.emit(opened)


def _audio_beside(path: Path) -> Path | None:
    """A recording next to a transcript file with the same name, if there is one."""
    for suffix in (".wav", ".mp3", ".m4a", ".flac", ".ogg", ".opus", ".mp4", ".webm"):
        candidate = path.with_suffix(suffix)
        if candidate.is_file():
            return candidate
    return None


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """A transcript file, written so the window keeps responding (see json_io)."""
    atomic_write_text(path, json_io.dumps(data))
