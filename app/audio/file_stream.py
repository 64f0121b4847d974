"""Long audio files played from disk as they play, never decoded whole into memory.

An hour of 44.1 kHz audio is 635 MB of float32 samples; `FileStream` holds about 20 s
of it. A feeder thread reads blocks (soundfile; PyAV for MP3, whose length libsndfile
only estimates) into a window feed of the Player (`Player.open_window`): it stays about
15 s ahead of the play position, and when the user seeks outside what is held it is
told where to read next. Waveform peaks are read in a second pass over the file, also
in blocks (`file_peaks`).

Short files are still decoded whole (app/audio/decode.py): `is_long_file` tells which.
Nothing here touches Qt.
"""

from __future__ import annotations

import logging
import stat
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.audio.errors import AudioDecodeError

if TYPE_CHECKING:
    import numpy as np

    from app.audio.player import Player, StreamFeed

log = logging.getLogger(__name__)

LONG_FILE_S = 300.0  # longer files stream from disk
BLOCK_FRAMES = 32768


class _SoundFileReader:
    def __init__(self, path: Path) -> None:
        import soundfile

        self._file = soundfile.SoundFile(str(path))
        self.sample_rate_hz = int(self._file.samplerate)
        self.channels = int(self._file.channels)
        self.frames: int | None = int(self._file.frames) or None

    def seek(self, frame: int) -> None:
        self._file.seek(min(frame, self.frames or frame))

    def read(self, frames: int) -> np.ndarray:
        return self._file.read(frames, dtype="float32", always_2d=True)

    def close(self) -> None:
        self._file.close()


class _AvReader:
    """MP3 (and anything soundfile cannot open) through PyAV, frame-exact after seeks."""

    def __init__(self, path: Path) -> None:
        import av

        self._container: Any = av.open(str(path))
        if not self._container.streams.audio:
            self._container.close()
            raise AudioDecodeError(f"{path.name} has no sound track.")
        self._stream = self._container.streams.audio[0]
        context = self._stream.codec_context
        self.sample_rate_hz = int(context.sample_rate)
        self.channels = int(context.channels)
        duration = self._container.duration  # microseconds (an estimate for MP3)
        self.frames = int(duration * self.sample_rate_hz / 1_000_000) if duration else None
        self._pending: list[np.ndarray] = []
        self._pending_frames = 0
        self._skip = 0
        self._decoded = self._container.decode(self._stream)

    def seek(self, frame: int) -> None:
        from fractions import Fraction

        time_base = self._stream.time_base or Fraction(1, self.sample_rate_hz)
        target = int(Fraction(frame, self.sample_rate_hz) / time_base)
        self._container.seek(target, stream=self._stream, backward=True, any_frame=False)
        self._decoded = self._container.decode(self._stream)
        self._pending, self._pending_frames = [], 0
        self._skip = -frame  # resolved against the first frame's time below

    def read(self, frames: int) -> np.ndarray:
        import numpy as np

        from app.audio._codecs import frame_to_array

        while self._pending_frames < frames:
            frame = next(self._decoded, None)
            if frame is None:
                break
            samples = frame_to_array(frame)
            if self._skip < 0:  # after a seek: drop what lies before the target frame
                start = -self._skip
                if frame.pts is not None and frame.time_base is not None:
                    start = round(float(frame.pts * frame.time_base) * self.sample_rate_hz)
                self._skip = max(0, -self._skip - start)
            if self._skip:
                dropped = min(self._skip, len(samples))
                samples, self._skip = samples[dropped:], self._skip - dropped
            if len(samples):
                self._pending.append(samples)
                self._pending_frames += len(samples)
        if not self._pending:
            return np.zeros((0, self.channels), dtype=np.float32)
        data = np.concatenate(self._pending) if len(self._pending) > 1 else self._pending[0]
        out, rest = data[:frames], data[frames:]
        self._pending = [rest] if len(rest) else []
        self._pending_frames = len(rest)
        return np.ascontiguousarray(out, dtype=np.float32)

    def close(self) -> None:
        self._container.close()


def open_reader(path: Path) -> _SoundFileReader | _AvReader:
    """A reader of `path`'s audio. Raises FileNotFoundError (or NotADirectoryError) when
    it is gone: the callers say "moved, renamed or deleted". AudioDecodeError (in words
    naming the file) for anything else: a folder, a link loop, no permission, not audio."""
    try:
        # Asked of the file system first, nothing opened: a named pipe blocked the open
        # below for ever (the window's thread, when Transcripts plays a linked recording).
        if not stat.S_ISREG(path.stat().st_mode):
            raise AudioDecodeError(f"{path.name} is not an ordinary saved file (a folder, "
                                   "a device or a pipe), so it holds no audio to read.")
        with path.open("rb") as file:
            head = file.read(4)
    except (FileNotFoundError, NotADirectoryError):
        raise
    except OSError as exc:  # Python's own words ("[Errno 21] …") reached the window
        raise AudioDecodeError(f"Could not read {path.name}: {exc.strerror or exc}. Check "
                               "that it is still there and that you may open it.") from exc
    mp3 = path.suffix.lower() == ".mp3" or head.startswith(b"ID3")
    if not mp3:
        try:
            return _SoundFileReader(path)
        except Exception:  # not for libsndfile: PyAV gets a try
            log.debug("soundfile cannot stream %s", path, exc_info=True)
    try:
        return _AvReader(path)
    except AudioDecodeError:
        raise
    except Exception as exc:
        raise AudioDecodeError(f"{path.name} is not audio in a format XI Studio can "
                               "read.") from exc


