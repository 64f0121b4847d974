"""The Speech tab's work: load voices and models, generate (streamed, stitched), preview.

Every slow step runs as a named task on the event loop; decoding and file writes run in
worker threads. Results and failures come back as signals the tab turns into words.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from app.api.audio_base64 import decode_audio_base64
from app.api.client import ResponseInfo
from app.api.errors import ApiProtocolError, NotFoundError
from app.api.responses import AUDIO_TYPES
from app.api.voices import VoicesService
from app.domain.text_split import split_for_limit
from app.domain.word_timing import AlignmentCollector
from app.library.history import Generation, NewGeneration
from app.services.generation import GenerationRun
from app.ui.app_context import AppContext
from app.ui.qt_async import TaskRunner
from app.ui.speech.speech_form import SpeechForm

if TYPE_CHECKING:
    from app.domain.wire import (
        AudioWithTimestamps,
        Model,
        SpeechRequest,
        Subscription,
        Voice,
        VoiceSettings,
    )

log = logging.getLogger(__name__)


@dataclass
class _Paid:
    """The parts of one generation the server has charged for so far: a part counts from
    the moment its answer starts (the server charges a request when it starts it), so a
    part still downloading when the user stops is counted too."""

    parts: list[str] = field(default_factory=list)
    costs: list[int] = field(default_factory=list)  # the server's, where it said
    request_ids: list[str] = field(default_factory=list)
    whole: int = 0  # parts whose audio arrived in full

    @property
    def reported(self) -> int | None:
        return sum(self.costs) if self.costs else None

    def charged(self, part: str, info: ResponseInfo) -> None:
        self.parts.append(part)
        if info.character_cost is not None:
            self.costs.append(info.character_cost)
        if info.request_id:
            self.request_ids.append(info.request_id)


def _charged_anyway(exc: ApiProtocolError,
                    answered: Callable[[ResponseInfo], None]) -> None:
    """A whole answer refused after the server made (and charged for) it still counts
    as paid; a streamed one was counted when it started."""
    if exc.info is not None:
        answered(exc.info)


@dataclass(frozen=True)
class Catalog:
    models: list[Model]
    voices: list[Voice]
    default_settings: VoiceSettings


class SpeechController(QObject):
    catalog_loaded = Signal(object)  # Catalog
    catalog_failed = Signal(object)  # exception
    generation_started = Signal(int)  # number of parts
    generation_progress = Signal(int, int)  # parts done, parts in all
    audio_arrived = Signal(object, float)  # peaks so far, seconds so far
    generation_finished = Signal(object)  # Generation
    generation_failed = Signal(object)  # exception
    generation_cancelled = Signal()
    preview_failed = Signal(object)  # exception: a voice's sample could not be played
    # Saved, but it could not be heard as it arrived (the sound device): plain words.
    playback_problem = Signal(str)
    quota_changed = Signal(object)  # Subscription
    quota_failed = Signal(object)  # exception: the credits left could not be read
    retrying = Signal(str)  # plain words, e.g. "Server busy; trying again in 2 s"
    # The text being generated and its words' timings so far (WordTime tuple), sent as
    # the with-timestamps answers arrive, once the audio they describe is in the player.
    words_timed = Signal(str, object)

    LOAD = "speech.load"
    GENERATE = "speech.generate"
    PREVIEW = "speech.preview"

    def __init__(self, ctx: AppContext, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._pending_start: int | None = None
        # Models whose server refused the with-timestamps endpoints (this session).
        self._untimed_models: set[str] = set()
        runner.task_failed.connect(self._on_runner_task_failed)
        runner.reports(self.LOAD, self.GENERATE, self.PREVIEW)
        runner.task_cancelled.connect(self._on_runner_task_cancelled)

    @property
    def is_generating(self) -> bool:
        return self._runner.is_running(self.GENERATE)

    @property
    def can_generate(self) -> bool:
        """Nothing generating, or only a cancelled generation still stopping (Generate
        then starts once it has, instead of doing nothing)."""
        return not self.is_generating or self._runner.is_cancelling(self.GENERATE)

    # -- catalog ---------------------------------------------------------------------
    def load_catalog(self) -> None:
        self._runner.restart(self.LOAD, self._load_catalog)

    async def _load_catalog(self) -> None:
        service: VoicesService = self._ctx.voices
        models, voices, defaults = await asyncio.gather(
            service.list_models(), service.all_voices(), service.default_settings()
        )
        tts_models = [m for m in models if m.can_do_text_to_speech]
        self.catalog_loaded.emit(Catalog(tts_models, voices, defaults))

    # -- generation ------------------------------------------------------------------
    def generate(self, form: SpeechForm) -> bool:
        if not self.can_generate:
            return False
        self._runner.restart(self.GENERATE, lambda: self._generate(form))
        return True

    def cancel(self) -> None:
        self._runner.cancel(self.GENERATE)

    async def _generate(self, form: SpeechForm) -> None:
        limit = max(1, form.model.maximum_text_length_per_request)
        parts = split_for_limit(form.text, limit)
        # The first request leaves before anything else is done: the tab updates itself
        # (next loop turn) and the run opens the file and decoder (worker thread) while it
        # is on its way, so the first sound plays as soon as the network allows.
        self._pending_start = len(parts)
        asyncio.get_running_loop().call_soon(self._announce_started)
        fmt = form.output_format
        timed = AlignmentCollector()
        paid = _Paid()
        try:
            run = await self._make_parts(form, parts, paid, timed)
        except BaseException:
            # Stopped or failed part-way: no History entry (the audio is not whole), but
            # the parts begun were paid for, and the usage ledger counts every paid request.
            if paid.parts:
                await self._record_unfinished(form, paid, len(parts))
            raise
        entry = NewGeneration(
            kind="speech",
            title=_title_for(form.text),
            text=form.text,
            voice_id=form.voice.voice_id,
            voice_name=form.voice.name,
            model_id=form.model.model_id,
            output_format=fmt.value,
            settings_json=json.dumps(
                {
                    "voice_settings": form.voice_settings.model_dump(mode="json"),
                    "language_code": form.language_code,
                    "seed": form.seed,
                    "apply_text_normalization": form.normalization,
                }
            ),
            request_ids=paid.request_ids,
            character_cost=paid.reported,
            duration_ms=run.duration_ms,
            file_path=run.path,
            session_id=self._ctx.session_id,
        )
        generation = await run.record(entry)
        self.generation_finished.emit(generation)
        if run.playback_problem:
            self.playback_problem.emit(run.playback_problem)
        await self._refresh_quota()

    async def _make_parts(self, form: SpeechForm, parts: list[str], paid: _Paid,
                          timed: AlignmentCollector) -> GenerationRun:
        """Every part into one run, finished; `paid` grows as each part's answer starts
        (also when it or a later one fails)."""
        async with GenerationRun(self._ctx.history, self._ctx.player, form.output_format,
                                 multipart=len(parts) > 1,
                                 on_audio=self.audio_arrived.emit, costs=self._ctx.costs,
                                 cost_multiplier=form.model.cost_multiplier) as run:
            for index, part in enumerate(parts):
                timed.start_request(run.audio_ms)
                earlier_ids = paid.request_ids
                request = form.request_for(
                    part,
                    # Request stitching: neighbours' text, or better, earlier request ids.
                    previous_text=parts[index - 1] if index > 0 and not earlier_ids else None,
                    next_text=parts[index + 1] if index + 1 < len(parts) else None,
                    previous_request_ids=earlier_ids[-3:],
                )
                await self._generate_part(form, request, run, timed,
                                          functools.partial(paid.charged, part))
                paid.whole += 1
                if not timed.empty:  # the part's last word is complete now
                    self.words_timed.emit(form.text, timed.words(final=True))
                self.generation_progress.emit(index + 1, len(parts))
            await run.finish()
        return run

    async def _record_unfinished(self, form: SpeechForm, paid: _Paid, parts: int) -> None:
        """The usage ledger's row for the parts begun before a generation stopped."""
        from app.services.cost_recording import speech_row

        costs = self._ctx.costs
        title = f"{_title_for(form.text)} (stopped after {paid.whole} of {parts} parts)" \
            if parts > 1 else f"{_title_for(form.text)} (stopped)"
        await costs.add(speech_row(
            text="".join(paid.parts), title=title, model_id=form.model.model_id,
            reported=paid.reported,
            multiplier=form.model.cost_multiplier,
            request_id=paid.request_ids[-1] if paid.request_ids else None,
            source=costs.source))

    def _announce_started(self) -> None:
        """generation_started, once per generation, and always before its outcome."""
        parts, self._pending_start = self._pending_start, None
        if parts is not None:
            self.generation_started.emit(parts)

    async def _generate_part(self, form: SpeechForm, request: SpeechRequest,
                             run: GenerationRun, timed: AlignmentCollector,
                             answered: Callable[[ResponseInfo], None]) -> None:
        """One part into the run. `answered` is told as soon as the server's answer starts,
        before its audio has arrived."""
        model_id = form.model.model_id
        if model_id not in self._untimed_models:
            try:
                await self._generate_part_timed(form, request, run, timed, answered)
                return
            except NotFoundError as exc:
                # `/v1/models` says nothing about timestamps: a server without the
                # with-timestamps endpoints answers a bare 404 (no error code, unlike
                # "voice_not_found") before any audio. Then generate as before, without
                # the spoken-word highlight.
                if exc.code is not None or run.frames or not timed.empty:
                    raise
                log.info("no with-timestamps endpoint for %s; generating without",
                         model_id)
                self._untimed_models.add(model_id)
        speech = self._ctx.speech
        if form.output_format.can_stream:
            async with speech.stream(form.voice.voice_id, request, form.options()) as stream:
                answered(stream.info)
                await run.feed_stream(stream.chunks())
            return
        try:
            result = await speech.convert(form.voice.voice_id, request, form.options())
        except ApiProtocolError as exc:
            _charged_anyway(exc, answered)
            raise
        answered(result.info)
        await run.feed_whole(result.audio)

    async def _generate_part_timed(self, form: SpeechForm, request: SpeechRequest,
                                   run: GenerationRun, timed: AlignmentCollector,
                                   answered: Callable[[ResponseInfo], None]) -> None:
        """One part through the with-timestamps endpoints: the audio goes to the run as
        it arrives; each piece's character times are announced once its audio is in."""
        speech = self._ctx.speech
        if not form.output_format.can_stream:
            try:
                data, info = await speech.with_timestamps(form.voice.voice_id, request,
                                                          form.options())
            except ApiProtocolError as exc:
                _charged_anyway(exc, answered)
                raise
            answered(info)
            await run.feed_whole(await decode_audio_base64(data.audio_base64, info.request_id))
            self._add_timing(form.text, timed, data)
            return

        async def audio(items: AsyncIterator[AudioWithTimestamps],
                        request_id: str | None) -> AsyncIterator[bytes]:
            async for item in items:
                if item.audio_base64:
                    yield await decode_audio_base64(item.audio_base64, request_id)
                # (Resumed once the run has taken the audio above.)
                self._add_timing(form.text, timed, item)

        async with speech.stream_with_timestamps(form.voice.voice_id, request,
                                                 form.options()) as stream:
            answered(stream.info)
            await run.feed_stream(audio(stream.chunks(), stream.info.request_id))

    def _add_timing(self, text: str, timed: AlignmentCollector,
                    item: AudioWithTimestamps) -> None:
        alignment = item.alignment or item.normalized_alignment
        if alignment is None or not alignment.characters:
            return
        timed.add(alignment.characters, alignment.character_start_times_seconds,
                  alignment.character_end_times_seconds)
        self.words_timed.emit(text, timed.words())

    async def _refresh_quota(self) -> None:
        """Quota left after a generation, when the account endpoint answers (best effort)."""
        try:
            subscription: Subscription = await self._ctx.account.subscription()
        except Exception as exc:  # e.g. a key without the user_read scope: not an error
            log.info("subscription not available", exc_info=True)
            self.quota_failed.emit(exc)
            return
        self.quota_changed.emit(subscription)

    def refresh_quota(self) -> None:
        self._runner.start("speech.quota", self._refresh_quota)

    # -- preview ---------------------------------------------------------------------
    def preview(self, voice: Voice, form: SpeechForm | None) -> None:
        self._runner.restart(self.PREVIEW, lambda: self._preview(voice, form))

    async def _preview(self, voice: Voice, form: SpeechForm | None) -> None:
        from app.audio.decode import decode_bytes  # decoding libs load on first use

        if voice.preview_url:
            data = await self._ctx.client.fetch_public(voice.preview_url,
                                                     expect=AUDIO_TYPES)
            clip = await asyncio.to_thread(decode_bytes, data, None)
        elif form is not None:
            sample = SpeechForm(
                text=f"Hello! I am {voice.name}. This is how I sound.",
                voice=voice, model=form.model, output_format=form.output_format,
                voice_settings=form.voice_settings,
            )
            result = await self._ctx.speech.convert(
                voice.voice_id, sample.request_for(sample.text), sample.options()
            )
            clip = await asyncio.to_thread(decode_bytes, result.audio, form.output_format)
        else:
            return
        self._ctx.player.load(clip)
        self._ctx.player.play()

    # -- reporting -------------------------------------------------------------------
    def _on_runner_task_failed(self, name: str, exc: object) -> None:
        if name == self.LOAD:
            self.catalog_failed.emit(exc)
        elif name == self.GENERATE:
            self._announce_started()
            self.generation_failed.emit(exc)
        elif name == self.PREVIEW:
            self.preview_failed.emit(exc)

    def _on_runner_task_cancelled(self, name: str) -> None:
        if name == self.GENERATE:
            self._announce_started()
            self.generation_cancelled.emit()


def _title_for(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 60 else line[:57].rstrip() + "…"


__all__ = ["Catalog", "Generation", "SpeechController"]
