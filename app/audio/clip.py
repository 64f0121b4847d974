"""A decoded piece of audio: float32 samples shaped (frames, channels) and their rate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


class SampleSource(Protocol):
    """Audio whose samples can be read a span at a time: a decoded AudioClip, or a long
    recording read from disk span by span (app/audio/recording_file.py)."""

    @property
    def sample_rate_hz(self) -> int: ...

    @property
    def frames(self) -> int: ...

    @property
    def channels(self) -> int: ...

    @property
    def duration_ms(self) -> int: ...

    def span(self, first: int, stop: int) -> np.ndarray: ...


@dataclass(frozen=True, eq=False)
class AudioClip:
    """Samples are float32 in -1..1, always two-dimensional: (frames, channels)."""

    samples: np.ndarray
    sample_rate_hz: int

    def __post_init__(self) -> None:
        samples = np.asarray(self.samples, dtype=np.float32)
        if samples.ndim == 1:
            samples = samples.reshape(-1, 1)
        if samples.ndim != 2:
            raise ValueError("AudioClip samples must be shaped (frames, channels)")
        object.__setattr__(self, "samples", samples)
        if self.sample_rate_hz <= 0:
            raise ValueError("AudioClip needs a positive sample rate")

    @property
    def frames(self) -> int:
        return int(self.samples.shape[0])

    @property
    def channels(self) -> int:
        return int(self.samples.shape[1])

    @property
    def duration_ms(self) -> int:
        return self.frames * 1000 // self.sample_rate_hz

    def span(self, first: int, stop: int) -> np.ndarray:
        """Frames `first` to `stop` (a SampleSource, like a long file read from disk)."""
        return self.samples[first:stop]

    def mono(self) -> AudioClip:
        """The same sound as one channel (the mean of the channels)."""
        if self.channels == 1:
            return self
        mixed = self.samples.mean(axis=1, dtype=np.float32).reshape(-1, 1)
        return AudioClip(mixed, self.sample_rate_hz)
