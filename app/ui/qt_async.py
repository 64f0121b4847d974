"""The one bridge between Qt and asyncio: start, cancel and report background tasks.

A click starts a named task; the task awaits the service layer on the qasync loop; the
runner reports the outcome through Qt signals so widgets never handle asyncio directly.
Starting a task under a name that is already running is refused (no double clicks);
`restart` cancels it and starts the new one once it has unwound (latest wins).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

log = logging.getLogger(__name__)

CoroutineFactory = Callable[[], Awaitable[Any]]


class TaskRunner(QObject):
    """Runs coroutines on the event loop and reports them by name."""

    task_started = Signal(str)
    task_finished = Signal(str)  # success, failure or cancel: always emitted last
    task_failed = Signal(str, object)  # name, exception
    task_cancelled = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: dict[str, asyncio.Task[Any]] = {}
        # A restarted task -> the cancelled tasks it waits to unwind before it starts.
        self._waiting_for: dict[asyncio.Task[Any], list[asyncio.Task[Any]]] = {}
        # Names (and prefixes, ending in ".") of tasks whose failures a listener shows.
        self._reported: set[str] = set()
        self._closed = False

    def reports(self, *names: str) -> None:
        """Say that the caller shows the failures of these tasks to the user: exact
        names, or prefixes ending in "." ("transcripts." covers every Transcripts task).
        A failure of any other task is shown by the main window's safety net, so none
        ends with nothing said (the click seemed to do nothing)."""
        self._reported.update(names)

    def is_reported(self, name: str) -> bool:
        return any(name == owned or (owned.endswith(".") and name.startswith(owned))
                   for owned in self._reported)

    def is_running(self, name: str) -> bool:
        task = self._tasks.get(name)
        return task is not None and not task.done()

    def start(self, name: str, factory: CoroutineFactory) -> asyncio.Task[Any] | None:
        if self.is_running(name):
            return None
        task = asyncio.ensure_future(self._run(name, factory))
        self._tasks[name] = task
        return task

    def restart(self, name: str, factory: CoroutineFactory) -> asyncio.Task[Any]:
        """Cancel the task running under `name` (if any) and start this one as soon as
        the cancelled one has unwound: never two at once under one name, and the new
        request is never dropped (a `cancel` then `start` is refused while the old task
        is still unwinding, so it silently did nothing).

        For work where only the latest request matters: a new plan, a new song, the
        latest list, the latest save. Restarting again while waiting replaces the
        waiting one. `task_started` of the new task comes after the old task's
        `task_cancelled` and `task_finished`."""
        old = self._tasks.get(name)
        if old is None or old.done():
            task = asyncio.ensure_future(self._run(name, factory))
        else:
            # A task still waiting for an earlier one: wait for that one too.
            blockers = [old, *self._waiting_for.get(old, [])]
            old.cancel()
            task = asyncio.ensure_future(self._run_after(blockers, name, factory))
            self._waiting_for[task] = blockers
            task.add_done_callback(lambda done: self._waiting_for.pop(done, None))
        self._tasks[name] = task
        return task

    def is_cancelling(self, name: str) -> bool:
        """True while the task under `name` was asked to stop and is still unwinding."""
        task = self._tasks.get(name)
        return task is not None and not task.done() and task.cancelling() > 0

    async def _run_after(self, blockers: list[asyncio.Task[Any]], name: str,
                         factory: CoroutineFactory) -> Any:
        try:
            await asyncio.wait(blockers)  # never raises for their own outcomes
        except asyncio.CancelledError:  # cancelled (or replaced) before it began
            if self._tasks.get(name) is asyncio.current_task():
                del self._tasks[name]
            raise
        return await self._run(name, factory)

    def cancel(self, name: str) -> bool:
        task = self._tasks.get(name)
        if task is None or task.done():
            return False
        task.cancel()
        return True

    def cancel_all(self) -> None:
        for task in list(self._tasks.values()):
            if not task.done():
                task.cancel()

    def close(self) -> None:
        """The window closed: everything running is cancelled, and nothing asked for from
        now on runs. A tab built just before the close starts its first reads from a zero
        timer that fires after this; quitting closes the History database meanwhile, and
        those reads failed on it ("Cannot operate on a closed database"), logged as task
        failures at every quick quit."""
        self._closed = True
        self.cancel_all()

    async def wait_all(self) -> None:
        pending = [t for t in self._tasks.values() if not t.done()]
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)

    async def _run(self, name: str, factory: CoroutineFactory) -> Any:
        if self._closed:  # asked for after the window closed: nothing is left to show it
            if self._tasks.get(name) is asyncio.current_task():
                del self._tasks[name]
            return None
        self.task_started.emit(name)
        try:
            return await factory()
        except asyncio.CancelledError:
            self.task_cancelled.emit(name)
            return None
        except Exception as exc:  # reported to the UI, which turns it into plain words
            log.exception("task %s failed", name)
            self.task_failed.emit(name, exc)
            return None
        finally:
            # Forget the task before reporting, so handlers of task_finished already see
            # is_running(name) as False (e.g. to re-enable a button).
            if self._tasks.get(name) is asyncio.current_task():
                del self._tasks[name]
            self.task_finished.emit(name)


YOUNG_GC_INTERVAL_MS = 100
MIDDLE_GC_EVERY = 10  # young collections per collection of the middle generation (as Python)
FULL_GC_INTERVAL_S = 600.0


class MainThreadCollector(QObject):
    """The cyclic garbage collector, run by a timer on the GUI thread.

    Automatic collection is disabled: triggered on an audio or executor thread, it can
    destroy Qt objects on the wrong thread and crash (shared/PLATFORM.md). The young
    generation is collected often, so each collection is short (every 2 s it took up to
    ~30 ms while audio was being generated); the middle one every tenth time, as Python
    itself does; the oldest every ten minutes. Collecting only the young generation left
    cyclic garbage that outlived one collection (a failed request's traceback, a finished
    task) in memory for the rest of the session. A full collection takes ~25 ms at idle
    and ~40 ms with two 3-hour transcripts open, which the sound device's buffer rides out.
    """

    def __init__(self, parent: QObject, interval_ms: int = YOUNG_GC_INTERVAL_MS,
                 full_interval_s: float = FULL_GC_INTERVAL_S) -> None:
        super().__init__(parent)
        self._young = 0
        self._full_interval_s = full_interval_s
        self._last_full = time.monotonic()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.collect)
        self.timer.start()

    def collect(self) -> int:
        """One turn: the generation due (0, 1 or 2) is collected; returns it."""
        self._young += 1
        generation = 0
        if time.monotonic() - self._last_full >= self._full_interval_s:
            generation = 2
            self._last_full = time.monotonic()
        elif self._young % MIDDLE_GC_EVERY == 0:
            generation = 1
        gc.collect(generation)
        return generation


def install_main_thread_gc(parent: QObject, interval_ms: int = YOUNG_GC_INTERVAL_MS
                           ) -> MainThreadCollector:
    """Disable automatic GC and collect on the GUI thread from a timer (see
    MainThreadCollector)."""
    return MainThreadCollector(parent, interval_ms)


GUI_SWITCH_INTERVAL_S = 0.001


def loop_running() -> bool:
    """Whether an asyncio loop runs here: not once the app's loop has stopped (a timer
    firing while it quits), nor in a test without one."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def favour_gui_thread() -> None:
    """Let the GUI thread take the GIL back within 1 ms (Python's default is 5 ms).

    While a worker thread runs Python code (reading a long transcript, say), each time
    the GUI thread needs the GIL, after any Qt call that released it, it waits up to one
    switch interval; a handful of such waits in one event were a 15-20 ms stall.
    """
    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)


def install_asyncgen_hooks(loop: asyncio.AbstractEventLoop) -> None:
    """Let `loop` finalize abandoned async generators, as asyncio's own run_forever does
    and qasync's does not.

    httpx/httpcore read response bodies through async generators; when a request is
    cancelled mid-body, the generator is left suspended. Without these hooks the garbage
    collector closes it outside any task, where its cleanup fails ("no running event
    loop", "async generator ignored GeneratorExit") and the connection is not released
    properly. With them, the loop closes it in a task of its own.
    """
    import sys

    hooks = getattr(loop, "_asyncgen_firstiter_hook", None), \
        getattr(loop, "_asyncgen_finalizer_hook", None)
    if hooks[0] is not None and hooks[1] is not None:
        sys.set_asyncgen_hooks(firstiter=hooks[0], finalizer=hooks[1])
