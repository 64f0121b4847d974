"""The music sketch a few bars at a time (app/engine/music_stream_render.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from app.engine import music_stream_render
from app.engine.music_sketch import render_plan
from app.engine.music_sketch_plan import SketchPlan, SketchSection
from app.engine.music_stream_render import RenderCancelled, render_blocks

RATE = 22050


def plan_of(*sections: tuple[str, int], styles: tuple[str, ...] = ("ambient", "90 bpm"),
            lines: dict[int, tuple[str, ...]] | None = None) -> SketchPlan:
    return SketchPlan(styles, (), tuple(
        SketchSection(name, ms, (), (), (lines or {}).get(i, ()))
        for i, (name, ms) in enumerate(sections)))


def test_blocks_are_the_whole_song_frame_for_frame() -> None:
    plan = plan_of(("Intro", 7_001), ("Verse", 12_345), ("Outro", 5_000))
    blocks = list(render_blocks(plan, RATE, seed=3, instrumental=True))
    song = np.concatenate(blocks)
    whole = render_plan(plan, RATE, seed=3, instrumental=True)
    assert song.shape == whole.shape and len(blocks) > 3
    # Same music, one gain (a quiet song is not pushed to full scale).
    ratio = float(np.dot(song.ravel(), whole.ravel()) / np.dot(whole.ravel(), whole.ravel()))
    assert np.abs(song - ratio * whole).max() < 1e-3
    assert 0.05 < np.abs(song).max() <= 0.89 + 1e-6


def test_loud_sections_never_clip() -> None:
    plan = plan_of(("Chorus", 8_000), ("Chorus", 8_000), styles=("energetic", "rock"))
    song = np.concatenate(list(render_blocks(plan, RATE, seed=1)))
    assert np.abs(song).max() <= 0.89 + 1e-6


def test_lines_are_sung_in_their_section() -> None:
    def voice(text: str) -> tuple[np.ndarray, int]:
        return np.full(RATE // 2, 0.5, np.float32), RATE

    plan = plan_of(("Verse", 6_000), ("Outro", 6_000), lines={0: ("one", "two")})
    sung = np.concatenate(list(render_blocks(plan, RATE, seed=2, voice_lines=voice)))
    bare = np.concatenate(list(render_blocks(plan, RATE, seed=2)))
    assert np.abs(sung[: 6 * RATE] - bare[: 6 * RATE]).max() > 0.2
    assert np.abs(sung[6 * RATE + RATE // 2:] - bare[6 * RATE + RATE // 2:]).max() < 1e-6


def test_a_long_song_starts_at_once_and_holds_few_bars(
        monkeypatch: pytest.MonkeyPatch) -> None:
    plan = plan_of(*[("Verse", 120_000)] * 30)  # an hour
    made: list[object] = []
    pieces = music_stream_render.raw_pieces

    def counted(*args: Any, **kwargs: Any) -> Iterator[Any]:
        for piece in pieces(*args, **kwargs):
            made.append(piece)
            yield piece

    monkeypatch.setattr(music_stream_render, "raw_pieces", counted)
    first = next(render_blocks(plan, 44100, seed=4, instrumental=True))
    # Counted, not timed: the first block waits for the first few bars only, never for
    # the rest of the hour (the pieces an hour has: hundreds).
    assert len(made) <= 2
    assert len(first) <= 20 * 44100


def test_cancelled_stops_before_the_next_bars() -> None:
    plan = plan_of(*[("Verse", 120_000)] * 30)
    stop = {"now": False}
    blocks = render_blocks(plan, RATE, seed=5, cancelled=lambda: stop["now"])
    next(blocks)
    stop["now"] = True
    with pytest.raises(RenderCancelled):
        next(blocks)
