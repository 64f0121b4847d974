"""Figure 7: the local engine's peak memory under 20 concurrent requests.

Ours: the engine as the app runs it (its own process, app/engine/launcher.py), sent 20
requests at once from 20 threads: once 20 text-to-speech requests of 10,000 characters
(quick: 300), once 20 compositions of five-minute songs (quick: 5 s). Its resident
memory (VmRSS) is sampled every 50 ms while they run; the peak is the figure. Requests the
engine's work queue refuses (429 with Retry-After) are counted and reported.

Baseline: the same engine idle, after one small request of each kind (its modules
loaded). Before issue 13 the same load took 2.8 GB (speech) and 3.6 GB (music).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from benchmarks._common import Figure, Row, mb, parse_args, ratio, rss_bytes, say, scratch_dir

TARGET_BYTES = 1.5e9
CONCURRENT = 20


class _Sampler:
    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, rss_bytes(self.pid))

    def __enter__(self) -> _Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _scenario(engine: Any, path: str, body: dict[str, Any], warm: dict[str, Any]
              ) -> tuple[int, int, Counter[int]]:
    """(idle RSS, peak RSS, answers by status) for CONCURRENT copies of one request."""
    import httpx

    pid = engine.pid or 0

    def post(payload: dict[str, Any]) -> int:
        with httpx.Client(base_url=engine.base_url, headers=engine.headers, timeout=1800,
                          trust_env=False) as client:
            return client.post(path, json=payload).status_code

    post(warm)
    time.sleep(1.0)
    idle = rss_bytes(pid)
    with _Sampler(pid) as sampler, ThreadPoolExecutor(CONCURRENT) as pool:
        statuses = Counter(pool.map(post, [body] * CONCURRENT))
    return idle, sampler.peak, statuses


def main() -> None:
    from app.engine.launcher import LocalEngineProcess
    from app.engine.voices import ENGINE_VOICES

    args = parse_args(__doc__ or "")
    figure = Figure("engine_memory")
    voice = ENGINE_VOICES[0].voice_id
    chars = 300 if args.quick else 10_000
    song_ms = 5_000 if args.quick else 300_000
    sentence = "The engine keeps its memory bounded however many requests arrive at once. "
    text = (sentence * (chars // len(sentence) + 1))[:chars]
    cases: tuple[tuple[str, dict[str, Any], dict[str, Any], str, str], ...] = (
        (f"/v1/text-to-speech/{voice}", {"text": text}, {"text": "Warm up."},
         f"{CONCURRENT} concurrent {chars:,}-character TTS requests", "2.8 GB"),
        ("/v1/music", {"prompt": "pop song, 120 bpm", "music_length_ms": song_ms},
         {"prompt": "pop song", "music_length_ms": 3_000},
         f"{CONCURRENT} concurrent {song_ms // 1000} s songs", "3.6 GB"),
    )
    log = scratch_dir("engine-memory") / "engine.log"
    with LocalEngineProcess(log_path=log) as engine:
        for letter, case in zip("ab", cases, strict=True):
            _report(figure, engine, letter, *case)


def _report(figure: Figure, engine: Any, letter: str, path: str, body: dict[str, Any],
            warm: dict[str, Any], what: str, before: str) -> None:
    started = time.perf_counter()
    idle, peak, statuses = _scenario(engine, path, body, warm)
    served, refused = statuses.get(200, 0), statuses.get(429, 0)
    other = sum(n for status, n in statuses.items() if status not in (200, 429))
    say(f"{what}: idle {mb(idle)}, peak {mb(peak)}; {served} served, {refused} refused "
        f"with 429, {other} other answers; {time.perf_counter() - started:.0f} s")
    figure.add(Row(
        figure=f"8{letter}. Local engine: peak memory under {what}",
        ours=f"{mb(peak)} peak ({served} served, {refused} asked to retry"
             + (f", {other} failed" if other else "") + ")",
        baseline=f"{mb(idle)} idle engine",
        ratio=ratio(peak, idle),
        target=f"< {mb(TARGET_BYTES)}, no failures",
        met=peak < TARGET_BYTES and other == 0,
        note=f"before issue 13 the full-size load took {before}; the work queue runs "
             "one request per core and queues a few more (app/engine/admission.py)"))


if __name__ == "__main__":
    main()
