"""The Player plays a span of a clip on its own: looped frame for frame into the ALSA
file sink, or once (then it finishes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.audio.clip import AudioClip
from app.audio.player import Player, PlayerState
from tests.audio.test_player import played, wait_until

RATE = 24000


@pytest.fixture
def player() -> Any:
    p = Player()
    yield p
    p.close()


def _ramp_clip() -> np.ndarray:
    # Every frame different (no zeros), so a repeat is only ever the very same span.
    return np.linspace(0.01, 0.9, RATE, dtype=np.float32)


def test_a_looped_span_repeats_exactly(player: Player, alsa_played_file: Path) -> None:
    samples = _ramp_clip()
    player.load(AudioClip(samples, RATE))
    assert player.set_span(250, 500, repeat=True)
    span = samples[round(0.25 * RATE):round(0.5 * RATE)]
    player.play()
    wait_until(lambda: len(played(alsa_played_file)) >= 5 * len(span))
    player.pause()
    out = played(alsa_played_file)[:, 0]
    start = int(np.flatnonzero(out)[0])
    heard = out[start:start + 4 * len(span)]
    np.testing.assert_array_equal(heard.reshape(4, len(span)), np.tile(span, (4, 1)))


def test_a_span_played_once_finishes(player: Player, alsa_played_file: Path) -> None:
    samples = _ramp_clip()
    player.load(AudioClip(samples, RATE))
    assert player.set_span(100, 300, repeat=False)
    player.play()
    wait_until(lambda: player.state is PlayerState.FINISHED)
    out = played(alsa_played_file)[:, 0]
    heard = out[np.abs(out) > 0]
    np.testing.assert_array_equal(heard, samples[round(0.1 * RATE):round(0.3 * RATE)])
    player.load(AudioClip(samples, RATE))  # a new clip: no span any more
    assert player._span is None


def test_no_span_without_a_whole_clip(player: Player) -> None:
    assert not player.set_span(0, 100)  # nothing loaded
    player.open_stream(RATE, 1)
    assert not player.set_span(0, 100)  # still arriving
