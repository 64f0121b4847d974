"""Waveform peaks: the loudest sample (absolute, 0..1) in each slice of the audio."""

from __future__ import annotations

import numpy as np

from app.audio.clip import AudioClip, SampleSource


def _loudness(samples: np.ndarray) -> np.ndarray:
    """Absolute values of mono samples, or the loudest channel of (frames, channels)."""
    magnitude = np.abs(np.asarray(samples, dtype=np.float32))
    if magnitude.ndim == 2:
        if magnitude.shape[1] == 0:
            return np.zeros(len(magnitude), dtype=np.float32)
        magnitude = magnitude.max(axis=1)
    return magnitude


def compute_peaks(clip: AudioClip, buckets: int) -> np.ndarray:
    """`buckets` float32 peaks in 0..1 spread evenly over the clip (zeros if it is empty)."""
    if buckets <= 0:
        return np.zeros(0, dtype=np.float32)
    magnitude = _loudness(clip.samples)
    frames = len(magnitude)
    if frames == 0:
        return np.zeros(buckets, dtype=np.float32)
    if frames >= buckets:
        starts = (np.arange(buckets, dtype=np.int64) * frames) // buckets
        peaks = np.maximum.reduceat(magnitude, starts)
    else:  # fewer samples than buckets: each bucket shows the sample under it
        peaks = magnitude[(np.arange(buckets, dtype=np.int64) * frames) // buckets]
    return np.clip(peaks, 0.0, 1.0).astype(np.float32)


def span_peaks(clip: SampleSource, start_ms: int, end_ms: int, buckets: int) -> np.ndarray:
    """Peaks of the part of the clip from `start_ms` to `end_ms` (the waveform strip under
    a paragraph); time outside the clip counts as silence. Only that part is read (a long
    recording from disk). Slow on a long span: call it off the window's thread."""
    rate = clip.sample_rate_hz
    first, stop = start_ms * rate // 1000, max(start_ms + 1, end_ms) * rate // 1000
    frames, channels = clip.frames, clip.channels
    if not isinstance(clip, AudioClip) and stop - first > max(buckets, SPAN_CHUNK_S * rate):
        return _span_peaks_in_chunks(clip, first, stop, buckets)
    inside = clip.span(max(0, first), max(0, min(frames, stop)))
    before = np.zeros((max(0, min(stop, 0) - first), channels), np.float32)
    after = np.zeros((max(0, stop - max(frames, first)), channels), np.float32)
    part = np.concatenate([before, inside, after]) if len(before) or len(after) else inside
    return compute_peaks(AudioClip(part, rate), buckets)


#: A long recording's span is read this much at a time (a paragraph of ten minutes at
#: 48 kHz stereo would be 230 MB read at once).
SPAN_CHUNK_S = 30


def _span_peaks_in_chunks(source: SampleSource, first: int, stop: int,
                          buckets: int) -> np.ndarray:
    """span_peaks of frames `first`..`stop` (more than `buckets`), read chunk by chunk;
    the same buckets as compute_peaks over the whole span would make."""
    starts = (np.arange(buckets, dtype=np.int64) * (stop - first)) // buckets + first
    peaks = np.zeros(buckets, dtype=np.float32)
    chunk = SPAN_CHUNK_S * source.sample_rate_hz
    for at in range(max(0, first), min(source.frames, stop), chunk):
        magnitude = _loudness(source.span(at, min(source.frames, stop, at + chunk)))
        if magnitude.size == 0:
            break
        low = int(np.searchsorted(starts, at, "right")) - 1  # the bucket `at` falls in
        high = int(np.searchsorted(starts, at + len(magnitude), "left"))
        values = np.maximum.reduceat(magnitude, np.maximum(starts[low:high] - at, 0))
        peaks[low:high] = np.maximum(peaks[low:high], values)
    return np.clip(peaks, 0.0, 1.0).astype(np.float32)


class PeakAccumulator:
    """Peaks of audio that arrives in pieces: one peak per `samples_per_bucket` samples.

    `peaks()` includes the bucket still being filled, so the waveform shows everything
    that has arrived so far.
    """

    def __init__(self, samples_per_bucket: int) -> None:
        if samples_per_bucket <= 0:
            raise ValueError("samples_per_bucket must be positive")
        self.samples_per_bucket = samples_per_bucket
        self._peaks = np.zeros(256, dtype=np.float32)
        self._count = 0  # finished buckets
        self._partial = 0.0
        self._partial_fill = 0

    def add(self, samples: np.ndarray) -> None:
        magnitude = _loudness(samples)
        if magnitude.size == 0:
            return
        size = self.samples_per_bucket
        if self._partial_fill:  # top up the bucket left open last time
            take = min(size - self._partial_fill, len(magnitude))
            self._partial = max(self._partial, float(magnitude[:take].max()))
            self._partial_fill += take
            magnitude = magnitude[take:]
            if self._partial_fill < size:
                return
            self._push(np.array([self._partial], dtype=np.float32))
            self._partial, self._partial_fill = 0.0, 0
        whole = len(magnitude) // size
        if whole:
            self._push(magnitude[: whole * size].reshape(whole, size).max(axis=1))
        rest = magnitude[whole * size :]
        if rest.size:
            self._partial = float(rest.max())
            self._partial_fill = len(rest)

    def _push(self, values: np.ndarray) -> None:
        needed = self._count + len(values)
        if needed > len(self._peaks):
            grown = np.zeros(max(needed, 2 * len(self._peaks)), dtype=np.float32)
            grown[: self._count] = self._peaks[: self._count]
            self._peaks = grown
        self._peaks[self._count : needed] = np.minimum(values, 1.0)
        self._count = needed

    def peaks(self) -> np.ndarray:
        done = self._peaks[: self._count]
        if self._partial_fill:
            return np.append(done, np.float32(min(self._partial, 1.0))).astype(np.float32)
        return done.copy()

    def __len__(self) -> int:
        return self._count + (1 if self._partial_fill else 0)
