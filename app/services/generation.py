"""One generation's audio, from the first chunk to its History entry, without Qt.

Speech and Music both: open an atomic writer (in a worker thread, while the request is on
its way), stream chunks or whole parts into a `GenerationSink` (file, player, waveform),
report waveform peaks at most every `PEAKS_INTERVAL_S`, then finish (the file appears
under its final name) or abort (the partial is removed), and record the History entry.

    async with GenerationRun(history, player, fmt, on_audio=report) as run:
        async with speech.stream(...) as stream:
            await run.feed_stream(stream.chunks())
        await run.finish()
    generation = await run.record(entry)   # History, and the cost in the usage ledger

Leaving the `async with` by an exception or a cancellation, or without `finish()`,
removes the partial file. The caller (a Qt controller) keeps signals and UI state; the
peaks callback runs on the event loop's thread.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterable, Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from app.library.history import Generation, HistoryStore, NewGeneration

if TYPE_CHECKING:  # numpy and the decoders load with the first generation
    from app.audio.player import Player
    from app.domain.formats import OutputFormat
    from app.services.cost_recording import CostRecorder
    from app.services.generation_sink import GenerationSink

PEAKS_INTERVAL_S = 0.1

# Peaks so far (a numpy array) and the seconds of audio so far.
AudioReport = Callable[[Any, float], None]


class PeakThrottle:
    """Passes waveform updates on at most once per `interval_s` (forced ones always), so a
    fast stream does not flood the event loop with repaints."""

    def __init__(self, report: AudioReport | None, interval_s: float = PEAKS_INTERVAL_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._report = report
        self._interval_s = interval_s
        self._clock = clock
        self._last_at: float | None = None

    def offer(self, sink: GenerationSink, force: bool = False) -> bool:
        """Report the sink's peaks if it is time (or forced); True when reported."""
        if self._report is None:
            return False
        now = self._clock()
        if not force and self._last_at is not None and now - self._last_at < self._interval_s:
            return False
        self._last_at = now
        self._report(sink.peaks(), sink.duration_ms / 1000)
        return True


class GenerationRun:
    """One generation's file, sink and outcome. Use as `async with`; see the module doc."""

    def __init__(self, history: HistoryStore, player: Player | None, fmt: OutputFormat, *,
                 multipart: bool = False, on_audio: AudioReport | None = None,
                 peaks_interval_s: float = PEAKS_INTERVAL_S,
                 costs: CostRecorder | None = None, cost_multiplier: float = 1.0) -> None:
        self.history = history
        self._costs = costs
        self._cost_multiplier = cost_multiplier
        self.fmt = fmt
        self._player = player
        self._multipart = multipart
        self._throttle = PeakThrottle(on_audio, peaks_interval_s)
        self._opening: asyncio.Future[GenerationSink] | None = None
        self.path: Path | None = None  # the finished file, once `finish()` returned

    # -- lifetime ------------------------------------------------------------------------
    def begin(self) -> None:
        """Start opening the file and the decoder in a worker thread (idempotent): the
        first request can leave meanwhile, so the first sound plays as soon as it can."""
        if self._opening is None:
            self._opening = asyncio.ensure_future(asyncio.to_thread(self._open_sink))

    def _open_sink(self) -> GenerationSink:
        # Decoders (PyAV, soundfile) load here, in the worker thread: imported on the GUI
        # thread they stalled it ~80 ms.
        from app.services.generation_sink import GenerationSink

        writer = self.history.open_audio_writer(self.fmt.file_extension)
        try:
            return GenerationSink(self.fmt, writer, self._player, multipart=self._multipart)
        except BaseException:
            writer.abort()
            raise

    async def sink(self) -> GenerationSink:
        """The sink, once its file is open (raises what opening it raised)."""
        self.begin()
        assert self._opening is not None
        # Shielded: a cancellation here must not lose the writer, or `abort()` could not
        # remove its partial file.
        return await asyncio.shield(self._opening)

    async def __aenter__(self) -> GenerationRun:
        self.begin()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        if self.path is None:
            await asyncio.shield(self.abort())

    async def abort(self) -> None:
        """Remove the partial file, whether or not any audio had arrived."""
        if self._opening is None:
            return
        try:
            sink = await asyncio.shield(self._opening)
        except BaseException:
            return  # the file was never opened
        await asyncio.to_thread(sink.abort)

    # -- audio ---------------------------------------------------------------------------
    async def feed_stream(self, chunks: AsyncIterable[bytes]) -> None:
        """One streamed part, chunk by chunk (any byte boundaries), then drain the decoder
        so a following part starts clean."""
        async for chunk in chunks:
            sink = await self.sink()
            await asyncio.to_thread(sink.accept_stream_chunk, chunk)
            self._throttle.offer(sink)
        await asyncio.to_thread((await self.sink()).end_part)

    async def feed_whole(self, data: bytes) -> None:
        """One complete part (a non-streaming endpoint's file)."""
        sink = await self.sink()
        await asyncio.to_thread(sink.accept_whole_part, data)
        self._throttle.offer(sink, force=True)

    @property
    def frames(self) -> int:
        """Samples heard so far (0 before any audio, or before the file is open)."""
        opening = self._opening
        if opening is None or not opening.done() or opening.cancelled() \
                or opening.exception() is not None:
            return 0
        return opening.result().frames

    @property
    def audio_ms(self) -> int:
        """Milliseconds of audio received so far (0 before the file is open)."""
        opening = self._opening
        if opening is None or not opening.done() or opening.cancelled() \
                or opening.exception() is not None:
            return 0
        return opening.result().duration_ms

    # -- outcome -------------------------------------------------------------------------
    async def finish(self) -> Path:
        """Complete the file under its final name and send the last peaks. A reply with
        no audio at all (a 200 whose body held none) is an error, never an empty file kept
        as a finished generation."""
        sink = await self.sink()
        if sink.frames == 0:
            from app.api.errors import ApiProtocolError

            raise ApiProtocolError("The server's answer held no audio.")
        self.path = await asyncio.to_thread(sink.finish)
        self._throttle.offer(sink, force=True)
        return self.path

    @property
    def duration_ms(self) -> int:
        return self._finished_sink().duration_ms

    @property
    def playback_problem(self) -> str | None:
        """Why the audio could not be heard as it arrived (saved all the same)."""
        return self._finished_sink().playback_problem

    def _finished_sink(self) -> GenerationSink:
        if self.path is None or self._opening is None:
            raise RuntimeError("the generation has not finished")
        return self._opening.result()

    async def record(self, entry: NewGeneration) -> Generation:
        """Add the History entry for the finished file (its path and length filled in),
        and its cost to the usage ledger (which never fails the generation)."""
        if self.path is None:
            raise RuntimeError("finish() the generation before recording it")
        complete = dataclasses.replace(entry, file_path=self.path, duration_ms=self.duration_ms)
        generation = await asyncio.to_thread(self.history.add, complete)
        if self._costs is not None:
            await self._costs.generation(generation, self._cost_multiplier)
        return generation


__all__ = ["PEAKS_INTERVAL_S", "GenerationRun", "PeakThrottle"]
