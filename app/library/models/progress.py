"""Progress reports and the pause/resume/cancel control of one model install."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


class InstallCancelledError(Exception):
    """The user cancelled the install; nothing was installed."""


@dataclass(frozen=True, slots=True)
class InstallProgress:
    model: str
    stage: str  # "checking", "downloading", "paused", "verifying", "installing", "done"
    done_bytes: int
    total_bytes: int
    speed_bps: float  # over the last few seconds
    file: str = ""

    @property
    def fraction(self) -> float:
        return min(1.0, self.done_bytes / self.total_bytes) if self.total_bytes else 0.0

    @property
    def seconds_left(self) -> float | None:
        if self.speed_bps <= 0 or self.total_bytes <= 0:
            return None
        return max(0.0, (self.total_bytes - self.done_bytes) / self.speed_bps)

    def describe(self) -> str:
        """One plain line: "Downloading model.bin: 40.0 MB of 145.2 MB, 12.3 MB/s, 9 s left"."""
        from app.library.models.catalogue import human_size

        text = f"{self.stage.capitalize()}"
        if self.file:
            text += f" {self.file}"
        if self.total_bytes:
            text += f": {human_size(self.done_bytes)} of {human_size(self.total_bytes)}"
        if self.stage == "downloading" and self.speed_bps > 0:
            text += f", {human_size(self.speed_bps)}/s"
            left = self.seconds_left
            if left is not None:
                text += f", {format_duration(left)} left"
        return text


def format_duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, sec = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {sec:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


ProgressCallback = Callable[[InstallProgress], None]


class SpeedMeter:
    """Bytes per second over a sliding window of a few seconds."""

    def __init__(self, window_s: float = 3.0) -> None:
        self.window_s = window_s
        self._samples: deque[tuple[float, int]] = deque()

    def add(self, total_done: int) -> float:
        now = time.monotonic()
        self._samples.append((now, total_done))
        while len(self._samples) > 2 and now - self._samples[0][0] > self.window_s:
            self._samples.popleft()
        t0, b0 = self._samples[0]
        return (total_done - b0) / (now - t0) if now > t0 else 0.0

    def reset(self) -> None:
        self._samples.clear()


class InstallControl:
    """Thread-safe pause/resume/cancel, checked by the download between chunks."""

    def __init__(self) -> None:
        self._running = threading.Event()
        self._running.set()
        self._cancelled = threading.Event()
        self.keep_partial = False  # cancelled, but keep the download to continue later
        # Called (from the cancelling thread) on cancel: a download blocked in a read of a
        # stalled server is only woken by closing its connection, not by the flag.
        self._on_cancel: list[Callable[[], None]] = []
        # Pause cuts the connection too (a stalled read would hold it up to the read
        # timeout); the download tells that cut from a failure by this count.
        self._on_pause: list[Callable[[], None]] = []
        self.pauses = 0

    def on_cancel(self, callback: Callable[[], None]) -> None:
        self._on_cancel.append(callback)
        if self.cancelled:
            callback()

    def on_pause(self, callback: Callable[[], None]) -> None:
        """`callback` runs (in the pausing thread) at each pause: to interrupt a blocked
        read. What was received before it is kept, and the download resumes from there."""
        self._on_pause.append(callback)

    def pause(self) -> None:
        self.pauses += 1  # before the cut, so the cut download sees it was a pause
        self._running.clear()
        for callback in list(self._on_pause):
            callback()

    def resume(self) -> None:
        self._running.set()

    def cancel(self, keep_partial: bool = False) -> None:
        self.keep_partial = keep_partial
        self._cancelled.set()
        self._running.set()  # wake a paused download so it can stop
        for callback in list(self._on_cancel):
            callback()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def check(self) -> None:
        if self._cancelled.is_set():
            raise InstallCancelledError("The install was cancelled; nothing was installed.")

    def wait_while_paused(self) -> None:
        while not self._running.wait(0.2):
            pass
        self.check()
