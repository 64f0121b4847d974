"""The engine ends when the app that started it ends, however the app ends.

The app closes the engine when its window closes, but a SIGKILL, a crash or a logout
that only signals the app would leave the engine running (~80 MB, a port) with no one
to stop it. So the launcher (app/engine/launcher.py) tells its child who the parent is
(`PARENT_PID_ENV`) and keeps a pipe to the child's stdin open that it never writes to;
the child, in `watch_parent()`:

- on Linux asks the kernel for SIGTERM when the parent dies (prctl PR_SET_PDEATHSIG;
  the launcher forks from a thread that lives as long as the engine, since the kernel
  means the forking *thread*);
- watches stdin: end of file means the parent's end of the pipe is gone, whichever way
  the parent went (this works on every platform);
- checks every second that its parent pid is still the one it was given (POSIX: an
  orphan is re-parented).

Any of them asks the server to stop as a Ctrl+C would (SIGTERM: uvicorn finishes the
requests in flight, up to its graceful timeout), and exits hard if that takes too long.
A standalone `xi-studio serve` has no such variable and is not watched.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
import time

log = logging.getLogger(__name__)

PARENT_PID_ENV = "XI_STUDIO_ENGINE_PARENT_PID"
POLL_INTERVAL_S = 1.0
HARD_EXIT_AFTER_S = 8.0
_PR_SET_PDEATHSIG = 1

_stopping = threading.Event()


def parent_pid_from_env() -> int | None:
    value = os.environ.get(PARENT_PID_ENV, "")
    return int(value) if value.isdigit() and int(value) > 0 else None


def watch_parent() -> bool:
    """Start watching the parent named in the environment; False when there is none."""
    parent = parent_pid_from_env()
    if parent is None:
        return False
    if sys.platform.startswith("linux"):
        _ask_kernel_for_sigterm()
    if _parent_gone(parent):  # it died before we were watching
        _stop("the app that started the engine had already ended")
        return True
    threading.Thread(target=_watch_stdin, name="parent-pipe", daemon=True).start()
    if os.name == "posix":
        threading.Thread(target=_poll_parent, args=(parent,), name="parent-pid",
                         daemon=True).start()
    return True


def _ask_kernel_for_sigterm() -> None:
    import ctypes  # here: the launcher in the app imports this module for its constant

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) != 0:
            log.info("prctl(PR_SET_PDEATHSIG) failed: errno %s", ctypes.get_errno())
    except (OSError, AttributeError):  # no prctl here: the other two watches remain
        log.info("prctl is not available", exc_info=True)


def _parent_gone(parent: int) -> bool:
    return os.name == "posix" and os.getppid() != parent


def _watch_stdin() -> None:
    stream = sys.stdin.buffer if sys.stdin is not None else None
    if stream is None:
        return
    try:
        while stream.read(4096):  # the parent never writes: this waits for end of file
            pass
    except (OSError, ValueError):
        pass
    _stop("the app that started the engine closed its end of the pipe")


def _poll_parent(parent: int) -> None:
    while not _stopping.is_set():
        if _parent_gone(parent):
            _stop("the app that started the engine has ended")
            return
        time.sleep(POLL_INTERVAL_S)


def _stop(why: str) -> None:
    if _stopping.is_set():
        return
    _stopping.set()
    with contextlib.suppress(OSError, ValueError):  # the app's end of stdout may be gone
        print(f"XI Studio engine stopping: {why}.", flush=True)
    threading.Thread(target=_exit_later, name="hard-exit", daemon=True).start()
    with contextlib.suppress(OSError):
        os.kill(os.getpid(), signal.SIGTERM)  # uvicorn's graceful shutdown


def _exit_later() -> None:
    time.sleep(HARD_EXIT_AFTER_S)
    os._exit(0)
