"""The Player: real playback into the ALSA file sink, and the transport logic driven
by hand through a stand-in stream (the null ALSA device plays ~1000x faster than real
time, too fast to pause or seek in)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from app.audio.clip import AudioClip
from app.audio.player import AudioDeviceError, Player, PlayerState
from tests.audio.signals import tone

RATE = 24000


def wait_until(condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.002)


def played(path: Path, channels: int = 1) -> np.ndarray:
    """What the ALSA file sink received: float32, interleaved."""
    data = np.frombuffer(path.read_bytes(), dtype=np.float32)
    return data[: len(data) - len(data) % channels].reshape(-1, channels)


def audible(path: Path, channels: int = 1) -> np.ndarray:
    frames = played(path, channels)
    return frames[np.abs(frames).max(axis=1) > 0]


@pytest.fixture
def player() -> Any:
    p = Player()
    yield p
    p.close()


# -- real playback -----------------------------------------------------------------------
def test_tone_reaches_the_sound_device(player: Player, alsa_played_file: Path) -> None:
    samples = tone(RATE, 0.5)
    player.load(AudioClip(samples, RATE))
    assert player.state is PlayerState.STOPPED and player.duration_ms == 500
    assert player.first_audible_at is None
    before = time.perf_counter()
    player.play()
    wait_until(lambda: player.state is PlayerState.FINISHED)
    wait_until(lambda: len(audible(alsa_played_file)) >= len(samples) - 1)
    assert player.first_audible_at is not None
    assert before <= player.first_audible_at <= time.perf_counter()
    assert player.position_ms == 500
    assert player.last_error is None
    # the very samples of the tone arrived, in order (its first sample is 0.0)
    np.testing.assert_array_equal(audible(alsa_played_file)[:, 0], samples[1:])


def test_stereo_at_another_rate_with_volume(player: Player, alsa_played_file: Path) -> None:
    samples = tone(44100, 0.3, channels=2)
    player.volume = 0.5
    player.load(AudioClip(samples, 44100))
    player.play()
    wait_until(lambda: len(audible(alsa_played_file, 2)) >= len(samples) - 1)
    out = audible(alsa_played_file, 2)
    np.testing.assert_allclose(out, samples[1:] * 0.5, atol=1e-7)


def test_replay_after_the_end(player: Player, alsa_played_file: Path) -> None:
    samples = tone(RATE, 0.2)
    player.load(AudioClip(samples, RATE))
    player.play()
    wait_until(lambda: player.state is PlayerState.FINISHED)
    player.play()  # from the start again
    wait_until(lambda: len(audible(alsa_played_file)) >= 2 * (len(samples) - 1))
    wait_until(lambda: player.state is PlayerState.FINISHED)


def test_stream_plays_before_it_is_finished(player: Player, alsa_played_file: Path) -> None:
    samples = tone(RATE, 0.6)
    feed = player.open_stream(RATE, 1)
    player.play()
    assert player.state is PlayerState.BUFFERING
    assert player.duration_ms == 0 and player.first_audible_at is None
    feed.append(samples[:4800])  # the first 200 ms arrive
    wait_until(lambda: player.first_audible_at is not None)
    assert player.state in (PlayerState.PLAYING, PlayerState.BUFFERING)
    wait_until(lambda: len(audible(alsa_played_file)) >= 4799)
    assert player.duration_ms == 200
    for start in range(4800, len(samples), 2400):  # the rest, in pieces
        feed.append(samples[start : start + 2400])
    assert player.state is not PlayerState.FINISHED  # more could still come
    feed.finish()
    wait_until(lambda: player.state is PlayerState.FINISHED)
    assert player.duration_ms == 600 and player.position_ms == 600
    wait_until(lambda: len(audible(alsa_played_file)) >= len(samples) - 1)
    # gaps of silence while buffering, but every sample arrived once and in order
    np.testing.assert_array_equal(audible(alsa_played_file)[:, 0], samples[1:])


def test_missing_device_is_a_plain_error(player: Player) -> None:
    player.device = "No Such Speakers"
    player.load(AudioClip(tone(RATE, 0.1), RATE))
    with pytest.raises(AudioDeviceError, match="No Such Speakers"):
        player.play()
    assert player.state is PlayerState.PAUSED
    assert player.last_error and "No Such Speakers" in player.last_error
    player.device = None  # back to the default: plays
    player.play()
    wait_until(lambda: player.state is PlayerState.FINISHED)
    assert player.last_error is None


def test_named_default_device(player: Player, alsa_played_file: Path) -> None:
    from app.audio.devices import list_output_devices

    default = next(d for d in list_output_devices() if d.is_default)
    player.device = default.name
    player.load(AudioClip(tone(RATE, 0.1), RATE))
    player.play()
    wait_until(lambda: len(audible(alsa_played_file)) >= 2399)


def test_play_without_anything_loaded_does_nothing(player: Player) -> None:
    player.play()
    player.pause()
    player.seek(100)
    assert player.state is PlayerState.STOPPED
    assert player.position_ms == 0 and player.duration_ms == 0


# -- transport, driven by hand -----------------------------------------------------------
class HandStream:
    """Stands in for sounddevice.OutputStream: `pull(n)` runs the callback once."""

    instances: ClassVar[list[HandStream]] = []

    def __init__(self, player: Player, rate: int, channels: int, device: str | None) -> None:
        self.player, self.rate, self.channels, self.device = player, rate, channels, device
        self.active = False
        self.stopped = True
        self.closed = False
        HandStream.instances.append(self)

    def start(self) -> None:
        self.active, self.stopped = True, False

    def abort(self) -> None:
        was_running = not self.stopped
        self.active, self.stopped = False, True
        if was_running:
            self.player._on_stream_finished()

    def close(self) -> None:
        self.closed = True

    def pull(self, frames: int) -> np.ndarray:
        out = np.full((frames, self.channels), np.nan, dtype=np.float32)
        assert self.active, "pulled from a stream that is not running"
        try:
            self.player._callback(out, frames, None, None)
        except self.player._callback_stop:
            self.active = False  # PortAudio: inactive but not yet stopped
        assert not np.isnan(out).any()
        return out


@pytest.fixture
def hand(monkeypatch: pytest.MonkeyPatch) -> Callable[[], HandStream]:
    HandStream.instances = []
    monkeypatch.setattr(Player, "_open_output",
                        lambda self, rate, channels, device: HandStream(self, rate, channels,
                                                                        device))
    return lambda: HandStream.instances[-1]


def test_pause_seek_and_position(hand: Callable[[], HandStream]) -> None:
    player = Player()
    samples = tone(8000, 1.0)
    player.load(AudioClip(samples, 8000))
    player.play()
    stream = hand()
    assert (stream.rate, stream.channels, stream.device) == (8000, 1, None)
    out = stream.pull(800)
    np.testing.assert_array_equal(out[:, 0], samples[:800])
    assert player.position_ms == 100 and player.state is PlayerState.PLAYING

    player.pause()
    assert player.state is PlayerState.PAUSED and not stream.active
    assert player.position_ms == 100 and player.last_error is None
    player.seek(500)
    assert player.position_ms == 500 and player.state is PlayerState.PAUSED
    player.play()
    assert stream.active and player.state is PlayerState.PLAYING
    np.testing.assert_array_equal(stream.pull(80)[:, 0], samples[4000:4080])
    assert player.position_ms == 510

    player.volume = 0.25
    np.testing.assert_allclose(stream.pull(8)[:, 0], samples[4080:4088] * 0.25)
    player.volume = 7
    assert player.volume == 1.0

    player.seek(990)
    tail = stream.pull(200)
    np.testing.assert_array_equal(tail[:80, 0], samples[7920:])
    assert not tail[80:].any()
    assert player.state is PlayerState.FINISHED and not stream.active
    assert player.position_ms == 1000 and player.last_error is None

    player.seek(250)  # seeking after the end: ready to play from there
    assert player.state is PlayerState.PAUSED
    player.play()
    np.testing.assert_array_equal(stream.pull(8)[:, 0], samples[2000:2008])

    player.stop()
    assert player.state is PlayerState.STOPPED and player.position_ms == 0
    player.seek(-50)
    assert player.position_ms == 0
    player.seek(10_000)
    assert player.position_ms == 1000
    player.close()
    assert stream.closed


def test_finished_clip_plays_again_from_the_start(hand: Callable[[], HandStream]) -> None:
    player = Player()
    samples = tone(8000, 0.1)
    player.load(AudioClip(samples, 8000))
    player.play()
    hand().pull(1000)
    assert player.state is PlayerState.FINISHED
    player.play()
    assert player.state is PlayerState.PLAYING and player.position_ms == 0
    np.testing.assert_array_equal(hand().pull(10)[:, 0], samples[:10])


def test_buffering_while_a_stream_runs_dry(hand: Callable[[], HandStream]) -> None:
    player = Player()
    feed = player.open_stream(8000, 1)
    player.play()
    stream = hand()
    assert player.state is PlayerState.BUFFERING
    assert not stream.pull(64).any() and player.state is PlayerState.BUFFERING
    samples = tone(8000, 0.5)
    feed.append(samples[:100])
    np.testing.assert_array_equal(stream.pull(50)[:, 0], samples[:50])
    assert player.state is PlayerState.PLAYING
    out = stream.pull(100)  # 50 left: then silence and BUFFERING, not FINISHED
    np.testing.assert_array_equal(out[:50, 0], samples[50:100])
    assert not out[50:].any() and player.state is PlayerState.BUFFERING
    assert player.duration_ms == 12 and player.position_ms == 12
    feed.append(samples[100:])  # grows the buffer past its first size is fine too
    feed.append(np.zeros((8000 * 12, 1), np.float32))
    np.testing.assert_array_equal(stream.pull(100)[:, 0], samples[100:200])
    assert player.state is PlayerState.PLAYING
    feed.finish()
    player.seek(12_400)
    stream.pull(8000)
    assert player.state is PlayerState.FINISHED
    assert player.duration_ms == 12_500


def test_pause_while_streaming_keeps_collecting(hand: Callable[[], HandStream]) -> None:
    player = Player()
    feed = player.open_stream(8000, 1)
    player.play()
    feed.append(np.ones(80, np.float32) * 0.1)
    player.pause()
    feed.append(np.ones(80, np.float32) * 0.2)
    feed.finish()
    assert player.state is PlayerState.PAUSED and player.duration_ms == 20
    player.play()
    out = hand().pull(200)
    assert out[:80].max() == pytest.approx(0.1) and out[80:160].min() == pytest.approx(0.2)
    assert player.state is PlayerState.FINISHED


def test_stereo_samples_into_a_mono_stream_are_mixed(hand: Callable[[], HandStream]) -> None:
    player = Player()
    feed = player.open_stream(8000, 1)
    feed.append(np.stack([np.full(10, 0.2), np.full(10, 0.4)], axis=1))
    feed.finish()
    player.play()
    np.testing.assert_allclose(hand().pull(10)[:, 0], 0.3)


def test_a_stale_feed_cannot_write_into_the_next_clip(hand: Callable[[], HandStream]) -> None:
    player = Player()
    old = player.open_stream(8000, 1)
    old.append(np.ones(100, np.float32))
    player.load(AudioClip(np.zeros(80, np.float32), 8000))
    old.append(np.ones(100, np.float32))
    old.finish()
    assert player.duration_ms == 10


def test_first_audible_skips_leading_silence(hand: Callable[[], HandStream]) -> None:
    player = Player()
    samples = np.concatenate([np.zeros(400, np.float32), tone(8000, 0.1)])
    player.load(AudioClip(samples, 8000))
    player.play()
    hand().pull(400)
    assert player.first_audible_at is None
    hand().pull(10)
    assert player.first_audible_at is not None
    player.load(AudioClip(samples, 8000))
    assert player.first_audible_at is None
    player.open_stream(8000, 1)
    assert player.first_audible_at is None


def test_new_device_and_rate_apply_to_the_next_stream(hand: Callable[[], HandStream]) -> None:
    player = Player(device="Speakers")
    player.load(AudioClip(tone(8000, 0.1), 8000))
    player.play()
    first = hand()
    assert first.device == "Speakers"
    player.device = "Headphones"
    player.pause()
    player.play()  # the next open uses the new device
    assert hand() is not first and first.closed and hand().device == "Headphones"
    player.load(AudioClip(tone(16000, 0.1, channels=2), 16000))
    player.play()
    assert (hand().rate, hand().channels) == (16000, 2)


def test_more_than_two_channels_are_mixed_down(hand: Callable[[], HandStream]) -> None:
    player = Player()
    player.load(AudioClip(np.ones((100, 6), np.float32) * 0.5, 8000))
    player.play()
    assert hand().channels == 1
    np.testing.assert_allclose(hand().pull(10), 0.5)


def test_a_device_that_stops_by_itself_is_reported(hand: Callable[[], HandStream]) -> None:
    player = Player()
    player.load(AudioClip(tone(8000, 1.0), 8000))
    player.play()
    hand().pull(100)
    hand().stopped = True  # as if the device vanished
    player._on_stream_finished()
    assert player.state is PlayerState.PAUSED
    assert player.last_error == "The sound output stopped unexpectedly."


def test_stream_start_failure_is_a_device_error(hand: Callable[[], HandStream],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_start(self: HandStream) -> None:
        raise RuntimeError("Device unavailable")

    monkeypatch.setattr(HandStream, "start", broken_start)
    player = Player()
    player.load(AudioClip(tone(8000, 0.1), 8000))
    with pytest.raises(AudioDeviceError, match="Device unavailable"):
        player.play()
    assert player.state is PlayerState.PAUSED
