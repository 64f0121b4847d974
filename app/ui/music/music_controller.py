"""The Music tab's work: list models, write plans, compose (streamed, whole or with
details), keep every song in History, play versions and compare two of them.

Slow steps run as named tasks on the event loop; decoding and file writes in worker
threads. Outcomes come back as signals the tab turns into words.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from app.api.client import ResponseInfo
from app.api.errors import (
    ApiProtocolError,
    ApiStatusError,
    ForbiddenError,
    ValidationError,
    paid_answer,
)
from app.api.music import MusicService
from app.domain.music_detailed import DetailedResult
from app.domain.music_detailed_stream import DetailedStreamCollector, DetailedStreamError
from app.domain.music_plan import Plan
from app.domain.music_request import MusicEndpoint, plan_request_body
from app.library.history import Generation, NewGeneration
from app.services.generation import GenerationRun
from app.ui.app_context import AppContext
from app.ui.music.compose_request import KNOWN_MODELS, ComposeRequest, order_models
from app.ui.qt_async import TaskRunner

if TYPE_CHECKING:  # numpy and the decoders load on first compose, not at start-up
    import numpy as np

    from app.audio.clip import AudioClip

log = logging.getLogger(__name__)

COMPARE_GAP_S = 0.8


class FeatureRefusedError(Exception):
    """The server refused keeping parts of an earlier song (403/422): not on this account."""


class MusicController(QObject):
    models_loaded = Signal(list)  # model ids, newest first
    compose_started = Signal(str)  # endpoint: "stream", "compose", "detailed"...
    # Streamed details, each time more arrive: the plan asked for, the plan the server
    # follows and the section times so far (Plan | None, Plan | None, list[SectionTime]).
    sections_arrived = Signal(object, object, list)
    audio_arrived = Signal(object, float)  # peaks so far, seconds so far
    compose_finished = Signal(object, object)  # Generation, DetailedResult | None
    compose_failed = Signal(object)  # exception
    compose_cancelled = Signal()
    note = Signal(str)  # something the user should know, in plain words
    plan_written = Signal(object)  # Plan
    plan_failed = Signal(object)  # exception
    playback_ready = Signal(str, object)  # title, peaks
    playback_failed = Signal(object)  # exception

    MODELS = "music.models"
    COMPOSE = "music.compose"
    PLAN = "music.plan"
    PLAY = "music.play"

    def __init__(self, ctx: AppContext, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        service = getattr(ctx, "music", None)
        self.music: MusicService = service if isinstance(service, MusicService) \
            else MusicService(ctx.client)
        self.last: Generation | None = None  # the latest song composed here
        self._ours_ms: int | None = None  # the length of our clip in the player, if it is ours
        self._pending_seek_ms: int | None = None
        runner.task_failed.connect(self._on_runner_task_failed)
        runner.reports(self.COMPOSE, self.PLAN, self.PLAY)
        runner.task_cancelled.connect(self._on_runner_task_cancelled)

    @property
    def is_composing(self) -> bool:
        return self._runner.is_running(self.COMPOSE)

    @property
    def can_compose(self) -> bool:
        """Nothing composing, or only a cancelled song still stopping (Compose then
        starts the next one as soon as it has)."""
        return not self.is_composing or self._runner.is_cancelling(self.COMPOSE)

    # -- models ----------------------------------------------------------------------------
    def load_models(self) -> None:
        self._runner.restart(self.MODELS, self._load_models)

    async def _load_models(self) -> None:
        try:
            models = await self._ctx.voices.list_models()
            ids = order_models([m.model_id for m in models])
        except Exception:  # the list is a nicety: the known models always work
            log.info("could not list models; using the known music models", exc_info=True)
            ids = list(KNOWN_MODELS)
        self.models_loaded.emit(ids)

    # -- plan from a prompt ----------------------------------------------------------------
    def write_plan(self, prompt: str, music_length_ms: int | None, model_id: str,
                   source: Plan | None = None) -> bool:
        body = plan_request_body(prompt, music_length_ms, model_id, source)
        self._runner.restart(self.PLAN, lambda: self._write_plan(body))  # latest wins
        return True

    async def _write_plan(self, body: dict[str, Any]) -> None:
        self.plan_written.emit(await self.music.written_plan(body))

    # -- composing -------------------------------------------------------------------------
    def compose(self, request: ComposeRequest) -> bool:
        request.body()  # raises MusicRequestError now, before anything starts
        if not self.can_compose:
            return False  # one song at a time: the tab offers Cancel meanwhile
        # A cancelled song may still be unwinding: this one starts once it has.
        self._runner.restart(self.COMPOSE, lambda: self._compose(request))
        return True

    def cancel(self) -> None:
        self._runner.cancel(self.COMPOSE)

    async def _compose(self, request: ComposeRequest) -> None:
        endpoint = request.endpoint()
        self._ours_ms = 0
        self.compose_started.emit(endpoint)
        fmt = request.audio_format
        # The streamed answer that started, if one did: the server charges a song when it
        # starts it, so a song stopped or cut off while arriving is still paid for.
        started: list[ResponseInfo] = []
        try:
            run, request, info, detailed, endpoint = await self._compose_run(
                request, endpoint, started.append)
        except BaseException as exc:
            # No version (the audio is not whole), but the usage ledger counts what was paid.
            await self._record_unfinished(request, exc, started[-1] if started else None)
            raise
        if run.playback_problem:  # saved all the same; say why nothing was heard
            self.note.emit(f"It could not be played as it arrived: {run.playback_problem} "
                           "Pick another sound output in Settings, then press Play.")
        extra: dict[str, Any] = {"song_id": info.song_id, "stored": request.store_for_inpainting,
                                 "endpoint": endpoint}
        if detailed is not None:
            refused = detailed.metadata.get("section_times_refused")
            if isinstance(refused, str):
                self.note.emit(refused)
            extra["song_metadata"] = detailed.metadata.get("song_metadata")
            extra["composition_plan"] = detailed.metadata.get("composition_plan")
            extra["section_timings_ms"] = [list(t) for t in detailed.section_timings_ms]
            extra["words"] = len(detailed.words)
        entry = NewGeneration(
            kind="music",
            title=(detailed.title if detailed is not None and detailed.title else None)
            or request.history_title(),
            text=request.history_text(),
            voice_id=None,
            voice_name=None,
            model_id=request.model_id,
            output_format=fmt.value,
            settings_json=request.settings_json(),
            request_ids=[info.request_id] if info.request_id else [],
            character_cost=info.character_cost,
            duration_ms=run.duration_ms,
            file_path=run.path,
            session_id=self._ctx.session_id,
            extra_json=json.dumps(extra, ensure_ascii=False),
        )
        generation = await run.record(entry)
        self.last, self._ours_ms = generation, generation.duration_ms
        self.compose_finished.emit(generation, detailed)

    async def _compose_run(self, request: ComposeRequest, endpoint: MusicEndpoint,
                           charged: Callable[[ResponseInfo], object]
                           ) -> tuple[GenerationRun, ComposeRequest, Any,
                                      DetailedResult | None, MusicEndpoint]:
        """The song into a finished run: (run, the request as finally sent, response
        info, detailed answer, the endpoint that answered). `charged` is told of an
        answer as soon as its headers arrive, streamed or whole."""
        async with GenerationRun(self._ctx.history, self._ctx.player,
                                 request.audio_format, on_audio=self.audio_arrived.emit,
                                 costs=self._ctx.costs) as run:
            await run.sink()  # the file is open before anything is asked (and paid) for
            try:
                info, detailed, endpoint = await self._send(request, endpoint, run, charged)
            except (ForbiddenError, ValidationError) as exc:
                if _about_the_plan(exc):
                    raise  # a refused section or style: the tab marks it in the plan
                if request.keeps_sections:
                    raise FeatureRefusedError(
                        "Keeping parts of an earlier version is not available on this account "
                        f"(the server said: {exc.message})") from exc
                if not request.store_for_inpainting or run.frames:
                    raise
                # Storing songs for later re-making may not be in the plan: go without.
                self.note.emit("This account cannot keep songs for re-making single sections "
                               "later, so this one was composed without that option.")
                request = request.without_store()
                info, detailed, endpoint = await self._send(request, endpoint, run, charged)
            await run.finish()
        return run, request, info, detailed, endpoint

    async def _record_unfinished(self, request: ComposeRequest, exc: BaseException,
                                 started: ResponseInfo | None) -> None:
        """A song that started (and was charged) but made no version: stopped by the
        user, cut off, or answered with something unusable. Nothing when no answer had
        started (refused, never reached): then nothing was charged."""
        paid = started or paid_answer(exc)
        if paid is None:
            return
        from app.services.cost_recording import music_row

        why = ("stopped" if isinstance(exc, asyncio.CancelledError)
               else "answer unusable" if isinstance(exc, ApiProtocolError) else "cut off")
        costs = self._ctx.costs
        await costs.add(music_row(
            title=f"{request.history_title()} ({why})", model_id=request.model_id,
            reported=paid.character_cost, request_id=paid.request_id, source=costs.source))

    async def _send(self, request: ComposeRequest, endpoint: MusicEndpoint, run: GenerationRun,
                    charged: Callable[[ResponseInfo], object]
                    ) -> tuple[Any, DetailedResult | None, MusicEndpoint]:
        """Ask for the song; returns the endpoint that answered (kept with the version)."""
        body = request.body(endpoint)
        if endpoint == "stream":
            async with self.music.stream(body, request.output_format) as stream:
                charged(stream.info)
                await run.feed_stream(stream.chunks())
                return stream.info, None, endpoint
        if endpoint == "detailed_stream":
            try:
                return (*await self._send_detailed_stream(body, request, run, charged),
                        endpoint)
            except ApiStatusError as exc:
                if not _no_such_endpoint(exc) or run.frames:
                    raise
                # A server without the streamed details: the whole reply, as before. Asked
                # again each time (one quick 404): the same client may be pointed at
                # another server after a key change.
                log.info("no streamed details on this server; asking for the whole reply")
                body = request.body("detailed")
                endpoint = "detailed"
        if endpoint == "detailed":
            result, info = await self.music.detailed_with_info(body, request.output_format,
                                                               on_answer=charged)
            await run.feed_whole(result.audio)
            return info, result, endpoint
        # Charged once its headers are in: a song stopped while its body arrives is paid.
        audio, info = await self.music.compose(body, request.output_format, on_answer=charged)
        await run.feed_whole(audio)
        return info, None, endpoint

    async def _send_detailed_stream(self, body: dict[str, Any], request: ComposeRequest,
                                    run: GenerationRun,
                                    charged: Callable[[ResponseInfo], object]
                                    ) -> tuple[Any, DetailedResult]:
        """The song and its details as events: audio to the player as it comes, the
        section times to the tab as each section is reached."""
        async with self.music.detailed_stream(body, request.output_format) as stream:
            charged(stream.info)
            collector = DetailedStreamCollector(song_id=stream.info.song_id)

            async def audio() -> AsyncIterator[bytes]:
                async for event in stream.events():
                    try:
                        collector.add(event)
                    except DetailedStreamError as exc:
                        raise ApiProtocolError(str(exc), stream.info.request_id) from exc
                    if event.type in ("composition_plan", "section"):
                        self.sections_arrived.emit(request.plan, collector.plan,
                                                   list(collector.sections))
                    if event.audio:
                        yield event.audio

            await run.feed_stream(audio())
            try:
                result = collector.result(request.audio_format.mime_type)
            except DetailedStreamError as exc:
                raise ApiProtocolError(str(exc), stream.info.request_id) from exc
            return stream.info, result

    # -- playing versions ------------------------------------------------------------------
    def play(self, generation: Generation) -> None:
        self._runner.restart(self.PLAY, lambda: self._play([generation], generation.title))

    def compare(self, first: Generation, second: Generation) -> None:
        """Play `first`, a short pause, then `second`, as one clip."""
        title = f"Compare: “{first.title}” then “{second.title}”"
        self._runner.restart(self.PLAY, lambda: self._play([first, second], title))

    async def _play(self, generations: list[Generation], title: str) -> None:
        clip = await asyncio.to_thread(_joined_clip, generations)
        from app.audio.peaks import compute_peaks

        peaks = await asyncio.to_thread(compute_peaks, clip, 800)
        player = self._ctx.player
        player.load(clip)
        self._ours_ms = player.duration_ms
        if self._pending_seek_ms is not None:
            player.seek(self._pending_seek_ms)
            self._pending_seek_ms = None
        player.play()
        self.playback_ready.emit(title, peaks)

    def owns_player(self) -> bool:
        """Whether the player holds a song from this tab (so the timeline may follow it)."""
        if self._ours_ms is None:
            return False
        return self.is_composing or abs(self._ctx.player.duration_ms - self._ours_ms) < 1000

    def seek(self, ms: int) -> bool:
        """Play our song from `ms`: at once (True), or after loading the latest (False)."""
        if self._ours_ms and self.owns_player():
            self._ctx.player.seek(ms)
            self._ctx.player.play()
            return True
        if self.last is not None:
            self._pending_seek_ms = ms
            self.play(self.last)
        return False

    # -- reporting -------------------------------------------------------------------------
    def _on_runner_task_failed(self, name: str, exc: object) -> None:
        if name == self.COMPOSE:
            self.compose_failed.emit(exc)
        elif name == self.PLAN:
            self.plan_failed.emit(exc)
        elif name == self.PLAY:
            self.playback_failed.emit(exc)

    def _on_runner_task_cancelled(self, name: str) -> None:
        if name == self.COMPOSE:
            self._ours_ms = None
            self.compose_cancelled.emit()


def _joined_clip(generations: list[Generation]) -> AudioClip:
    import numpy as np

    from app.audio.clip import AudioClip

    """The versions one after another with a short pause, at the first one's rate."""
    from app.audio.decode import decode_file
    from app.domain.formats import OutputFormat

    parts: list[np.ndarray] = []
    rate = 0
    for generation in generations:
        fmt = None
        with contextlib.suppress(ValueError):
            fmt = OutputFormat.parse(generation.output_format)
        if generation.file_path is None:
            raise FileNotFoundError(f"“{generation.title}” has no audio file")
        clip = decode_file(generation.file_path, fmt).mono()
        samples = clip.samples[:, 0]
        if rate == 0:
            rate = clip.sample_rate_hz
        elif clip.sample_rate_hz != rate and samples.size:
            positions = np.arange(round(samples.size * rate / clip.sample_rate_hz))
            samples = np.interp(positions * clip.sample_rate_hz / rate,
                                np.arange(samples.size), samples).astype(np.float32)
        if parts:
            parts.append(np.zeros(int(rate * COMPARE_GAP_S), dtype=np.float32))
        parts.append(samples)
    return AudioClip(np.concatenate(parts) if parts else np.zeros(1, np.float32), rate or 44100)


def _no_such_endpoint(exc: Exception) -> bool:
    """A bare 404/405: the server has no such route. One with an error code ("not_found",
    "song_not_found"...) comes from a route that exists and is said to the user, as the
    Speech tab does for its with-timestamps endpoints."""
    return isinstance(exc, ApiStatusError) and exc.status_code in (404, 405) \
        and exc.code is None


def _about_the_plan(exc: Exception) -> bool:
    """A 422 whose field errors point into the composition plan (a section's length, a
    style...): not a refusal of keeping or storing songs, whatever else was asked."""
    return isinstance(exc, ValidationError) and any(
        "composition_plan" in error.loc for error in exc.field_errors)
