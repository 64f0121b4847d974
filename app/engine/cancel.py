"""Work in a worker thread that stops when the client goes away.

Starlette cannot stop a function running in a thread, so the work checks a flag
(`cancelled()`) between its steps (a section of a song, a sentence of speech) and raises;
a task on the event loop sets the flag as soon as the client disconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

T = TypeVar("T")
DISCONNECT_POLL_S = 0.2


class WorkCancelled(Exception):
    """The client went away before the work was done."""


async def _watch(request: Request, cancelled: threading.Event) -> None:
    while not cancelled.is_set():
        if await request.is_disconnected():
            cancelled.set()
            return
        await asyncio.sleep(DISCONNECT_POLL_S)


async def run_until_disconnected(request: Request, work: Callable[[Callable[[], bool]], T]) -> T:
    """`work(cancelled)` in a worker thread; `cancelled()` turns true once the client is
    gone (the work should then raise, e.g. `WorkCancelled`)."""
    cancelled = threading.Event()
    watcher = asyncio.ensure_future(_watch(request, cancelled))
    try:
        return await run_in_threadpool(work, cancelled.is_set)
    finally:
        cancelled.set()
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher


__all__ = ["WorkCancelled", "run_until_disconnected"]
