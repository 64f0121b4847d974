"""The Qt-free player: a sounddevice output stream fed from a numpy buffer.

The audio callback only copies from the buffer under a lock and moves a cursor; the UI
polls `position_ms` and `state` (every 16 ms while playing) and is never called from
the audio thread. Two ways in:

- `load(clip)` then `play()`: a whole clip.
- `open_stream(rate, channels)` returns a StreamFeed; `append()` (from any thread) adds
  samples as they are decoded and `finish()` marks the end. After `play()` the sound
  starts as soon as samples arrive; if the buffer runs dry before `finish()` the player
  says BUFFERING and plays silence until more arrive.
- `open_window(rate, channels, total_frames, on_seek)`: the same, for a long file read
  from disk as it plays (app/audio/file_stream.py). Only a window of the audio is held:
  played samples are dropped a little behind the play position, the feeder appends at
  the position it reads (`append_at`) and waits while enough is buffered ahead, and a
  seek outside the window calls `on_seek(frame)` so the feeder reads from there.

The output stream is opened lazily on `play()`, at the clip's own sample rate (ALSA's
plug layer resamples when the device needs it), on `device` (a PortAudio device name,
None for the system default); a new device is used from the next stream opened.
`position_ms` is what is heard now, not what was handed to the device: the device plays
each block its output latency later (tens to hundreds of ms with latency="high"), so
the callback notes when its block will reach the speaker (PortAudio's
outputBufferDacTime, on the stream's clock; else the stream's reported latency) and the
position is interpolated on that clock. The highlighted word then matches the word heard.
Pausing resumes from the heard position (what was queued but not heard is played again).
"""

from __future__ import annotations

import contextlib
import enum
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy loads with the first clip, not with the window (start-up time)
    import numpy as np

    from app.audio.clip import AudioClip

_SILENCE = 1.0 / 32768.0  # quieter than one step of 16-bit audio


class PlayerState(enum.Enum):
    STOPPED = "stopped"
    PLAYING = "playing"
    PAUSED = "paused"
    BUFFERING = "buffering"
    FINISHED = "finished"


class AudioDeviceError(Exception):
    """Sound output is not possible; the message says why in plain words."""


def _sounddevice() -> Any:
    try:
        import sounddevice
    except (ImportError, OSError) as exc:
        raise AudioDeviceError(
            "No sound system was found on this computer (the PortAudio library is missing)."
        ) from exc
    return sounddevice


class StreamFeed:
    """The writing end of a streamed clip. Thread-safe; stale once the player loads
    something else (further appends are then ignored)."""

    def __init__(self, player: Player, token: int, channels: int) -> None:
        self._player = player
        self._token = token
        self.channels = channels

    def append(self, samples: np.ndarray) -> None:
        self._player._append(self._token, samples)

    def append_at(self, frame: int, samples: np.ndarray) -> bool:
        """Window feeds: samples that start at absolute `frame`. Appended only where the
        window ends (a feeder still reading from before a seek is ignored); False when
        they were not taken."""
        return self._player._append(self._token, samples, at=frame)

    def finish(self) -> None:
        self._player._finish_feed(self._token)

    def finish_at(self, frame: int) -> bool:
        """Window feeds: the audio ends at absolute `frame` (ignored if a seek has moved
        the window since)."""
        return self._player._finish_feed(self._token, at=frame)

    @property
    def is_current(self) -> bool:
        """False once the player has loaded something else: the feeder can stop."""
        return self._player._token == self._token

    def frames_wanted(self) -> int:
        """Window feeds: how many frames may be appended now (0 while enough is ahead)."""
        return self._player._frames_wanted(self._token)

    def next_frame(self) -> int:
        """Window feeds: the absolute frame the next append must start at."""
        return self._player._next_frame(self._token)


