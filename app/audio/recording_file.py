"""A long recording left on disk: its samples read a span at a time, never whole.

The Transcripts tab reviews recordings of hours; decoded whole, three hours are 2-4 GB
of float32 samples and minutes of waiting. `RecordingFile` is what the tab holds instead
of an AudioClip for such a file (a SampleSource, like the clip): the player streams it
(app/audio/file_stream.py), and what needs samples (the review's stretcher, the waveform
strip under a paragraph) reads only the few seconds it needs. Each `span` opens the
file for itself, so worker threads never share a reader. Nothing here touches Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.audio.errors import AudioDecodeError
from app.audio.file_stream import open_reader

if TYPE_CHECKING:
    import numpy as np

#: A span is a few seconds of sound; a request for more is a mistake, not a read of
#: the whole file (an hour of 44.1 kHz stereo would be 1.3 GB).
MAX_SPAN_S = 600


@dataclass(frozen=True)
class RecordingFile:
    path: Path
    sample_rate_hz: int
    channels: int
    frames: int

    @classmethod
    def open(cls, path: Path) -> RecordingFile:
        """Read the file's header (its rate, channels and length); raises
        AudioDecodeError when it is not audio, or its length cannot be told."""
        reader = open_reader(path)
        try:
            if not reader.frames:
                raise AudioDecodeError(f"The length of {path.name} cannot be read.")
            return cls(path, reader.sample_rate_hz, reader.channels, reader.frames)
        finally:
            reader.close()

    @property
    def duration_ms(self) -> int:
        return self.frames * 1000 // self.sample_rate_hz

    def span(self, first: int, stop: int) -> np.ndarray:
        """Frames `first` to `stop`, (frames, channels) float32, read from the file."""
        import numpy as np

        first = max(0, min(first, self.frames))
        count = max(0, min(stop, self.frames) - first)
        if count > MAX_SPAN_S * self.sample_rate_hz:
            raise ValueError(f"{count} frames is not a span of {self.path.name}")
        if count == 0:
            return np.zeros((0, self.channels), dtype=np.float32)
        reader = open_reader(self.path)
        try:
            reader.seek(first)
            return reader.read(count)
        finally:
            reader.close()


__all__ = ["MAX_SPAN_S", "RecordingFile"]
