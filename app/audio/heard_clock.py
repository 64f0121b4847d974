"""Which frame is being heard now, not which was last handed to the device.

The device plays each block its output latency later (tens to hundreds of ms with
latency="high"), so the audio callback notes when its block will reach the speaker
(PortAudio's outputBufferDacTime, on the stream's clock; else the stream's reported
latency) and the heard frame is interpolated on that clock. The highlighted word then
matches the word heard. Not locked itself: the player calls it under its own lock.
"""

from __future__ import annotations

from typing import Any

from app.audio.player_state import PlayerState
from app.audio.sound_output import stream_active, stream_time

_SOUNDING = (PlayerState.PLAYING, PlayerState.BUFFERING, PlayerState.FINISHED)


class HeardClock:
    def __init__(self) -> None:
        # (stream time when the block starting at `frame` reaches the speaker, frame),
        # set by the callback; None before the first block of a start, or after a seek.
        self.anchor: tuple[float, int] | None = None
        self.latency_s = 0.0  # the output latency of the last block (measured/reported)
        self.played_from = 0  # the frame the stream last started at (the lower bound)

    def restart_at(self, frame: int) -> None:
        """Playing (again) from `frame`: nothing from there has been heard yet."""
        self.anchor = None
        self.played_from = frame

    def heard_frame(self, handed: int, state: PlayerState, stream: Any, rate: int) -> int:
        """The frame heard now, given the next frame to hand to the device."""
        if state not in _SOUNDING:
            return handed
        anchor = self.anchor
        if state is PlayerState.FINISHED and anchor is None:
            return handed
        if state is PlayerState.FINISHED and not stream_active(stream):
            return handed  # the device has played everything out: the end is heard
        if anchor is None:  # nothing has reached the device yet since it started
            return min(handed, self.played_from)
        now = stream_time(stream)
        if now is None:  # no clock: the reported latency behind what was handed
            heard = handed - round(self.latency_s * rate)
        else:
            heard = anchor[1] + round((now - anchor[0]) * rate)
        return max(min(heard, handed), min(self.played_from, handed))

    def note_block(self, time_info: Any, frame: int, stream: Any, rate: int) -> None:
        """When the block starting at `frame` will be heard (from the audio callback)."""
        dac = getattr(time_info, "outputBufferDacTime", 0.0) or 0.0
        now = getattr(time_info, "currentTime", 0.0) or 0.0
        if dac > 0 and now > 0 and 0 <= dac - now < 5.0:
            self.latency_s = dac - now
            self.anchor = (dac, frame)
            return
        # Some host APIs give no times: the stream's reported latency, on the stream's
        # clock if it has one (else heard_frame subtracts the latency from the cursor).
        latency = getattr(stream, "latency", None)
        self.latency_s = float(latency) if isinstance(latency, int | float) else 0.0
        clock = stream_time(stream)
        if clock is None:
            self.anchor = (0.0, frame)
            return
        when = clock + self.latency_s
        previous = self.anchor
        if previous is not None and previous[0] > 0 and frame > previous[1]:
            # Queued behind the blocks before it: heard when they have been.
            when = max(when, previous[0] + (frame - previous[1]) / rate)
        self.anchor = (when, frame)
