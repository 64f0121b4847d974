"""The app's asyncio loop: qasync's, with timers that stop when they are cancelled.

qasync starts one Qt timer per `call_later` and forgets it only when it fires, even if
its handle was cancelled long before. Every body the service layer reads sets a
deadline (`asyncio.timeout_at`, up to 30 minutes away) around each piece, and cancels
it a moment later: in a session of many generations the window kept thousands of dead
timers and their handles for half an hour each. Here a cancelled timer is killed at
once (asyncio calls `_timer_handle_cancelled`, as its own loop does)."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from typing import Any

import qasync
from PySide6.QtCore import QObject, QTimerEvent


class _Timers(QObject):
    """A Qt timer per scheduled callback, killed when it fires or is cancelled."""

    def __init__(self) -> None:
        super().__init__()
        self._handles: dict[int, asyncio.Handle] = {}  # Qt timer id -> handle
        self._ids: dict[int, int] = {}  # id(handle) -> Qt timer id
        self._stopped = False

    def add_callback(self, handle: asyncio.Handle, delay: float = 0) -> asyncio.Handle:
        timer_id = self.startTimer(int(max(0, delay) * 1000))
        self._handles[timer_id] = handle
        self._ids[id(handle)] = timer_id
        return handle

    def cancel(self, handle: asyncio.Handle) -> None:
        timer_id = self._ids.pop(id(handle), None)
        if timer_id is not None:
            self.killTimer(timer_id)
            del self._handles[timer_id]

    def timerEvent(self, event: QTimerEvent) -> None:
        timer_id = event.timerId()
        self.killTimer(timer_id)
        handle = self._handles.pop(timer_id, None)
        if handle is None:
            return
        del self._ids[id(handle)]
        if not self._stopped and not handle.cancelled():
            handle._run()

    @property
    def pending(self) -> int:
        """Timers still waiting to fire."""
        return len(self._handles)

    def stop(self) -> None:
        self._stopped = True

    def set_debug(self, enabled: bool) -> None:
        """(qasync's debug timing of callbacks is not kept.)"""


class AppEventLoop(qasync.QEventLoop):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._timer = _Timers()

    @property
    def pending_timers(self) -> int:
        return self._timer.pending

    def call_later(self, delay: float, callback: Callable[..., object], *args: Any,
                   context: contextvars.Context | None = None) -> asyncio.TimerHandle:
        if asyncio.iscoroutinefunction(callback):
            raise TypeError("coroutines cannot be used with call_later")
        if not callable(callback):
            raise TypeError(f"callback must be callable: {type(callback).__name__}")
        handle = asyncio.TimerHandle(self.time() + delay, callback, args, self,
                                     context=context)
        self._timer.add_callback(handle, delay)
        return handle

    def call_soon(self, callback: Callable[..., object], *args: Any,
                  context: contextvars.Context | None = None) -> asyncio.Handle:
        # A plain handle, as asyncio's: it runs on the next turn, so never lingers.
        if asyncio.iscoroutinefunction(callback):
            raise TypeError("coroutines cannot be used with call_soon")
        if not callable(callback):
            raise TypeError(f"callback must be callable: {type(callback).__name__}")
        return self._timer.add_callback(asyncio.Handle(callback, args, self, context=context))

    def call_at(self, when: float, callback: Callable[..., object], *args: Any,
                context: contextvars.Context | None = None) -> asyncio.TimerHandle:
        return self.call_later(when - self.time(), callback, *args, context=context)

    def _timer_handle_cancelled(self, handle: asyncio.TimerHandle) -> None:
        self._timer.cancel(handle)
