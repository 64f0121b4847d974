"""The Qt-free recorder: a sounddevice input stream written to a WAV file.

The audio callback only copies each block into a queue and notes its peak (the level
meter); a writer thread takes the blocks off the queue and writes them (16-bit WAV), so
neither the audio thread nor the GUI thread ever waits on the disk. The UI polls
`take_peak()`, `duration_ms` and `state`.

Pause keeps the stream open and drops what comes in (resuming is instant and leaves no
gap in the file); `stop()` closes the stream, writes what is still queued and closes the
file; `cancel()` does the same and deletes the file. Both block until the writer is done:
call them from a worker thread.
"""

from __future__ import annotations

import contextlib
import enum
import queue
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.audio.errors import AudioDeviceError
from app.audio.sound_output import load_sounddevice

if TYPE_CHECKING:
    import numpy as np

_STOP = object()


class RecorderState(enum.Enum):
    IDLE = "idle"
    RECORDING = "recording"
    PAUSED = "paused"
    STOPPED = "stopped"
    CANCELLED = "cancelled"
    FAILED = "failed"


class Recorder:
    def __init__(self, path: Path, *, sample_rate_hz: int | None = None, channels: int = 1,
                 device: str | int | None = None) -> None:
        self.path = path
        self.channels = channels
        self.device = device
        self.sample_rate_hz = sample_rate_hz or 0  # 0: the device's own rate (at start)
        self.state = RecorderState.IDLE
        self.level = 0.0  # peak of the last block heard, 0..1
        self._peak = 0.0  # the loudest since the meter last looked (see take_peak)
        self.frames = 0  # frames kept in the file (paused input is not counted)
        self.error: BaseException | None = None
        self._blocks: queue.Queue[Any] = queue.Queue()
        self._stream: Any = None
        self._writer: threading.Thread | None = None
        self._paused = threading.Event()

    @property
    def duration_ms(self) -> int:
        return self.frames * 1000 // self.sample_rate_hz if self.sample_rate_hz else 0

    def start(self) -> None:
        """Open the input and begin writing. Raises AudioDeviceError in plain words."""
        import soundfile

        sd = load_sounddevice()

        def open_at(rate: int) -> Any:
            return sd.InputStream(samplerate=rate, channels=self.channels, dtype="float32",
                                  device=self.device, callback=self._callback)

        try:
            default_rate = int(sd.query_devices(self.device, "input")["default_samplerate"])
            try:
                stream = open_at(self.sample_rate_hz or default_rate)
            except sd.PortAudioError:
                if not self.sample_rate_hz or self.sample_rate_hz == default_rate:
                    raise
                stream = open_at(default_rate)  # the rate asked for is not offered
                self.sample_rate_hz = default_rate
            self.sample_rate_hz = self.sample_rate_hz or default_rate
        except (sd.PortAudioError, ValueError) as exc:
            raise AudioDeviceError(
                "No microphone could be opened. Check that one is connected and that "
                f"XI Studio may use it (the sound system said: {exc}).") from exc
        self.path.parent.mkdir(parents=True, exist_ok=True)
        output = soundfile.SoundFile(str(self.path), "w", samplerate=self.sample_rate_hz,
                                     channels=self.channels, subtype="PCM_16", format="WAV")
        self._writer = threading.Thread(target=self._write, args=(output,),
                                        name="xi-recorder-writer", daemon=True)
        self._writer.start()
        self._stream = stream
        self.state = RecorderState.RECORDING
        try:
            stream.start()
        except sd.PortAudioError as exc:
            self._finish(RecorderState.FAILED)
            raise AudioDeviceError(f"The microphone could not start ({exc}).") from exc

    def take_peak(self) -> float:
        """The loudest sample since the last call (a meter polled every few tens of ms
        shows each peak, not only the block that happened to come last)."""
        peak, self._peak = self._peak, 0.0
        return peak

    def pause(self) -> None:
        if self.state is RecorderState.RECORDING:
            self._paused.set()
            self.level = 0.0
            self.state = RecorderState.PAUSED

    def resume(self) -> None:
        if self.state is RecorderState.PAUSED:
            self._paused.clear()
            self.state = RecorderState.RECORDING

    def stop(self) -> Path:
        """Close the stream and the file (blocking); the path of the recording."""
        self._finish(RecorderState.STOPPED)
        if self.error is not None:
            raise AudioDeviceError(f"The recording could not be written ({self.error}).") \
                from self.error
        return self.path

    def cancel(self) -> None:
        """Stop and delete what was recorded (blocking)."""
        self._finish(RecorderState.CANCELLED)
        with contextlib.suppress(OSError):
            self.path.unlink()

    # -- threads -----------------------------------------------------------------------
    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        """The audio thread: copy, note the peak, hand on. Nothing else."""
        if self._paused.is_set():
            return
        block = indata.copy()
        self.level = min(1.0, float(abs(block).max())) if len(block) else 0.0
        self._peak = max(self._peak, self.level)
        self.frames += len(block)
        self._blocks.put(block)

    def _write(self, output: Any) -> None:
        try:
            while True:
                block = self._blocks.get()
                if block is _STOP:
                    break
                if self.error is None:
                    try:
                        output.write(block)
                    except Exception as exc:  # a full disk: said at stop()
                        self.error = exc
        finally:
            output.close()

    def _finish(self, state: RecorderState) -> None:
        if self.state in (RecorderState.STOPPED, RecorderState.CANCELLED):
            return
        stream, self._stream = self._stream, None
        if stream is not None:
            with contextlib.suppress(Exception):
                stream.stop()
            with contextlib.suppress(Exception):
                stream.close()
        self._blocks.put(_STOP)
        if self._writer is not None:
            self._writer.join()
        self.level = 0.0
        self.state = state


__all__ = ["Recorder", "RecorderState"]
