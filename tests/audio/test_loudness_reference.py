"""The tests' own loudness meter (tests/support/loudness.py) reads known signals right,
so the delivery tests that rely on it can be trusted: BS.1770's reference points, both
gates, and agreement with pyloudnorm (the exporter's meter) on noise."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.support.loudness import integrated_loudness


def sine(rate: int, seconds: float, dbfs: float, hz: float = 997.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return 10 ** (dbfs / 20) * np.sin(2 * np.pi * hz * t)


@pytest.mark.parametrize("rate", [22050, 24000, 44100, 48000])
def test_a_full_scale_sine_at_1_khz_reads_minus_3_lufs(rate: int) -> None:
    # BS.1770: a 0 dBFS 997 Hz sine in one channel reads -3.01 LKFS.
    assert integrated_loudness(sine(rate, 5, 0.0), rate) == pytest.approx(-3.01, abs=0.05)
    assert integrated_loudness(sine(rate, 5, -20.0), rate) == pytest.approx(-23.01, abs=0.05)


def test_silence_is_gated_out_and_quiet_parts_by_the_relative_gate() -> None:
    rate = 48000
    loud = sine(rate, 20, -20.0)
    silence = np.zeros(rate * 10)
    # (The few blocks that straddle an edge are partly silent and pull it down a little.)
    assert integrated_loudness(np.concatenate([silence, loud, silence]), rate) == \
        pytest.approx(-23.01, abs=0.1)
    # 30 dB down: above the absolute gate, below the relative one (only the blocks
    # that straddle the change count).
    quiet = sine(rate, 20, -50.0)
    assert integrated_loudness(np.concatenate([loud, quiet]), rate) == \
        pytest.approx(-23.01, abs=0.2)
    assert integrated_loudness(silence, rate) == -math.inf
    assert integrated_loudness(loud[: rate // 4], rate) == -math.inf  # under one block


def test_it_agrees_with_pyloudnorm_on_noise() -> None:
    import pyloudnorm

    rng = np.random.default_rng(7)
    for rate in (22050, 44100):
        noise = rng.normal(0, 0.05, rate * 8)
        noise[rate * 3: rate * 4] *= 0.01  # a quiet second, for the gates
        theirs = pyloudnorm.Meter(rate).integrated_loudness(noise)
        assert integrated_loudness(noise, rate) == pytest.approx(theirs, abs=0.1)
