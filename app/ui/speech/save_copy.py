"""Save as… for the Speech tab: ask where, then copy the generation's audio out of
History there in a worker thread (a large file never holds the window)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.ui.widgets.file_dialogs import ask_save_path

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from app.library.history import Generation, HistoryStore
    from app.ui.qt_async import TaskRunner


def save_copy_as(parent: QWidget, runner: TaskRunner, history: HistoryStore,
                 generation: Generation,
                 done: Callable[[str, OSError | None], None]) -> None:
    """`done(path, None)` once saved, `done(path, problem)` when it could not be."""
    suggested = str(Path.home() / generation.suggested_filename)

    def chosen(path: str) -> None:
        async def export() -> None:
            try:
                await asyncio.to_thread(history.export, generation.id, Path(path))
            except OSError as exc:
                done(path, exc)
                return
            done(path, None)

        runner.start("speech.export", export)

    ask_save_path(parent, "speech.save_dialog", "Save audio as", suggested, chosen)
