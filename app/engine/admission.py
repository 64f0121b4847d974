"""A bounded work queue for the engine's heavy requests (speech, transcripts, alignment,
music).

At most `slots` heavy requests run at once (one per CPU core by default: each keeps a
core busy) and at most `max_waiting` more wait for a slot; a request beyond that is
answered at once with 429 `too_many_concurrent_requests` and a `Retry-After`, as the
cloud does, instead of piling up memory. A waiting request holds nothing but its
socket (its body is not read until it gets a slot). The slot is kept until the answer
is fully sent, streams included, so memory is bounded by `slots` requests at a time.
"""

from __future__ import annotations

import asyncio
import os
import re

from starlette.types import ASGIApp, Receive, Scope, Send

from app.engine.guard import Refusal, send_refusal

HEAVY_PATHS = re.compile(
    r"^/v1/(text-to-speech/[^/]+(/stream)?(/with-timestamps)?"
    r"|speech-to-text|forced-alignment|music|music/stream|music/detailed"
    r"|music/detailed/stream|music/stem-separation)/?$")
RETRY_AFTER_S = 2


def default_slots() -> int:
    return max(1, os.cpu_count() or 1)


def default_waiting(slots: int) -> int:
    return max(4, 2 * slots)


class WorkLimiter:
    """Counts running and waiting heavy requests (all on the server's one event loop)."""

    def __init__(self, slots: int | None = None, max_waiting: int | None = None) -> None:
        self.slots = slots or default_slots()
        self.max_waiting = default_waiting(self.slots) if max_waiting is None else max_waiting
        self.running = 0
        self.waiting = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._condition: asyncio.Condition | None = None

    @property
    def _free(self) -> asyncio.Condition:
        # One condition per event loop (test clients may run each request in a new loop).
        loop = asyncio.get_running_loop()
        if self._condition is None or self._loop is not loop:
            self._loop, self._condition = loop, asyncio.Condition()
        return self._condition

    def full(self) -> bool:
        return self.running >= self.slots and self.waiting >= self.max_waiting

    async def acquire(self) -> None:
        async with self._free:
            self.waiting += 1
            try:
                await self._free.wait_for(lambda: self.running < self.slots)
            finally:
                self.waiting -= 1
            self.running += 1

    async def release(self) -> None:
        async with self._free:
            self.running -= 1
            self._free.notify()


class AdmissionMiddleware:
    """Runs heavy POSTs through a `WorkLimiter`; everything else passes straight on."""

    def __init__(self, app: ASGIApp, limiter: WorkLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        heavy = (scope["type"] == "http" and scope.get("method") == "POST"
                 and HEAVY_PATHS.match(str(scope.get("path", ""))) is not None)
        if not heavy:
            await self.app(scope, receive, send)
            return
        if self.limiter.full():
            refusal = Refusal(
                429, "too_many_concurrent_requests",
                f"The offline engine is busy with {self.limiter.running} requests and "
                f"{self.limiter.waiting} more are waiting. Try again in a few seconds.")
            await send_refusal(send, refusal, [
                (b"retry-after", str(RETRY_AFTER_S).encode("ascii")),
                (b"current-concurrent-requests", str(self.limiter.running).encode("ascii")),
                (b"maximum-concurrent-requests", str(self.limiter.slots).encode("ascii"))])
            return
        await self.limiter.acquire()
        try:
            await self.app(scope, receive, send)
        finally:
            await self.limiter.release()


__all__ = ["HEAVY_PATHS", "AdmissionMiddleware", "WorkLimiter", "default_slots"]
