"""What the player is doing, as the UI polls it (`Player.state`)."""

from __future__ import annotations

import enum


class PlayerState(enum.Enum):
    STOPPED = "stopped"
    PLAYING = "playing"
    PAUSED = "paused"
    BUFFERING = "buffering"  # playing, but the samples ran out before the feed's end
    FINISHED = "finished"
