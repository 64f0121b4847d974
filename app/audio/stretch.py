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

    from app.audio.clip import AudioClip
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


class StretchedPlayback:
    """Plays `clip` from `start_ms` at `speed` into `player`, looping `loop_ms` (a span
    of the clip) when given: `max_loops` times, or until stopped when None."""

    def __init__(self, player: Player, clip: AudioClip, speed: float, start_ms: int,
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
        channels = min(2, clip.samples.shape[1])
        self.feed: StreamFeed = player.open_window(self.rate, channels, None,
                                                   lambda _frame: None)
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
        samples = self.clip.samples
        if samples.shape[1] > 2:
            samples = self.clip.mono().samples
        played = 0
        passes = 0
        position, end = self._blocks()
        while not self._stop.is_set() and self.feed.is_current:
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
            hi = min(samples.shape[0], stop + context)
            out = stretch(samples[lo:hi], self.rate, self.speed)
            skip = round((position - lo) / self.speed)
            length = round((stop - position) / self.speed)
            piece = out[skip:skip + length]
            if len(piece) < length:  # the stretcher's last frames: pad with silence
                import numpy as np

                piece = np.concatenate([piece, np.zeros((length - len(piece), out.shape[1]),
                                                        np.float32)])
            self.map.add(played, position)
            self.feed.append(piece)
            played += length
            position = stop


__all__ = ["MAX_SPEED", "MIN_SPEED", "SourceMap", "StretchedPlayback", "stretch"]
