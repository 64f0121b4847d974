"""What the player holds and where it is: the samples, the cursor, and the ways in.

- `load(clip)`: a whole clip.
- `open_stream(rate, channels)` returns a StreamFeed; `append()` (from any thread) adds
  samples as they are decoded and `finish()` marks the end.
- `open_window(rate, channels, total_frames, on_seek)`: the same, for a long file read
  from disk as it plays (app/audio/file_stream.py). Only a window of the audio is held:
  played samples are dropped a little behind the play position, the feeder appends at
  the position it reads (`append_at`) and waits while enough is buffered ahead, and a
  seek outside the window calls `on_seek(frame)` so the feeder reads from there.
- `set_span(start, end, repeat)`: play only a part of a whole clip, once or looped.

Knows nothing of the sound device: the Player (player.py) plays from here and stops its
output through `_halt` when something else is loaded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.audio.heard_clock import HeardClock
from app.audio.player_state import PlayerState
from app.audio.stream_feed import StreamFeed

if TYPE_CHECKING:  # numpy loads with the first clip, not with the window (start-up time)
    import numpy as np

    from app.audio.clip import AudioClip


class PlayerBuffer:
    def __init__(self) -> None:
        # _lock guards everything the audio callback reads; it is held only for copies.
        self._lock = threading.Lock()
        # _control serialises opening, starting and stopping the output stream. It is
        # never taken by the callback, so stopping a stream cannot deadlock with it.
        self._control = threading.RLock()
        self._append_lock = threading.Lock()
        self._buffer: Any = None  # (frames, channels) float32 once something is loaded
        self._frames = 0  # valid frames in _buffer
        self._cursor = 0  # next frame to play, an index into _buffer
        # Window mode (open_window): _buffer[0] is frame _base of the whole audio.
        self._base = 0
        self._total: int | None = None
        self._window: tuple[int, int] | None = None  # (frames kept behind, ahead)
        self._on_seek: Callable[[int], None] | None = None
        self._rate = 0
        self._channels = 1
        self._input_done = True
        self._token = 0
        self._state = PlayerState.STOPPED
        self.first_audible_at: float | None = None
        self._clock = HeardClock()
        # A span of a loaded clip to play on its own: (start, end, repeat) frames.
        self._span: tuple[int, int, bool] | None = None

    def _halt(self) -> None:
        """Stop the sound output now (the Player's; nothing to stop here)."""

    # -- properties polled by the UI ---------------------------------------------------
    @property
    def state(self) -> PlayerState:
        return self._state

    @property
    def handed_ms(self) -> int:
        """The position of the next frame to hand to the device (ahead of what is heard
        by the output latency while playing)."""
        with self._lock:
            return (self._base + self._cursor) * 1000 // self._rate if self._rate else 0

    @property
    def clip_token(self) -> int:
        """Changes each time something else is loaded (a clip or a stream), so a tab
        following what it loaded can tell when another tab replaced it."""
        return self._token

    @property
    def duration_ms(self) -> int:
        with self._lock:
            frames = self._total if self._total is not None else self._base + self._frames
            return frames * 1000 // self._rate if self._rate else 0

    @property
    def sample_rate_hz(self) -> int:
        return self._rate

    # -- loading -----------------------------------------------------------------------
    def load(self, clip: AudioClip) -> None:
        """Replace whatever was playing with this clip (stopped, at the start)."""
        import numpy as np

        samples = clip.samples
        if samples.shape[1] > 2:  # more than stereo: mix down rather than fail on devices
            samples = clip.mono().samples
        samples = np.ascontiguousarray(samples, dtype=np.float32)
        self._replace(samples, len(samples), clip.sample_rate_hz, input_done=True)

    def set_span(self, start_ms: int | None, end_ms: int | None = None,
                 repeat: bool = True) -> bool:
        """Play only [start_ms, end_ms) of the loaded clip: once, or looped (`repeat`)
        exactly, frame for frame, until cleared (None) or another clip is loaded. From
        the span's start. False when there is no whole clip loaded to play a span of."""
        with self._lock:
            if start_ms is None or end_ms is None:
                self._span = None
                return True
            if not self._rate or self._window is not None or not self._input_done:
                return False
            start = min(self._frames, max(0, round(start_ms * self._rate / 1000)))
            end = min(self._frames, max(0, round(end_ms * self._rate / 1000)))
            self._span = (start, end, repeat) if end > start else None
        if self._span is not None:
            self.seek(start * 1000 // self._rate)
            with self._lock:
                self._cursor = start  # exactly there (the ms above may round down)
                self._clock.played_from = start
        return self._span is not None

    def open_stream(self, sample_rate_hz: int, channels: int) -> StreamFeed:
        """Start an empty clip that grows as a StreamFeed appends to it. After `play()`
        the sound starts as soon as samples arrive; if the buffer runs dry before
        `finish()` the player says BUFFERING and plays silence until more arrive."""
        if sample_rate_hz <= 0 or channels <= 0:
            raise ValueError("a stream needs a positive sample rate and channel count")
        import numpy as np

        channels = min(channels, 2)
        buffer = np.zeros((sample_rate_hz * 10, channels), dtype=np.float32)
        token = self._replace(buffer, 0, sample_rate_hz, input_done=False)
        return StreamFeed(self, token, channels)

    def open_window(self, sample_rate_hz: int, channels: int, total_frames: int | None,
                    on_seek: Callable[[int], None], *, behind_s: float = 5.0,
                    ahead_s: float = 15.0) -> StreamFeed:
        """Start a long clip held only in part: see the module's notes. `total_frames`
        is the expected length (None: unknown until the feed finishes)."""
        feed = self.open_stream(sample_rate_hz, channels)
        with self._lock:
            self._total = total_frames
            self._window = (int(behind_s * sample_rate_hz), int(ahead_s * sample_rate_hz))
            self._on_seek = on_seek
        return feed

    def _replace(self, buffer: np.ndarray, frames: int, rate: int, input_done: bool) -> int:
        with self._control:
            self._halt()
            with self._lock:
                self._token += 1
                self._buffer = buffer
                self._frames = frames
                self._cursor = 0
                self._span = None
                self._base = 0
                self._total = None
                self._window = None
                self._on_seek = None
                self._rate = rate
                self._channels = buffer.shape[1]
                self._input_done = input_done
                self._state = PlayerState.STOPPED
                self.first_audible_at = None
                self._clock.anchor = None
                return self._token

    # -- feeding (StreamFeed's side) -----------------------------------------------------
    def _append(self, token: int, samples: np.ndarray, at: int | None = None) -> bool:
        import numpy as np

        samples = np.asarray(samples, dtype=np.float32)
        if samples.size == 0:
            return True
        if samples.ndim == 1:
            samples = samples.reshape(-1, 1)
        with self._append_lock:
            while True:
                with self._lock:
                    if token != self._token or self._input_done:
                        return False
                    if at is not None and at != self._base + self._frames:
                        return False  # read before a seek moved the window
                    buffer, frames, base = self._buffer, self._frames, self._base
                    channels = self._channels
                    drop = 0
                    if self._window is not None and self._cursor > 2 * self._window[0]:
                        drop = self._cursor - self._window[0]  # played long enough ago
                if samples.shape[1] != channels:
                    samples = samples.mean(axis=1, keepdims=True, dtype=np.float32)
                needed = frames - drop + len(samples)
                if drop or needed > len(buffer):
                    # A new buffer, filled outside the lock (the callback keeps reading
                    # the old one; it only moves forward, past what is dropped).
                    size = needed if drop else max(needed, 2 * len(buffer))
                    grown = np.empty((size, channels), dtype=np.float32)
                    grown[:frames - drop] = buffer[drop:frames]
                    buffer = grown
                buffer[frames - drop:needed] = samples  # beyond _frames: never read yet
                with self._lock:
                    if token != self._token:
                        return False
                    # The user may have sought while the samples were copied. Out of
                    # the window: it was emptied and the feeder told to read from there,
                    # so these samples belong nowhere. Back into what was to be dropped:
                    # keep it, and build the buffer again without dropping it.
                    if (self._base, self._frames) != (base, frames):
                        return False
                    if self._cursor < drop:
                        continue
                    self._buffer = buffer
                    self._frames = needed
                    self._cursor -= drop
                    self._base += drop
                    return True

    def _frames_wanted(self, token: int) -> int:
        with self._lock:
            if token != self._token or self._input_done or self._window is None:
                return 0
            return max(0, self._window[1] - (self._frames - self._cursor))

    def _next_frame(self, token: int) -> int:
        with self._lock:
            return self._base + self._frames if token == self._token else 0

    def _move_window(self, frame: int) -> Callable[[int], None] | None:
        """Under _lock: empty the window and restart it at `frame`; returns the hook that
        tells the feeder (to call outside the lock)."""
        self._base = frame
        self._frames = 0
        self._cursor = 0
        self._input_done = False
        if self._state is PlayerState.PLAYING:
            self._state = PlayerState.BUFFERING
        return self._on_seek

    def _finish_feed(self, token: int, at: int | None = None) -> bool:
        with self._lock:
            if token != self._token or (at is not None and at != self._base + self._frames):
                return False
            self._input_done = True
            if self._window is not None:  # the real length, now that it is known
                self._total = self._base + self._frames
            return True

    # -- moving the cursor -------------------------------------------------------------
    def seek(self, ms: int) -> None:
        hook = None
        with self._lock:
            if not self._rate:
                return
            frame = max(0, int(ms) * self._rate // 1000)
            if self._window is None:
                self._cursor = min(self._frames, frame)
            else:
                if self._total is not None:
                    frame = min(frame, self._total)
                if self._base <= frame <= self._base + self._frames:
                    self._cursor = frame - self._base
                else:  # not held: the feeder reads from there
                    hook = self._move_window(frame)
            if self._state is PlayerState.FINISHED:
                self._state = PlayerState.PAUSED
            # Blocks already queued in the device still play (the old position) until
            # the new ones arrive; the position shows the new place at once.
            self._clock.restart_at(frame)
        if hook is not None:
            hook(frame)
