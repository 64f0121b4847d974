"""Run the real app in this process, offscreen, as `xi-studio` would: the composition
root's own context (app.main.build_context), the MainWindow, a qasync loop.

Call `prepare_environment` before anything imports sounddevice or Qt.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks._common import configure_alsa_sink

BENCH_KEY = "xi-bench-key"


def prepare_environment(home: Path, server_url: str | None, *, keep_played: bool = False) -> Path:
    """Offscreen Qt, a throwaway data folder, the ALSA file sink; with a server URL the
    app talks to it as to the cloud (a key in ELEVENLABS_API_KEY). Returns where the
    played samples go."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ["XI_STUDIO_HOME"] = str(home)
    if server_url is not None:
        os.environ["ELEVENLABS_BASE_URL"] = server_url
        os.environ["ELEVENLABS_API_KEY"] = BENCH_KEY
    else:
        os.environ.pop("ELEVENLABS_BASE_URL", None)
        os.environ.pop("ELEVENLABS_API_KEY", None)
        os.environ["XI_STUDIO_ENGINE_URL"] = "http://127.0.0.1:9"  # never start an engine
    return configure_alsa_sink(home / "alsa", keep=keep_played)


class RunningApp:
    """QApplication + qasync loop + the main window, started like app.main.run_gui."""

    def __init__(self) -> None:
        from PySide6.QtWidgets import QApplication

        from app.ui.pyside_import_hook import skip_source_reading

        skip_source_reading()  # as app.main.run_gui does
        from app.main import build_context, skip_unused_imports
        from app.ui.app_style import install_app_style
        from app.ui.main_window import MainWindow
        from app.ui.qt_async import (
            favour_gui_thread,
            install_asyncgen_hooks,
            install_main_thread_gc,
        )

        skip_unused_imports()  # as app.main.run_gui does
        existing = QApplication.instance()
        self.qapp: Any = existing or QApplication(["xi-studio-bench"])
        # The app's own style, as app.main.run_gui installs it before the window: without
        # it the figures measured a plainer app than the one people run.
        install_app_style(self.qapp)
        QApplication.setQuitOnLastWindowClosed(False)  # the session closes the window
        from app.ui.event_loop import AppEventLoop

        self.loop = AppEventLoop(self.qapp)  # as app.main.run_gui has it
        asyncio.set_event_loop(self.loop)
        install_asyncgen_hooks(self.loop)
        install_main_thread_gc(self.qapp)
        favour_gui_thread()
        self.ctx = build_context()
        self.window: Any = MainWindow(self.ctx)
        self.window.show()
        self.window.start()

    def run(self, coroutine: Any) -> Any:
        with self.loop:
            return self.loop.run_until_complete(coroutine)

    async def close(self) -> None:
        from app.main import shutdown

        self.window.close()
        await shutdown(self.ctx)


async def wait_until(predicate: Callable[[], object], timeout_s: float = 30.0,
                     what: str = "the condition", poll_s: float = 0.001) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        await asyncio.sleep(poll_s)


class StallMeter:
    """A 5 ms precise QTimer on the GUI thread that records how late each tick is: the
    longest lateness is the longest time the event loop could not react."""

    def __init__(self, interval_ms: int = 5) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.interval_s = interval_ms / 1000
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._last = 0.0
        self.worst_s = 0.0
        self.ticks = 0
        self.stalls: list[float] = []

    def start(self) -> None:
        self.worst_s = 0.0
        self.ticks = 0
        self.stalls = []
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> float:
        self._timer.stop()
        return self.worst_s

    def _tick(self) -> None:
        now = time.perf_counter()
        late = now - self._last - self.interval_s
        self._last = now
        self.ticks += 1
        if late > self.worst_s:
            self.worst_s = late
        if late > 0.016:
            self.stalls.append(late)


class PacedOutputStream:
    """A stand-in for sounddevice.OutputStream that calls the callback at the pace of a
    real sound card (one block every block/rate seconds, from its own thread).

    The ALSA null device behind the file sink consumes audio as fast as it is given, so
    the audio callback runs back to back (also while waiting for data, playing silence)
    and competes with the GUI thread for the interpreter lock, which no real device
    does. Responsiveness is measured with this pacing instead."""

    def __init__(self, samplerate: float, channels: int, callback: Any,
                 finished_callback: Any = None, blocksize: int = 1024, **_kw: Any) -> None:
        import threading

        self.samplerate = samplerate
        self.channels = channels
        self.blocksize = blocksize
        self._callback = callback
        self._finished = finished_callback
        self._stopping = threading.Event()
        self._thread: Any = None
        self.active = False
        self.stopped = True
        self.sounding_frames = 0  # frames handed over that were not silence (proof of play)

    def start(self) -> None:
        import threading

        self._stopping.clear()
        self.active, self.stopped = True, False
        self._thread = threading.Thread(target=self._run, daemon=True, name="paced-audio")
        self._thread.start()

    def _run(self) -> None:
        import numpy as np

        out = np.zeros((self.blocksize, self.channels), dtype=np.float32)
        period = self.blocksize / self.samplerate
        next_at = time.perf_counter()
        while not self._stopping.is_set():
            try:
                self._callback(out, self.blocksize, None, None)
            except BaseException:  # CallbackStop/StopIteration: the player finished
                break
            if out.any():
                self.sounding_frames += self.blocksize
            next_at += period
            # Woken at once by abort(), as a real device stops at once: a plain sleep kept
            # the GUI thread's abort() joined for up to a block (64 ms at 16 kHz).
            if self._stopping.wait(max(0.0, next_at - time.perf_counter())):
                break
        self.active = False
        self.stopped = True
        if self._finished is not None:
            self._finished()

    def abort(self) -> None:
        import threading

        self._stopping.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(2)
        self.active, self.stopped = False, True

    stop = abort

    def close(self) -> None:
        self.abort()


def use_paced_output(player: Any) -> list[PacedOutputStream]:
    """Make `player` open PacedOutputStream instead of a sounddevice stream; returns the
    list of the streams it opens (the last is the one playing)."""
    opened: list[PacedOutputStream] = []

    def open_output(rate: int, channels: int, device: str | None) -> PacedOutputStream:
        player._callback_stop = StopIteration
        stream = PacedOutputStream(rate, channels, callback=player._callback,
                                   finished_callback=player._on_stream_finished)
        opened.append(stream)
        return stream

    player._open_output = open_output
    return opened
