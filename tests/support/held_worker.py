"""Holding a worker thread inside a function it calls, until the test lets it go.

A test of Cancel must press it while the work is under way: a dozen tiny blocks or a
short transcript are done in milliseconds, and a fast machine would finish before the
click (a test of timing, not of Cancel). `hold_calls` replaces one function with one that
says it was reached and then waits for `release` (the real function runs after)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import pytest


class HeldWorker:
    def __init__(self) -> None:
        self.reached = threading.Event()  # a worker is inside the held function
        self.release = threading.Event()

    def reset(self) -> None:
        self.reached.clear()
        self.release.clear()


@contextlib.contextmanager
def hold_calls(monkeypatch: pytest.MonkeyPatch, owner: object, name: str
               ) -> Iterator[HeldWorker]:
    """Calls of `owner.name` wait (up to 30 s) for `release`; on leaving, every waiting
    call is let go, so no thread is left waiting."""
    hold = HeldWorker()
    real = getattr(owner, name)

    def held(*args: Any, **kwargs: Any) -> Any:
        hold.reached.set()
        hold.release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, held)
    try:
        yield hold
    finally:
        hold.release.set()
