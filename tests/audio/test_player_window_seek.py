"""A seek that lands while the file reader is handing the player a block (the block is
copied outside the player's lock, so the user's seek can come in between): the window
must still hold what is played next, and the reader must be told where to read."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from app.audio.player import Player
from tests.audio.test_player import HandStream

RATE = 1000  # one frame a millisecond: frames and ms read the same
SOURCE = (np.arange(20_000, dtype=np.float32) * 1e-5).reshape(-1, 1)  # each frame unique


@pytest.fixture
def player(monkeypatch: pytest.MonkeyPatch) -> Iterator[Player]:
    HandStream.instances = []
    monkeypatch.setattr(Player, "_open_output",
                        lambda self, rate, channels, device: HandStream(self, rate, channels,
                                                                        device))
    p = Player()
    yield p
    p.close()


@contextlib.contextmanager
def seek_during_the_next_copy(player: Player, ms: int) -> Iterator[None]:
    """The user seeks at the moment the player builds its new window buffer (np.empty
    is called only there, outside the lock)."""
    real_empty = np.empty
    done: list[bool] = []

    def empty(*args: Any, **kwargs: Any) -> Any:
        if not done:
            done.append(True)
            player.seek(ms)
        return real_empty(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(np, "empty", empty)
        yield
    assert done, "the block was appended without a new buffer: no seek happened"


def played_after_play(player: Player, frames: int) -> np.ndarray:
    player.play()
    return HandStream.instances[-1].pull(frames)


def open_and_fill(player: Player, seeks: list[int]) -> Any:
    """A 20 s file, 1 s kept behind and 3 s ahead; 3 s read, the cursor at 2.5 s (so the
    next block drops the oldest 1.5 s)."""
    feed = player.open_window(RATE, 1, len(SOURCE), seeks.append, behind_s=1, ahead_s=3)
    assert feed.append_at(0, SOURCE[:3000])
    player.seek(2500)
    return feed


def test_seeking_back_while_a_block_arrives_plays_from_there(
        player: Player) -> None:
    seeks: list[int] = []
    feed = open_and_fill(player, seeks)
    with seek_during_the_next_copy(player, 500):  # back, still inside the window
        assert feed.append_at(3000, SOURCE[3000:3500])
    assert seeks == [] and feed.next_frame() == 3500
    assert player.position_ms == 500
    np.testing.assert_array_equal(played_after_play(player, 100), SOURCE[500:600])


def test_seeking_away_while_a_block_arrives_reads_from_there(
        player: Player) -> None:
    seeks: list[int] = []
    feed = open_and_fill(player, seeks)
    with seek_during_the_next_copy(player, 12_000):  # out of the window
        assert not feed.append_at(3000, SOURCE[3000:3500])  # read for the old place
    assert seeks == [12_000] and feed.next_frame() == 12_000  # the reader reads there
    assert feed.append_at(12_000, SOURCE[12_000:13_000])
    assert player.position_ms == 12_000
    np.testing.assert_array_equal(played_after_play(player, 100), SOURCE[12_000:12_100])
