"""A semaphore whose size can change while tasks wait on it.

The batch queue learns how many requests the server allows at once only from its
answers (`maximum-concurrent-requests`), after requests have started: raising the limit
lets waiting tasks start at once; lowering it starts no new task until enough running
ones have finished (running ones are never stopped). One event loop, no threads.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque


class ConcurrencyGate:
    def __init__(self, limit: int = 1) -> None:
        self._limit = max(1, limit)
        self._held = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def limit(self) -> int:
        return self._limit

    @property
    def held(self) -> int:
        return self._held

    def set_limit(self, limit: int) -> None:
        self._limit = max(1, limit)
        self._wake()

    async def acquire(self) -> None:
        while self._held >= self._limit:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                # Woken and cancelled in the same turn: pass the wake-up on.
                if waiter.done() and not waiter.cancelled():
                    self._wake()
                raise
            finally:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
        self._held += 1

    def release(self) -> None:
        self._held = max(0, self._held - 1)
        self._wake()

    def _wake(self) -> None:
        """Wake as many waiters as there are free places (each checks again)."""
        free = self._limit - self._held
        for waiter in self._waiters:
            if free <= 0:
                break
            if not waiter.done():
                waiter.set_result(None)
                free -= 1


__all__ = ["ConcurrencyGate"]
