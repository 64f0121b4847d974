"""Counts and lengths of time as people read them."""

from __future__ import annotations

import pytest

from app.domain.music_plan_checks import length_text
from app.domain.wording import clock_text, duration_text, plural


def test_plural() -> None:
    assert plural(1, "generation") == "1 generation"
    assert plural(0, "generation") == "0 generations"
    assert plural(12_000, "credit") == "12,000 credits"


@pytest.mark.parametrize(("ms", "text"), [
    (0, "0 s"), (400, "0.4 s"), (9_500, "9.5 s"), (16_000, "16 s"), (59_970, "1 min"),
    (69_024, "1 min 9 s"), (720_000, "12 min"), (10_800_000, "3 h"), (3_900_000, "1 h 5 min"),
])
def test_duration_text(ms: int, text: str) -> None:
    assert duration_text(ms) == text


@pytest.mark.parametrize(("ms", "text"), [
    (9_000, "0:09"), (750_000, "12:30"), (10_800_000, "3:00:00"), (-5, "0:00"),
])
def test_clock_text(ms: int, text: str) -> None:
    assert clock_text(ms) == text


def test_a_song_length_is_rounded_to_the_second() -> None:
    assert length_text(69_024) == "1 min 9 s"
    assert length_text(120_000) == "2 minutes"
    assert length_text(45_000) == "45 seconds"
