"""Where generated audio goes as it arrives: a file (atomically), the player, the waveform.

Called from a worker thread (decoding and file I/O stay off the event loop); driven by
`app.services.generation.GenerationRun`. Nothing here touches Qt. It imports numpy and
the decoders, so it is loaded with the first generation, never at start-up. The file
becomes visible under its final name only on `finish()`; `abort()` removes the partial,
so no half file is ever presented as complete.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path

import numpy as np
import soundfile

from app.audio.decode import decode_bytes
from app.audio.peaks import PeakAccumulator
from app.audio.player import AudioDeviceError, Player, StreamFeed
from app.audio.stream_decoder import StreamDecoder
from app.domain.formats import Codec, OutputFormat
from app.library.atomic import AtomicFileWriter


class GenerationSink:
    def __init__(self, fmt: OutputFormat, writer: AtomicFileWriter, player: Player | None,
                 multipart: bool) -> None:
        self.fmt = fmt
        self._writer = writer
        self._player = player
        self._feed: StreamFeed | None = None
        self._decoder = StreamDecoder(fmt)
        # Ogg and WAV files cannot simply be concatenated: several parts are re-encoded
        # into one file at the end from the decoded samples.
        self._reencode = multipart and fmt.codec in (Codec.OPUS, Codec.WAV)
        self._samples: list[np.ndarray] = []
        self._peaks = PeakAccumulator(samples_per_bucket=max(1, fmt.sample_rate_hz // 100))
        self._lock = threading.Lock()
        self.frames = 0
        self.sample_rate_hz = fmt.sample_rate_hz
        # Why the audio could not be heard as it arrived (no sound device, say); the
        # generation is still saved, and the caller tells the user.
        self.playback_problem: str | None = None

    def accept_stream_chunk(self, chunk: bytes) -> None:
        """A piece of a streamed response (any byte boundary)."""
        if not self._reencode:
            self._writer.write(chunk)
        self._add_samples(self._decoder.feed(chunk))

    def accept_whole_part(self, data: bytes) -> None:
        """A complete file for one part (the non-streaming endpoint)."""
        if not self._reencode:
            self._writer.write(data)
        clip = decode_bytes(data, self.fmt)
        self.sample_rate_hz = clip.sample_rate_hz
        self._add_samples(clip.samples[:, 0] if clip.samples.ndim == 2 else clip.samples)

    def end_part(self) -> None:
        """A streamed part ended: drain the decoder so the next part starts clean."""
        self._add_samples(self._decoder.flush())
        self._decoder = StreamDecoder(self.fmt)

    def _add_samples(self, samples: np.ndarray) -> None:
        if samples.size == 0:
            return
        mono = samples if samples.ndim == 1 else samples.mean(axis=1)
        mono = mono.astype(np.float32, copy=False)
        with self._lock:
            self.frames += len(mono)
            self._peaks.add(mono)
            if self._reencode:
                self._samples.append(mono)
        if self._player is not None:
            if self._feed is None:
                self._feed = self._player.open_stream(self.sample_rate_hz, 1)
                try:
                    self._player.play()
                except AudioDeviceError as exc:  # the clip stays loaded: Play can retry
                    self.playback_problem = str(exc)
            self._feed.append(mono)

    def peaks(self) -> np.ndarray:
        with self._lock:
            return self._peaks.peaks()

    @property
    def duration_ms(self) -> int:
        return int(self.frames * 1000 / self.sample_rate_hz) if self.sample_rate_hz else 0

    def finish(self) -> Path:
        self._add_samples(self._decoder.flush())
        if self._feed is not None:
            self._feed.finish()
        if self._reencode:
            audio = np.concatenate(self._samples) if self._samples else np.zeros(0, np.float32)
            kwargs = {"format": "WAV", "subtype": "PCM_16"}
            if self.fmt.codec is Codec.OPUS:
                kwargs = {"format": "OGG", "subtype": "OPUS"}
            buffer = io.BytesIO()
            soundfile.write(buffer, audio, self.sample_rate_hz, **kwargs)
            self._writer.write(buffer.getvalue())
        return self._writer.commit()

    def abort(self) -> None:
        if self._feed is not None:
            self._feed.finish()
        self._writer.abort()
