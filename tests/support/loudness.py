"""Integrated loudness (ITU-R BS.1770-4), written out here for tests, so a delivered file
is checked against a measurement that does not share code with the exporter's (which
uses pyloudnorm).

K-weighting is the two filters of the recommendation, designed for any sample rate from
their analogue prototypes as libebur128 does (pyloudnorm derives them differently): a
high shelf (+4 dB above ~1.7 kHz, the head's effect) and a high-pass (the RLB curve).
Gating: 400 ms blocks every 100 ms; an absolute gate at -70 LUFS, then a relative one
10 LU below the loudness of the blocks that passed the first.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.signal import lfilter

ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0


def k_weighting(rate: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(b, a) of the shelf, then of the high-pass, at `rate`."""
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / rate)
    vh = 10 ** (gain_db / 20)
    vb = vh ** 0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf_b = np.array([(vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0,
                        (vh - vb * k / q + k * k) / a0])
    shelf_a = np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0])
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / rate)
    a0 = 1 + k / q + k * k
    high_b = np.array([1.0, -2.0, 1.0])
    high_a = np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0])
    return [(shelf_b, shelf_a), (high_b, high_a)]


def integrated_loudness(samples: np.ndarray, rate: int) -> float:
    """LUFS of mono or (frames, channels) audio; channels weigh 1 (no surrounds).
    -inf when nothing passes the gates (silence, or shorter than one block)."""
    audio = np.asarray(samples, dtype=np.float64)
    if audio.ndim == 1:
        audio = audio[:, None]
    weighted = audio
    for b, a in k_weighting(rate):
        weighted = lfilter(b, a, weighted, axis=0)
    block, step = round(0.4 * rate), round(0.1 * rate)
    if len(weighted) < block:
        return -math.inf
    squares = np.cumsum(np.vstack([np.zeros((1, weighted.shape[1])), weighted ** 2]), axis=0)
    starts = np.arange(0, len(weighted) - block + 1, step)
    # Mean square of each block, summed over channels (all weights 1).
    power = ((squares[starts + block] - squares[starts]) / block).sum(axis=1)
    with np.errstate(divide="ignore"):
        loudness = -0.691 + 10 * np.log10(power)
    kept = power[loudness > ABSOLUTE_GATE_LUFS]
    if not kept.size:
        return -math.inf
    relative = -0.691 + 10 * math.log10(kept.mean()) + RELATIVE_GATE_LU
    with np.errstate(divide="ignore"):
        kept = kept[-0.691 + 10 * np.log10(kept) > relative]
    return -0.691 + 10 * math.log10(kept.mean())


def file_loudness(path: object) -> tuple[float, float]:
    """(LUFS, seconds) of an audio file, read with soundfile."""
    import soundfile

    data, rate = soundfile.read(str(path), dtype="float64", always_2d=True)
    return integrated_loudness(data, rate), len(data) / rate
