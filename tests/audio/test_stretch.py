"""Review playback at another speed: what reaches the sound device (the ALSA file sink)
is time-stretched (its length is the span's divided by the speed, within 2 %) and keeps
its pitch (the spectrum's peak stays at the tone's frequency), looped as asked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.audio.clip import AudioClip
from app.audio.player import Player, PlayerState
from app.audio.stretch import SourceMap, StretchedPlayback, stretch
from tests.audio.test_player import played, wait_until

RATE = 24000


def _tone(seconds: float, hz: float = 440.0) -> AudioClip:
    t = np.arange(int(RATE * seconds)) / RATE
    return AudioClip((0.4 * np.sin(2 * np.pi * hz * t)).astype(np.float32), RATE)


def _peak_hz(samples: np.ndarray) -> float:
    window = samples[: RATE] * np.hanning(min(RATE, len(samples)))
    spectrum = np.abs(np.fft.rfft(window, n=RATE))
    return float(np.argmax(spectrum))


def _sounding_frames(samples: np.ndarray) -> int:
    """Frames in 10 ms blocks whose level is the tone's (not silence, not a fade)."""
    block = RATE // 100
    n = len(samples) // block
    rms = np.sqrt(np.mean(samples[: n * block].reshape(n, block) ** 2, axis=1))
    return int(np.sum(rms > 0.1)) * block


@pytest.fixture
def player() -> Any:
    p = Player()
    yield p
    p.close()


@pytest.mark.parametrize("speed", [1.5, 0.5])
def test_a_looped_span_reaches_the_sink_stretched_at_the_same_pitch(
        player: Player, alsa_played_file: Path, speed: float) -> None:
    clip = _tone(5.0)
    review = StretchedPlayback(player, clip, speed, start_ms=1000, loop_ms=(1000, 3000),
                               max_loops=2)
    player.play()
    wait_until(lambda: player.state is PlayerState.FINISHED, timeout_s=60)
    review.join(5)
    assert review.error is None
    out = played(alsa_played_file)[:, 0]
    expected = 2 * 2.0 * RATE / speed  # two passes over 2 s of tone
    assert abs(_sounding_frames(out) - expected) / expected < 0.02
    sounding = out[np.flatnonzero(np.abs(out) > 0.2)[0]:]
    assert abs(_peak_hz(sounding[RATE // 4:]) - 440.0) <= 3.0
    # The map gives back the clip's time: the second pass starts again at 1 s.
    assert review.clip_ms(0) == 1000
    assert review.clip_ms(round(2000 / speed) + 1) in (1000, 1001)


def test_stretch_keeps_pitch_and_changes_length() -> None:
    clip = _tone(2.0, 300.0)
    out = stretch(clip.samples, RATE, 2.0)
    assert abs(len(out) - RATE) <= RATE * 0.02
    assert abs(_peak_hz(out[:, 0]) - 300.0) <= 3.0
    assert stretch(clip.samples, RATE, 1.0) is not None


def test_source_map_walks_blocks() -> None:
    source = SourceMap(1.5)
    source.add(0, 1000)
    source.add(100, 1150)
    assert source.clip_frame(-1) is None
    assert source.clip_frame(50) == 1075
    assert source.clip_frame(100) == 1150


def test_speed_outside_half_to_double_is_refused(player: Player) -> None:
    with pytest.raises(ValueError):
        StretchedPlayback(player, _tone(1.0), 3.0, 0)
