"""Figure 7: the playhead against the sound (how far the reported position is from the
sample being heard).

A sound card plays each block its output latency after the callback hands it over
(PortAudio reports when: `outputBufferDacTime`, on the stream's clock; and the stream's
`latency`). The test machine has no such card (the ALSA null device swallows audio at
once, reporting no latency), so the device here is a stand-in paced like a real one,
with a 200 ms output buffer, that reports its timing as PortAudio does and records when
each frame reaches its "speaker". While 10 s of audio plays (quick: 1.5 s), the position
is read every few milliseconds at random moments, as the player bar and the transcript
highlight read it, and compared with the frame being heard at that moment.

Ours: `Player.position_ms` (the heard position). Baseline: the frames handed to the
device (`Player.handed_ms`, what the position used to count). 7b: the same with a host
API that gives no block times, only the stream's reported latency.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from bisect import bisect_right
from types import SimpleNamespace
from typing import Any

from benchmarks._common import Figure, Row, ms, parse_args, ratio, say

RATE = 48_000
BLOCK = 512
LATENCY_S = 0.200
TARGET_S = 0.010  # the 95th percentile of |position - heard|: well under a word
MAX_READ_S = 0.001  # a reading that took longer was disturbed (another thread ran)


class LatentOutputStream:
    """A paced stand-in for sounddevice.OutputStream with an output latency: the block
    handed over when the device buffer has room is heard `latency` later, the DAC
    playing continuously. It reports this as PortAudio does
    (time info in the callback; `time` and `latency` on the stream) and keeps a record
    of when each frame is heard, the truth the position is measured against."""

    def __init__(self, callback: Any, latency_s: float, with_times: bool) -> None:
        self._callback = callback
        self.latency = latency_s
        self._with_times = with_times
        self.heard: list[tuple[float, int]] = []  # (heard from, first frame), in order
        self._frame = 0
        self._running = threading.Event()
        self._thread: threading.Thread | None = None
        self.active, self.stopped = False, True

    @property
    def time(self) -> float:
        return time.perf_counter()

    def start(self) -> None:
        self._running.set()
        self.active, self.stopped = True, False
        self._thread = threading.Thread(target=self._run, daemon=True, name="latent-audio")
        self._thread.start()

    def _run(self) -> None:
        import numpy as np

        out = np.zeros((BLOCK, 1), dtype=np.float32)
        period = BLOCK / RATE
        next_at = time.perf_counter()
        while self._running.is_set():
            now = time.perf_counter()
            # The DAC runs on its own clock: this block plays right after the ones
            # queued before it (a late callback only leaves less in the buffer; one so
            # late that the buffer ran dry starts again a latency from now).
            dac = self.heard[-1][0] + period if self.heard else now + self.latency
            if dac < now:
                dac = now + self.latency
            info = SimpleNamespace(currentTime=now, outputBufferDacTime=dac) \
                if self._with_times else None
            try:
                self._callback(out, BLOCK, info, None)
            except BaseException:  # the player finished
                break
            self.heard.append((dac, self._frame))
            self._frame += BLOCK
            next_at += period
            time.sleep(max(0.0, next_at - time.perf_counter()))
        self.active, self.stopped = False, True

    def heard_frame(self, at: float) -> int:
        """The frame reaching the speaker at `at` (perf_counter seconds)."""
        k = bisect_right(self.heard, (at, float("inf"))) - 1
        if k < 0:
            return 0
        start, frame = self.heard[k]
        return frame + min(BLOCK, round((at - start) * RATE))

    def abort(self) -> None:
        self._running.clear()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(2)
        self.active, self.stopped = False, True

    stop = close = abort


def measure(seconds: float, with_times: bool) -> tuple[list[float], list[float]]:
    """|position - heard| and |handed - heard| in seconds, sampled while playing."""
    import numpy as np

    from app.audio.clip import AudioClip
    from app.audio.player import Player

    player = Player()
    streams: list[LatentOutputStream] = []

    def open_output(rate: int, channels: int, device: str | None) -> LatentOutputStream:
        player._callback_stop = StopIteration
        streams.append(LatentOutputStream(player._callback, LATENCY_S, with_times))
        return streams[-1]

    player._open_output = open_output  # type: ignore[method-assign]
    player.load(AudioClip(np.full((int((seconds + 1) * RATE), 1), 0.1, np.float32), RATE))
    player.play()
    stream = streams[0]
    rng = random.Random(7)
    ours: list[float] = []
    baseline: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        time.sleep(rng.uniform(0.002, 0.012))
        readings = []
        for read in (lambda: player.position_ms, lambda: player.handed_ms):
            before = time.perf_counter()
            value = read()
            after = time.perf_counter()
            readings.append((value, (before + after) / 2, after - before))
        if not stream.heard or readings[0][1] < stream.heard[0][0]:
            continue  # before the first sound: nothing to compare with
        if max(took for *_, took in readings) > MAX_READ_S:
            continue  # this thread was held up mid-reading: the moment is not known
        (position, position_at, _), (handed, handed_at, _) = readings
        ours.append(abs(position - stream.heard_frame(position_at) * 1000 / RATE) / 1000)
        baseline.append(abs(handed - stream.heard_frame(handed_at) * 1000 / RATE) / 1000)
    player.close()
    return ours, baseline


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def main() -> None:
    args = parse_args(__doc__ or "")
    seconds = 1.5 if args.quick else 10.0
    figure = Figure("latency")
    say(f"Playing {seconds:g} s through a device with a {ms(LATENCY_S)} output latency; "
        "the position read every 2-12 ms against the frame being heard.")
    for label, with_times in (("7. Playhead vs sound", True),
                              ("7b. … host API without block times", False)):
        ours, baseline = measure(seconds, with_times)
        say(f"{label}: {len(ours)} readings; position off by median "
            f"{ms(statistics.median(ours))}, 95th pct. {ms(p95(ours))}; frames handed "
            f"to the device off by median {ms(statistics.median(baseline))}.")
        figure.add(Row(label, f"{ms(p95(ours))} (95th pct.)",
                       f"{ms(p95(baseline))} (frames handed)",
                       ratio(p95(ours), p95(baseline)),
                       f"≤ {ms(TARGET_S)}" if with_times else "comparison only",
                       p95(ours) <= TARGET_S if with_times else None,
                       "A stand-in device paced in real time with a 200 ms output buffer "
                       "that reports its timing as PortAudio does (the test machine's "
                       "ALSA null device reports none)."))


if __name__ == "__main__":
    main()
