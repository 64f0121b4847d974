"""The player's position is what is heard: handed-out frames minus the output latency.

A stand-in stream drives the player's callback with the timing PortAudio gives (the
time now and when the block's first frame reaches the speaker, on the stream's clock),
so the numbers are exact; tests/audio/test_player.py plays through ALSA for real."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from app.audio.clip import AudioClip
from app.audio.player import Player, PlayerState

RATE = 1000  # one frame per millisecond: positions read as frame counts
BLOCK = 100


class FakeStream:
    """What the player uses of sounddevice.OutputStream, with a clock the test sets."""

    def __init__(self, callback: Any, latency: float = 0.25) -> None:
        self.callback = callback
        self.time = 10.0
        self.latency = latency
        self.active = False
        self.stopped = True
        self.draining = False

    def start(self) -> None:
        self.active, self.stopped = True, False

    def abort(self) -> None:
        self.active, self.stopped = False, True

    close = abort

    def block(self, dac_delay: float | None) -> None:
        """One callback now; `dac_delay` None: a host API that gives no times."""
        out = np.zeros((BLOCK, 1), dtype=np.float32)
        info = None if dac_delay is None else SimpleNamespace(
            currentTime=self.time, outputBufferDacTime=self.time + dac_delay)
        try:
            self.callback(out, BLOCK, info, None)
        except StopIteration:  # the player's "that was the last block"
            # As PortAudio: the stream stays active until its queued blocks have been
            # heard; a test ends that with `played_out()`.
            self.draining = True

    def played_out(self) -> None:
        self.active = False


@pytest.fixture
def player() -> tuple[Player, list[FakeStream]]:
    p = Player()
    streams: list[FakeStream] = []

    def open_output(rate: int, channels: int, device: str | None) -> FakeStream:
        streams.append(FakeStream(p._callback))
        return streams[-1]

    p._open_output = open_output  # type: ignore[method-assign]
    p.load(AudioClip(np.full((10 * RATE, 1), 0.1, dtype=np.float32), RATE))
    return p, streams


def test_position_is_the_heard_frame_not_the_handed_one(player: Any) -> None:
    p, streams = player
    p.play()
    (stream,) = streams
    assert p.position_ms == 0
    stream.block(0.25)  # frames 0-99 heard from 10.25 s on the stream's clock
    assert p.handed_ms == 100 and p.position_ms == 0  # nothing heard yet
    assert p.output_latency_s == pytest.approx(0.25)
    stream.time = 10.1
    stream.block(0.25)  # frames 100-199 heard from 10.35 s
    stream.time = 10.3
    assert p.handed_ms == 200 and p.position_ms == 50
    stream.time = 10.4
    assert p.position_ms == 150
    stream.time = 11.0  # long after: never ahead of what was handed out
    assert p.position_ms == 200


def test_pause_resumes_from_what_was_heard(player: Any) -> None:
    p, streams = player
    p.play()
    stream = streams[0]
    for n in range(5):
        stream.time = 10.0 + n * 0.1
        stream.block(0.3)
    stream.time = 10.5  # handed 500 frames; heard: 100 + (10.5 - 10.4) s = 200
    assert p.handed_ms == 500 and p.position_ms == 200
    p.pause()
    assert p.state is PlayerState.PAUSED and p.position_ms == 200 == p.handed_ms
    p.play()
    stream.block(0.3)
    assert p.handed_ms == 300  # frames 200-299 again: they were never heard


def test_without_times_the_reported_latency_is_used(player: Any) -> None:
    p, streams = player
    p.play()
    stream = streams[0]
    stream.latency = 0.2
    stream.block(None)  # no times from the host API: heard 0.2 s from now
    stream.block(None)
    stream.time = 10.25
    assert p.handed_ms == 200 and p.position_ms == 50
    stream.time = 0.0  # and without a clock either: handed minus the latency
    assert p.position_ms == 0


def test_seek_shows_the_new_place_at_once(player: Any) -> None:
    p, streams = player
    p.play()
    stream = streams[0]
    stream.block(0.25)
    p.seek(5000)
    assert p.position_ms == 5000
    stream.block(0.25)
    stream.time = 10.3  # the new block is heard from 10.25 s
    assert p.position_ms == 5050


def test_the_end_is_shown_when_it_is_heard(player: Any) -> None:
    p, streams = player
    p.seek(9800)
    p.play()
    stream = streams[0]
    for n in range(3):  # the third finds the clip at its end
        stream.time = 10.0 + n * 0.1
        stream.block(0.25)
    # Finished handing out; the last two blocks are still to be heard.
    assert p.state is PlayerState.FINISHED and p.handed_ms == 10_000
    stream.time = 10.30  # the second block (9900 on) is heard from 10.35
    assert p.position_ms == 9850
    stream.time = 11.0
    assert p.position_ms == 10_000
    stream.played_out()  # the device finished: the end stays shown
    assert p.position_ms == 10_000