def is_long_file(path: Path, long_s: float = LONG_FILE_S) -> bool:
    """True for a file that should stream from disk rather than be decoded whole."""
    try:
        reader = open_reader(path)
    except (AudioDecodeError, OSError):
        return False  # the whole-file decoder will say what is wrong
    try:
        return bool(reader.frames) and (reader.frames or 0) >= long_s * reader.sample_rate_hz
    finally:
        reader.close()


def file_peaks(path: Path, buckets: int, stop: threading.Event | None = None) -> np.ndarray:
    """Waveform peaks of a file, read in blocks (bounded memory)."""
    import numpy as np

    from app.audio.peaks import PeakAccumulator

    reader = open_reader(path)
    try:
        frames = reader.frames or reader.sample_rate_hz
        peaks = PeakAccumulator(max(1, frames // max(1, buckets)))
        while stop is None or not stop.is_set():
            block = reader.read(BLOCK_FRAMES * 4)
            if len(block) == 0:
                break
            peaks.add(block)
        values = peaks.peaks()
    finally:
        reader.close()
    if len(values) >= buckets:
        return values[:buckets]
    return np.concatenate([values, np.zeros(buckets - len(values), dtype=np.float32)])


class FileStream:
    """Plays `path` through `player` from disk. `start()` opens the file (raises
    AudioDecodeError) and begins; `stop()` ends the reading (the player keeps what it
    has). Opening can block for seconds (a sleeping USB disk, a network drive), so it
    may be done apart in a worker thread: `open()` there, then `begin()` on the
    player's owner's thread."""

    def __init__(self, player: Player, path: Path) -> None:
        self._player = player
        self.path = path
        self._reader: _SoundFileReader | _AvReader | None = None
        self._feed: StreamFeed | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._seek_to: int | None = None
        self._seek_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def stopping(self) -> threading.Event:
        """Set once `stop()` was called (a peaks pass over the file can watch it)."""
        return self._stop

    def start(self) -> None:
        self.open()
        self.begin()

    def open(self) -> None:
        """Open the file (its header; PyAV probes an MP3 further): any thread. Raises
        as `open_reader` does. Stopped meanwhile, the file is closed again at once."""
        reader = open_reader(self.path)
        with self._seek_lock:
            if self._stop.is_set():
                reader.close()
                return
            self._reader = reader

    def begin(self) -> bool:
        """Start playing what `open()` opened; False if stopped meanwhile."""
        with self._seek_lock:
            reader = self._reader
            if reader is None or self._stop.is_set():
                return False
            # From here on the thread closes the reader (the player may call _on_seek,
            # which takes the lock, so the window is opened after it).
            thread = self._thread = threading.Thread(target=self._run, name="file-stream",
                                                     daemon=True)
        self._feed = self._player.open_window(reader.sample_rate_hz, reader.channels,
                                              reader.frames, self._on_seek)
        thread.start()
        return True

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        with self._seek_lock:  # opened but never begun: nobody else will close it
            reader = self._reader if self._thread is None else None
            self._reader = None if reader is not None else self._reader
        if reader is not None:
            reader.close()

    def _on_seek(self, frame: int) -> None:  # called by the player, any thread
        with self._seek_lock:
            self._seek_to = frame
        self._wake.set()

    def _run(self) -> None:
        reader, feed = self._reader, self._feed
        assert reader is not None and feed is not None
        position = 0
        try:
            while not self._stop.is_set() and feed.is_current:
                with self._seek_lock:
                    target, self._seek_to = self._seek_to, None
                if target is not None:
                    reader.seek(target)
                    position = target
                wanted = feed.frames_wanted()
                if wanted <= 0 or position != feed.next_frame():
                    self._wake.wait(0.05)  # enough ahead (or a seek is on its way)
                    self._wake.clear()
                    continue
                block = reader.read(min(wanted, BLOCK_FRAMES))
                if len(block) == 0:
                    feed.finish_at(position)
                    self._wake.wait(0.2)  # done, unless the user seeks back
                    self._wake.clear()
                    continue
                if feed.append_at(position, block):
                    position += len(block)
        except Exception:
            log.exception("reading %s stopped", self.path)
            feed.finish()
        finally:
            reader.close()
