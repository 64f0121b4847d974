"""Save as… for the Speech tab: ask where, then copy the generation's audio out of
History there in a worker thread (a large file never holds the window), with a small
window that says how far it got and whose Cancel (or Escape) stops the copy: nothing is
then left under the chosen name."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.ui.widgets.file_dialogs import ask_save_path
from app.ui.widgets.progress_window import progress_window

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from app.library.history import Generation, HistoryStore
    from app.ui.qt_async import TaskRunner

TASK = "speech.export"


def save_copy_as(parent: QWidget, runner: TaskRunner, history: HistoryStore,
                 generation: Generation,
                 done: Callable[[str, Exception | None], None]) -> None:
    """`done(path, None)` once saved, `done(path, problem)` when it could not be: any
    problem, a History database that cannot be read as well as a file that cannot be
    written (only file errors were passed on; anything else ended the task with nothing
    said, and the click seemed to do nothing), and `ExportStopped` after Cancel."""
    suggested = str(Path.home() / generation.suggested_filename)

    def chosen(path: str) -> None:
        if runner.is_running(TASK):
            return
        stop = threading.Event()
        window = progress_window(parent, "speech.save_progress", "Saving a copy",
                                 f"Saving a copy to {path}…", stop)

        def show(done_bytes: int, total: int) -> None:
            if window.isVisible() and total > 0:
                window.setMaximum(100)
                window.setValue(done_bytes * 100 // total)

        async def export() -> None:
            loop = asyncio.get_running_loop()

            def progress(done_bytes: int, total: int) -> None:  # (in the worker thread)
                loop.call_soon_threadsafe(show, done_bytes, total)

            try:
                await asyncio.to_thread(history.export, generation.id, Path(path),
                                        stop=stop, progress=progress)
            except Exception as exc:  # (a cancel is not an Exception: it passes)
                done(path, exc)
                return
            finally:
                stop.set()  # a cancelled task (the window closing) stops its thread too
                window.close()
                window.deleteLater()
            done(path, None)

        runner.start(TASK, export)

    ask_save_path(parent, "speech.save_dialog", "Save audio as", suggested, chosen)
