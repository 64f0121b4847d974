"""Waveform peaks for whole clips and for audio that arrives in pieces."""

from __future__ import annotations

import numpy as np
import pytest

from app.audio.clip import AudioClip
from app.audio.peaks import PeakAccumulator, compute_peaks
from tests.audio.signals import tone


def test_peaks_are_the_loudest_sample_of_each_bucket() -> None:
    samples = np.zeros(1000, np.float32)
    samples[10], samples[250], samples[999] = -0.8, 0.3, 0.5
    peaks = compute_peaks(AudioClip(samples, 1000), 4)
    assert peaks.dtype == np.float32
    np.testing.assert_allclose(peaks, [0.8, 0.3, 0.0, 0.5])


def test_peaks_of_a_tone_and_of_stereo() -> None:
    peaks = compute_peaks(AudioClip(tone(24000, 1.0, amplitude=0.7), 24000), 800)
    assert peaks.shape == (800,)
    np.testing.assert_allclose(peaks, 0.7, atol=0.01)
    left_quiet = np.stack([np.full(100, 0.1), np.full(100, -0.9)], axis=1)
    np.testing.assert_allclose(compute_peaks(AudioClip(left_quiet, 100), 5), 0.9)


def test_peaks_edge_cases() -> None:
    assert compute_peaks(AudioClip(np.zeros(0, np.float32), 8000), 10).tolist() == [0.0] * 10
    assert compute_peaks(AudioClip(np.ones(5, np.float32), 8000), 0).size == 0
    few = compute_peaks(AudioClip(np.array([0.1, -0.5, 0.2], np.float32), 8000), 6)
    np.testing.assert_allclose(few, [0.1, 0.1, 0.5, 0.5, 0.2, 0.2])
    loud = compute_peaks(AudioClip(np.full(10, 3.0, np.float32), 8000), 2)
    assert loud.max() == 1.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_accumulator_matches_compute_peaks(seed: int) -> None:
    rng = np.random.default_rng(seed)
    samples = (rng.standard_normal(24000) * 0.2).astype(np.float32)
    acc = PeakAccumulator(samples_per_bucket=240)
    start = 0
    while start < len(samples):
        size = int(rng.integers(1, 1000))
        acc.add(samples[start : start + size])
        start += size
    np.testing.assert_allclose(acc.peaks(), compute_peaks(AudioClip(samples, 24000), 100))
    assert len(acc) == 100


def test_accumulator_shows_the_bucket_being_filled() -> None:
    acc = PeakAccumulator(samples_per_bucket=100)
    assert acc.peaks().size == 0
    acc.add(np.array([0.2, -0.4], np.float32))
    np.testing.assert_allclose(acc.peaks(), [0.4])
    acc.add(np.full(98, 0.1, np.float32))
    acc.add(np.array([0.05], np.float32))
    np.testing.assert_allclose(acc.peaks(), [0.4, 0.05])
    acc.add(np.zeros(0, np.float32))
    acc.add(np.stack([np.full(99, 0.3), np.full(99, -0.6)], axis=1))
    np.testing.assert_allclose(acc.peaks(), [0.4, 0.6])
    acc.add(np.full(5000, 2.0, np.float32))
    assert acc.peaks().max() == 1.0 and len(acc) == 52
    with pytest.raises(ValueError):
        PeakAccumulator(0)


def test_span_peaks_cover_a_part_of_the_clip_and_silence_outside_it() -> None:
    from app.audio.peaks import span_peaks

    rate = 1000
    samples = np.zeros(3000, dtype=np.float32)
    samples[1000:2000] = 0.5  # one loud second in the middle
    clip = AudioClip(samples, rate)
    assert list(span_peaks(clip, 1000, 2000, 4)) == [0.5] * 4
    before = span_peaks(clip, -1000, 1000, 4)  # half before the clip: silence
    assert list(before) == [0.0] * 4
    around = span_peaks(clip, 500, 2500, 4)
    assert list(around) == [0.0, 0.5, 0.5, 0.0]
    after = span_peaks(clip, 2500, 4500, 4)  # past the end: silence
    assert list(after) == [0.0] * 4
