"""Review playback: a clip played faster or slower without changing its pitch, in blocks.

Rubber Band (through `pedalboard.time_stretch`) stretches ~2 s of the source at a time in
a worker thread, with 0.25 s of context either side so each block starts and ends as
it would inside the whole file; the output that belongs to the block itself is kept
(exactly `frames / speed` of it, so lengths add up). The blocks go into the player's
windowed stream (app/audio/player_buffer.py `open_window`): only ~15 s is held ahead, so a
3-hour file costs no more than a short one, and the worker waits while enough is ahead.
A span can loop (the current sentence, a selection). `SourceMap` turns the position
the player reports (in played frames) back into the clip's own time, for the
highlighted word.
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from app.audio.clip import SampleSource
    from app.audio.player import Player, StreamFeed

MIN_SPEED = 0.5
MAX_SPEED = 2.0
BLOCK_S = 2.0
CONTEXT_S = 0.25
_WAIT_S = 0.02  # the worker's nap while the player has enough ahead


def stretch(samples: np.ndarray, rate: int, speed: float) -> np.ndarray:
    """(frames, channels) float32 played `speed` times as fast, the pitch kept."""
    import numpy as np

    if abs(speed - 1.0) < 1e-6:
        return np.ascontiguousarray(samples, dtype=np.float32)
    import pedalboard

    out = pedalboard.time_stretch(np.ascontiguousarray(samples.T, dtype=np.float32), rate,
                                  stretch_factor=speed, high_quality=True)
    return np.ascontiguousarray(out.T)


@dataclass
class SourceMap:
    """Which clip frame each played frame came from: (played frame, clip frame) at the
    start of every block; frames within a block advance `speed` clip frames each."""

    speed: float
    starts: list[int]
    sources: list[int]

    def __init__(self, speed: float) -> None:
        self.speed = speed
        self.starts = []
        self.sources = []
        self._lock = threading.Lock()

    def add(self, played_frame: int, clip_frame: int) -> None:
        with self._lock:
            self.starts.append(played_frame)
            self.sources.append(clip_frame)

    def clip_frame(self, played_frame: int) -> int | None:
        with self._lock:
            i = bisect.bisect_right(self.starts, played_frame) - 1
            if i < 0:
                return None
            return self.sources[i] + round((played_frame - self.starts[i]) * self.speed)

    def restart(self, played_frame: int) -> int | None:
        """A seek in the played stream: the clip frame it lands on (extrapolated at
        `speed` from the nearest block, made or not yet), and the map starts again
        there (None before anything was made)."""
        with self._lock:
            if not self.starts:
                return None
            i = max(0, bisect.bisect_right(self.starts, played_frame) - 1)
            clip = max(0, self.sources[i] + round((played_frame - self.starts[i])
                                                  * self.speed))
            self.starts, self.sources = [], []
            return clip


class StretchedPlayback:
    """Plays `clip` from `start_ms` at `speed` into `player`, looping `loop_ms` (a span
    of the clip) when given: `max_loops` times, or until stopped when None. `clip` is
    decoded, or a long recording read from disk a block at a time (a SampleSource).
    A seek the player itself is asked for (not through `clip_ms`) carries on from the
    clip's place that the stream's time stands for, stretched still."""

    def __init__(self, player: Player, clip: SampleSource, speed: float, start_ms: int,
                 loop_ms: tuple[int, int] | None = None, max_loops: int | None = None) -> None:
        if not MIN_SPEED <= speed <= MAX_SPEED:
            raise ValueError(f"speed must be between {MIN_SPEED} and {MAX_SPEED}")
        self.clip = clip
        self.speed = speed
        self.rate = clip.sample_rate_hz
        self.map = SourceMap(speed)
        total = clip.frames
        self._start = max(0, min(total, start_ms * self.rate // 1000))
        self._loop: tuple[int, int] | None = None
        if loop_ms is not None:
            lo = max(0, min(total, loop_ms[0] * self.rate // 1000))
            hi = max(lo, min(total, loop_ms[1] * self.rate // 1000))
            if hi - lo >= self.rate // 20:  # at least 50 ms, or there is nothing to loop
                self._loop = (lo, hi)
                self._start = min(max(self._start, lo), hi)
        self._max_loops = max_loops
        self._stop = threading.Event()
        self._seek_to: int | None = None  # a played frame the player was sought to
        self._seek_lock = threading.Lock()
        channels = min(2, clip.channels)
        self.feed: StreamFeed = player.open_window(self.rate, channels, None,
                                                   self._on_seek)
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="stretched-playback",
                                        daemon=True)
        self._thread.start()

    @property
    def loop_ms(self) -> tuple[int, int] | None:
        if self._loop is None:
            return None
        return self._loop[0] * 1000 // self.rate, self._loop[1] * 1000 // self.rate

    def clip_ms(self, played_ms: int) -> int | None:
        """The clip's time heard now, from the player's position (None before any)."""
        frame = self.map.clip_frame(played_ms * self.rate // 1000)
        return None if frame is None else frame * 1000 // self.rate

    def stop(self) -> None:
        self._stop.set()

    def _on_seek(self, played_frame: int) -> None:  # from the player, any thread
        with self._seek_lock:
            self._seek_to = played_frame

    def _take_seek(self) -> int | None:
        with self._seek_lock:
            target, self._seek_to = self._seek_to, None
        return target

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _blocks(self) -> tuple[int, int]:
        """Yields nothing: the worker's loop bounds (from, to) of the current pass."""
        if self._loop is None:
            return self._start, self.clip.frames
        return self._start, self._loop[1]

    def _run(self) -> None:
        try:
            self._produce()
        except BaseException as exc:  # shown by the caller; the stream just ends
            self.error = exc
            self.feed.finish()

    def _produce(self) -> None:
        block = int(BLOCK_S * self.rate)
        context = int(CONTEXT_S * self.rate)
        total = self.clip.frames
        played = 0
        passes = 0
        position, end = self._blocks()
        while not self._stop.is_set() and self.feed.is_current:
            target = self._take_seek()
            if target is not None:  # the player's window moved there: go on from it
                landed = self.map.restart(target)
                position = self._start if landed is None else landed
                if self._loop is not None:
                    position = min(max(position, self._loop[0]), self._loop[1])
                played, position = target, min(position, total)
                continue
            if played != self.feed.next_frame():  # a seek is on its way to _on_seek
                self._stop.wait(_WAIT_S)
                continue
            if position >= end:
                passes += 1
                if self._loop is None or (self._max_loops is not None
                                          and passes >= self._max_loops):
                    self.feed.finish()
                    return
                position = self._loop[0]
                continue
            if self.feed.frames_wanted() <= 0:
                self._stop.wait(_WAIT_S)
                continue
            stop = min(end, position + block)
            lo = max(0, position - context)
            hi = min(total, stop + context)
            samples = self.clip.span(lo, hi)
            if samples.shape[1] > 2:
                samples = samples.mean(axis=1, keepdims=True, dtype="float32")
            out = stretch(samples, self.rate, self.speed)
            skip = round((position - lo) / self.speed)
            length = round((stop - position) / self.speed)
            piece = out[skip:skip + length]
            if len(piece) < length:  # the stretcher's last frames: pad with silence
                import numpy as np

                piece = np.concatenate([piece, np.zeros((length - len(piece), out.shape[1]),
                                                        np.float32)])
            if self._seek_to is not None or not self.feed.append_at(played, piece):
                continue  # sought while it was made: it belongs nowhere now
            self.map.add(played, position)
            played += length
            position = stop


__all__ = ["MAX_SPEED", "MIN_SPEED", "SourceMap", "StretchedPlayback", "stretch"]
