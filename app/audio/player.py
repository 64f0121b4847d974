"""The Qt-free player: a sounddevice output stream fed from a numpy buffer.

The audio callback only copies from the buffer under a lock and moves a cursor; the UI
polls `position_ms` and `state` (every 16 ms while playing) and is never called from
the audio thread. What is held and how it gets there (a whole clip, a growing stream, a
sliding window of a long file, a span) is player_buffer.py; this module plays it.

The output stream is opened lazily on `play()`, at the clip's own sample rate (ALSA's
plug layer resamples when the device needs it), on `device` (a PortAudio device name,
None for the system default); a new device is used from the next stream opened.
`position_ms` is what is heard now, not what was handed to the device (heard_clock.py).
Pausing resumes from the heard position (what was queued but not heard is played again).
"""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING, Any

from app.audio.errors import AudioDeviceError
from app.audio.player_buffer import PlayerBuffer
from app.audio.player_state import PlayerState
from app.audio.sound_output import load_sounddevice, open_output_stream, reason
from app.audio.stream_feed import StreamFeed

if TYPE_CHECKING:
    import numpy as np

# The names other modules import from here (the player's public face).
__all__ = ["AudioDeviceError", "Player", "PlayerState", "StreamFeed"]

_SILENCE = 1.0 / 32768.0  # quieter than one step of 16-bit audio


class Player(PlayerBuffer):
    def __init__(self, device: str | None = None) -> None:
        super().__init__()
        self._device = device
        self._volume = 1.0
        self._stream: Any = None
        self._stream_key: tuple[int, int, str | None] | None = None
        self._halting = False
        self._callback_stop: type[BaseException] = StopIteration
        self.last_error: str | None = None

    # -- properties polled by the UI ---------------------------------------------------
    @property
    def position_ms(self) -> int:
        """The position being heard now (see heard_clock.py)."""
        with self._lock:
            if not self._rate:
                return 0
            return self._heard_frame_locked() * 1000 // self._rate

    @property
    def output_latency_s(self) -> float:
        """The output latency of the last block played (0 before any)."""
        return self._clock.latency_s

    def _heard_frame_locked(self) -> int:
        return self._clock.heard_frame(self._base + self._cursor, self._state, self._stream,
                                       self._rate)

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
            self._clock.restart_at(self._base + self._cursor)
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
            raise AudioDeviceError(f"The sound output could not start: {reason(exc)}.") from exc

    def _open_output(self, rate: int, channels: int, device: str | None) -> Any:
        sd = load_sounddevice()
        self._callback_stop = sd.CallbackStop
        return open_output_stream(sd, rate, channels, device, self._callback,
                                  self._on_stream_finished)

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
                self._clock.note_block(time_info, self._cursor, self._stream, self._rate)
                if self._fill_span_locked(outdata, frames):
                    self._span = None  # played once: Play goes on from its end
                    self._state = PlayerState.FINISHED
                    self._halting = ended = True
            elif state is PlayerState.PLAYING or state is PlayerState.BUFFERING:
                start = self._cursor
                self._clock.note_block(time_info, self._base + start, self._stream,
                                       self._rate)
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

    def _on_stream_finished(self) -> None:
        """PortAudio stopped the stream; if nobody asked it to, the device failed."""
        if self._halting:
            return
        with self._lock:
            if self._state in (PlayerState.PLAYING, PlayerState.BUFFERING):
                self._state = PlayerState.PAUSED
                self.last_error = "The sound output stopped unexpectedly."
