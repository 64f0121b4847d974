"""The writing end of a streamed or windowed clip (`Player.open_stream`/`open_window`):
what a decoder or file reader uses to hand samples to the player."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from app.audio.player_buffer import PlayerBuffer


class StreamFeed:
    """Thread-safe; stale once the player loads something else (further appends are
    then ignored)."""

    def __init__(self, player: PlayerBuffer, token: int, channels: int) -> None:
        self._player = player
        self._token = token
        self.channels = channels

    def append(self, samples: np.ndarray) -> None:
        self._player._append(self._token, samples)

    def append_at(self, frame: int, samples: np.ndarray) -> bool:
        """Window feeds: samples that start at absolute `frame`. Appended only where the
        window ends (a feeder still reading from before a seek is ignored); False when
        they were not taken."""
        return self._player._append(self._token, samples, at=frame)

    def finish(self) -> None:
        self._player._finish_feed(self._token)

    def finish_at(self, frame: int) -> bool:
        """Window feeds: the audio ends at absolute `frame` (ignored if a seek has moved
        the window since)."""
        return self._player._finish_feed(self._token, at=frame)

    @property
    def is_current(self) -> bool:
        """False once the player has loaded something else: the feeder can stop."""
        return self._player._token == self._token

    def frames_wanted(self) -> int:
        """Window feeds: how many frames may be appended now (0 while enough is ahead)."""
        return self._player._frames_wanted(self._token)

    def next_frame(self) -> int:
        """Window feeds: the absolute frame the next append must start at."""
        return self._player._next_frame(self._token)