class Player:
    def __init__(self, device: str | None = None) -> None:
        self._device = device
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
        self._volume = 1.0
        self._stream: Any = None
        self._stream_key: tuple[int, int, str | None] | None = None
        self._halting = False
        self._callback_stop: type[BaseException] = StopIteration
        self.last_error: str | None = None
        self.first_audible_at: float | None = None
        # (stream time when the block starting at `frame` reaches the speaker, frame),
        # set by the callback; None before the first block of a start, or after a seek.
        self._heard_anchor: tuple[float, int] | None = None
        self._latency_s = 0.0  # the output latency of the last block (measured/reported)
        self._played_from = 0  # the frame the stream last started at (the lower bound)
        # A span of a loaded clip to play on its own: (start, end, repeat) frames.
        self._span: tuple[int, int, bool] | None = None

    # -- properties polled by the UI ---------------------------------------------------
    @property
    def state(self) -> PlayerState:
        return self._state

    @property
    def position_ms(self) -> int:
        """The position being heard now (see the module's docstring)."""
        with self._lock:
            if not self._rate:
                return 0
            return self._heard_frame_locked() * 1000 // self._rate

    @property
    def handed_ms(self) -> int:
        """The position of the next frame to hand to the device (ahead of what is heard
        by the output latency while playing)."""
        with self._lock:
            return (self._base + self._cursor) * 1000 // self._rate if self._rate else 0

    @property
    def output_latency_s(self) -> float:
        """The output latency of the last block played (0 before any)."""
        return self._latency_s

    def _heard_frame_locked(self) -> int:
        handed = self._base + self._cursor
        if self._state not in (PlayerState.PLAYING, PlayerState.BUFFERING,
                               PlayerState.FINISHED):
            return handed
        if self._state is PlayerState.FINISHED and self._heard_anchor is None:
            return handed
        anchor, stream = self._heard_anchor, self._stream
        if self._state is PlayerState.FINISHED and not _stream_active(stream):
            return handed  # the device has played everything out: the end is heard
        if anchor is None:  # nothing has reached the device yet since it started
            return min(handed, self._played_from)
        now = _stream_time(stream)
        if now is None:  # no clock: the reported latency behind what was handed
            heard = handed - round(self._latency_s * self._rate)
        else:
            heard = anchor[1] + round((now - anchor[0]) * self._rate)
        return max(min(heard, handed), min(self._played_from, handed))

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

    @property
    def volume(self) -> float:
        return self._volume

    @volume.setter
    def volume(self, value: float) -> None:
        self._volume = min(1.0, max(0.0, float(value)))

    @property
    def device(self) -> str | None:
        return self._device

    @device.setter
    def device(self, name: str | None) -> None:
        self._device = name or None  # used from the next stream opened

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
                self._played_from = start
        return self._span is not None

    def _fill_span_locked(self, outdata: np.ndarray, frames: int) -> bool:
        """Fill `outdata` from the span (looping it); True when a one-off span ended."""
        assert self._span is not None
        start, end, repeat = self._span
        filled = 0
        while filled < frames:
            if self._cursor >= end or self._cursor < start:
                if not repeat:
                    outdata[filled:] = 0
                    return True
                self._cursor = start
            count = min(frames - filled, end - self._cursor)
            outdata[filled:filled + count] = self._buffer[self._cursor:self._cursor + count]
            outdata[filled:filled + count] *= self._volume
            self._cursor += count
            filled += count
        return False

    def open_stream(self, sample_rate_hz: int, channels: int) -> StreamFeed:
        """Start an empty clip that grows as a StreamFeed appends to it."""
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
                self._heard_anchor = None
                return self._token

    def _append(self, token: int, samples: np.ndarray, at: int | None = None) -> bool:
        import numpy as np

        samples = np.asarray(samples, dtype=np.float32)
        if samples.size == 0:
            return True
        with self._append_lock:
            with self._lock:
                if token != self._token or self._input_done:
                    return False
                if at is not None and at != self._base + self._frames:
                    return False  # read before a seek moved the window
                buffer, frames, channels = self._buffer, self._frames, self._channels
                drop = 0
                if self._window is not None and self._cursor > 2 * self._window[0]:
                    drop = self._cursor - self._window[0]  # played long enough ago
            if samples.ndim == 1:
                samples = samples.reshape(-1, 1)
            if samples.shape[1] != channels:
                samples = samples.mean(axis=1, keepdims=True, dtype=np.float32)
            needed = frames - drop + len(samples)
            if drop or needed > len(buffer):
                # A new buffer, filled outside the lock (the callback keeps reading the
                # old one; it only moves forward, past what is dropped).
                size = needed if drop else max(needed, 2 * len(buffer))
                grown = np.empty((size, channels), dtype=np.float32)
                grown[:frames - drop] = buffer[drop:frames]
                buffer = grown
            buffer[frames - drop:needed] = samples  # beyond _frames: never read yet
            with self._lock:
                if token != self._token:
                    return False
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

    # -- transport ---------------------------------------------------------------------
    def play(self) -> None:
        """Play from the current position (from the start after the end was reached)."""
        with self._control:
            with self._lock:
                if self._rate == 0:
                    return
                if self._state in (PlayerState.PLAYING, PlayerState.BUFFERING):
                    running = self._stream is not None and self._stream.active
                    if running:
                        return
            self._halt()  # a stream that ended by itself must be stopped to restart
            hook = None
            with self._lock:
                if self._input_done and self._cursor >= self._frames:
                    if self._window is not None and self._base > 0:
                        hook = self._move_window(0)  # from the start: read it again
                    else:
                        self._cursor = 0
                if self._frames == 0 and self._input_done:
                    self._state = PlayerState.FINISHED
                    return
                self._state = (PlayerState.PLAYING if self._cursor < self._frames
                               else PlayerState.BUFFERING)
            if hook is not None:
                hook(0)
            try:
                self._start_stream()
            except AudioDeviceError as exc:
                with self._lock:
                    self._state = PlayerState.PAUSED
                self.last_error = str(exc)
                raise
            self.last_error = None

    def pause(self) -> None:
        with self._control:
            with self._lock:
                if self._state not in (PlayerState.PLAYING, PlayerState.BUFFERING):
                    return
                heard = self._heard_frame_locked()
                self._state = PlayerState.PAUSED
            self._halt()
            with self._lock:  # queued in the device but never heard: play it on resume
                if self._base <= heard <= self._base + self._frames:
                    self._cursor = heard - self._base

    def stop(self) -> None:
        with self._control:
            self.seek(0)
            with self._lock:
                self._state = PlayerState.STOPPED
            self._halt()

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
            self._heard_anchor = None
            self._played_from = frame
        if hook is not None:
            hook(frame)

    def close(self) -> None:
        """Stop and release the output device (the player can still be used later)."""
        with self._control:
            with self._lock:
                if self._state in (PlayerState.PLAYING, PlayerState.BUFFERING):
                    self._state = PlayerState.STOPPED
            self._close_stream()

    # -- the output stream -------------------------------------------------------------
    def _start_stream(self) -> None:
        with self._lock:
            self._heard_anchor = None
            self._played_from = self._base + self._cursor
        key = (self._rate, self._channels, self._device)
        if self._stream is not None and self._stream_key != key:
            self._close_stream()
        if self._stream is None:
            self._stream = self._open_output(*key)
            self._stream_key = key
        self._halting = False
        try:
            self._stream.start()
        except Exception as exc:
            self._close_stream()
            raise AudioDeviceError(f"The sound output could not start: {_reason(exc)}.") from exc

    def _open_output(self, rate: int, channels: int, device: str | None) -> Any:
        sd = _sounddevice()
        self._callback_stop = sd.CallbackStop
        target = self._resolve_device(sd, device)
        try:
            return sd.OutputStream(
                samplerate=rate, channels=channels, dtype="float32", device=target,
                latency="high", callback=self._callback,
                finished_callback=self._on_stream_finished,
            )
        except Exception as exc:
            where = f"“{device}”" if device else "the default sound output"
            raise AudioDeviceError(f"Could not open {where}: {_reason(exc)}.") from exc

    @staticmethod
    def _resolve_device(sd: Any, name: str | None) -> int | None:
        if name is None:
            return None
        try:
            devices = list(sd.query_devices())
        except Exception as exc:
            raise AudioDeviceError(
                f"The sound devices could not be listed: {_reason(exc)}."
            ) from exc
        for index, info in enumerate(devices):
            if info.get("name") == name and info.get("max_output_channels", 0) > 0:
                return index
        raise AudioDeviceError(f"The sound output “{name}” is not available now.")

    def _halt(self) -> None:
        """Stop the output stream now (the position stays where it is)."""
        stream = self._stream
        if stream is None or stream.stopped:
            return
        self._halting = True
        try:
            stream.abort()
        except Exception:  # a device that vanished: start afresh next time
            self._close_stream()

    def _close_stream(self) -> None:
        stream, self._stream, self._stream_key = self._stream, None, None
        if stream is None:
            return
        self._halting = True
        with contextlib.suppress(Exception):  # closing a vanished device may complain
            stream.abort()
        with contextlib.suppress(Exception):
            stream.close()

    # -- audio thread ------------------------------------------------------------------
    def _callback(self, outdata: np.ndarray, frames: int, time_info: Any, _status: Any) -> None:
        import numpy as np  # already loaded: a clip was loaded before any stream opened

        ended = False
        with self._lock:
            state = self._state
            if self._span is not None and state is PlayerState.PLAYING:
                self._note_latency(time_info, self._cursor)
                if self._fill_span_locked(outdata, frames):
                    self._span = None  # played once: Play goes on from its end
                    self._state = PlayerState.FINISHED
                    self._halting = ended = True
            elif state is PlayerState.PLAYING or state is PlayerState.BUFFERING:
                start = self._cursor
                self._note_latency(time_info, self._base + start)
                count = min(frames, self._frames - start)
                if count > 0:
                    source = self._buffer[start : start + count]
                    np.multiply(source, self._volume, out=outdata[:count])
                    self._cursor = start + count
                    if self.first_audible_at is None and (
                        source.max() > _SILENCE or source.min() < -_SILENCE
                    ):
                        self.first_audible_at = time.perf_counter()
                if count < frames:
                    outdata[max(count, 0):] = 0
                    if self._input_done:
                        self._state = PlayerState.FINISHED
                        self._halting = ended = True
                    else:
                        self._state = PlayerState.BUFFERING
                elif state is PlayerState.BUFFERING:
                    self._state = PlayerState.PLAYING
            else:
                outdata.fill(0)
        if ended:
            raise self._callback_stop

    def _note_latency(self, time_info: Any, frame: int) -> None:
        """When the block starting at `frame` will be heard (called with _lock held)."""
        dac = getattr(time_info, "outputBufferDacTime", 0.0) or 0.0
        now = getattr(time_info, "currentTime", 0.0) or 0.0
        if dac > 0 and now > 0 and 0 <= dac - now < 5.0:
            self._latency_s = dac - now
            self._heard_anchor = (dac, frame)
            return
        # Some host APIs give no times: the stream's reported latency, on the stream's
        # clock if it has one (else position_ms subtracts the latency from the cursor).
        stream = self._stream
        latency = getattr(stream, "latency", None)
        self._latency_s = float(latency) if isinstance(latency, int | float) else 0.0
        clock = _stream_time(stream)
        if clock is None:
            self._heard_anchor = (0.0, frame)
            return
        when = clock + self._latency_s
        previous = self._heard_anchor
        if previous is not None and previous[0] > 0 and frame > previous[1]:
            # Queued behind the blocks before it: heard when they have been.
            when = max(when, previous[0] + (frame - previous[1]) / self._rate)
        self._heard_anchor = (when, frame)

    def _on_stream_finished(self) -> None:
        """PortAudio stopped the stream; if nobody asked it to, the device failed."""
        if self._halting:
            return
        with self._lock:
            if self._state in (PlayerState.PLAYING, PlayerState.BUFFERING):
                self._state = PlayerState.PAUSED
                self.last_error = "The sound output stopped unexpectedly."


def _stream_active(stream: Any) -> bool:
    """Whether the stream is still playing (blocks queued in the device included)."""
    try:
        return bool(stream.active) if stream is not None else False
    except Exception:  # a closed or vanished stream
        return False


def _stream_time(stream: Any) -> float | None:
    """The stream's clock (PortAudio's Pa_GetStreamTime), None when it has none."""
    try:
        value = stream.time if stream is not None else None
    except Exception:  # a closed or vanished stream
        return None
    return float(value) if isinstance(value, int | float) and value > 0 else None


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().rstrip(".")
    return text or type(exc).__name__
