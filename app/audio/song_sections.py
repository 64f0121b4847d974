"""Where a song's sections change, found from the audio alone: novelty on a
self-similarity matrix (J. Foote, "Automatic audio segmentation using a measure of
audio novelty", ICME 2000).

Each half second gets a timbre/energy feature (log energy in 24 log-spaced bands,
standardised); the cosine similarity of every pair of frames forms the matrix; a
Gaussian-tapered checkerboard kernel slid along its diagonal scores how much the music
before a moment differs from the music after it (the novelty); its clear peaks, at least
`min_section_s` apart, are the boundaries. An estimate: a real section change with the
same sound on both sides is missed, and a loud change within a section may be taken
for one.
"""

from __future__ import annotations

import itertools

import numpy as np

FRAME_S = 0.5
_BANDS = 24
_KERNEL_FRAMES = 16  # 8 s: 4 s of music either side of a candidate boundary
MIN_NOVELTY = 0.25


def _features(mono: np.ndarray, rate: int) -> np.ndarray:
    size = max(1, int(rate * FRAME_S))
    count = len(mono) // size
    if count == 0:
        return np.zeros((0, _BANDS))
    frames = mono[:count * size].reshape(count, size) * np.hanning(size)
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    freqs = np.fft.rfftfreq(size, 1.0 / rate)
    edges = np.geomspace(40.0, min(16000.0, rate / 2), _BANDS + 1)
    bands = np.stack([power[:, (freqs >= lo) & (freqs < hi)].sum(axis=1)
                      for lo, hi in itertools.pairwise(edges)], axis=1)
    features = np.log(bands + 1e-10)
    features = (features - features.mean(axis=0)) / (features.std(axis=0) + 1e-9)
    return features / (np.linalg.norm(features, axis=1, keepdims=True) + 1e-9)


def novelty_curve(mono: np.ndarray, rate: int) -> np.ndarray:
    """The novelty of each FRAME_S frame (0 where the kernel does not fit)."""
    features = _features(np.asarray(mono, dtype=np.float64), rate)
    count = len(features)
    similarity = features @ features.T
    half = _KERNEL_FRAMES // 2
    sign = np.sign(np.arange(-half, half) + 0.5)
    taper = np.exp(-0.5 * (np.arange(-half, half) + 0.5) ** 2 / (half / 2) ** 2)
    kernel = np.outer(sign, sign) * np.outer(taper, taper)
    novelty = np.zeros(count)
    for i in range(half, count - half + 1):
        novelty[i] = float((kernel * similarity[i - half:i + half, i - half:i + half]).sum())
    return novelty / np.abs(kernel).sum()  # 1: the two sides share nothing at all


def section_boundaries_ms(mono: np.ndarray, rate: int, min_section_s: float = 6.0,
                          max_sections: int = 30) -> list[int]:
    """The estimated starts of the sections after the first (ms, increasing)."""
    novelty = novelty_curve(mono, rate)
    if not novelty.any():
        return []
    positive = novelty[novelty > 0]
    # Clear peaks only: above most of the curve, and a real contrast (a steady song's
    # curve wobbles around 0).
    threshold = max(positive.mean() + 0.5 * positive.std(), MIN_NOVELTY) \
        if positive.size else np.inf
    gap = max(1, int(min_section_s / FRAME_S))
    total = len(novelty)
    chosen: list[int] = []
    # Strongest peaks first, each at least `gap` frames from the others and the ends.
    for i in np.argsort(novelty)[::-1]:
        if novelty[i] < threshold or len(chosen) >= max_sections - 1:
            break
        is_peak = novelty[i] >= novelty[max(0, i - 1):i + 2].max()
        if is_peak and gap <= i <= total - gap and all(abs(i - c) >= gap for c in chosen):
            chosen.append(int(i))
    return sorted(round(i * FRAME_S * 1000) for i in chosen)


__all__ = ["FRAME_S", "novelty_curve", "section_boundaries_ms"]
