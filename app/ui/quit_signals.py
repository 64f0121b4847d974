"""SIGTERM (a logout, `kill`, a service manager) and SIGHUP (the terminal went away)
close the window as the close button does: drafts and settings are saved, running work
is cancelled and the local engine is stopped, then the app quits.

Python runs a signal handler only between bytecodes of the main thread, and while Qt
waits for events no Python runs; a short timer gives it a turn, so the window closes
within a fraction of a second of the signal.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from types import FrameType

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

log = logging.getLogger(__name__)

WAKE_INTERVAL_MS = 200
SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP")
                if hasattr(signal, name))


def close_on_termination_signals(window: QWidget) -> QTimer:
    """Install the handlers; returns the timer that lets Python see the signals."""
    closing = False

    def close_window() -> None:
        window.close()  # closeEvent saves drafts and stops the engine
        app = QApplication.instance()
        if app is not None:
            app.quit()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        nonlocal closing
        if closing:
            return
        closing = True
        log.info("signal %s: closing the window", signal.Signals(signum).name)
        QTimer.singleShot(0, close_window)

    for signum in SIGNALS:
        signal.signal(signum, on_signal)
    return _wake_timer(window, lambda: None)


def _wake_timer(parent: QObject, callback: Callable[[], None]) -> QTimer:
    timer = QTimer(parent)
    timer.setInterval(WAKE_INTERVAL_MS)
    timer.timeout.connect(callback)
    timer.start()
    return timer
