"""Section finding by novelty: a song made of three clearly different parts gives the
two boundaries between them (within a frame), a steady one gives none."""

from __future__ import annotations

import numpy as np

from app.audio.song_sections import FRAME_S, section_boundaries_ms

RATE = 16000


def _part(seconds: float, kind: str, rng: np.random.Generator, rate: int = RATE
          ) -> np.ndarray:
    """Half a minute of one kind of sound (also used by the upload tests)."""
    t = np.arange(int(seconds * rate)) / rate
    if kind == "low":
        return 0.4 * np.sin(2 * np.pi * 110 * t) + 0.01 * rng.standard_normal(t.size)
    if kind == "noise":
        return 0.2 * rng.standard_normal(t.size)
    return (0.3 * np.sin(2 * np.pi * 2000 * t) + 0.3 * np.sin(2 * np.pi * 3100 * t)
            + 0.01 * rng.standard_normal(t.size))


def test_three_parts_give_two_boundaries() -> None:
    rng = np.random.default_rng(1)
    song = np.concatenate([_part(20, "low", rng), _part(16, "noise", rng),
                           _part(20, "high", rng)])
    bounds = section_boundaries_ms(song, RATE)
    assert len(bounds) == 2
    for found, true in zip(bounds, (20_000, 36_000), strict=True):
        assert abs(found - true) <= FRAME_S * 1000


def test_a_steady_song_has_no_boundaries_to_speak_of() -> None:
    rng = np.random.default_rng(2)
    assert len(section_boundaries_ms(_part(40, "low", rng), RATE)) <= 1
