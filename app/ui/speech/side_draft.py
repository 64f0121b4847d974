"""A small piece of the Speech tab remembered in a draft file of its own (so features
add state without touching the tab's draft): saved in a worker thread, and saved again
when a change arrives while a save is running."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

if TYPE_CHECKING:
    from app.library.drafts import DraftStore
    from app.ui.qt_async import TaskRunner

#: Each side draft saves under "draft.<name>" (a prefix TaskRunner.reports accepts).
SIDE_DRAFT_TASKS = "draft."


class SideDraft(QObject):
    def __init__(self, name: str, drafts: DraftStore, runner: TaskRunner,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self._task = f"{SIDE_DRAFT_TASKS}{name}"
        self._drafts = drafts
        self._runner = runner
        self._pending: dict[str, Any] | None = None
        runner.task_finished.connect(self._on_runner_task_finished)

    def load(self) -> dict[str, Any]:
        return self._drafts.load(self._name) or {}

    def save(self, payload: dict[str, Any]) -> None:
        started = self._runner.start(self._task, lambda: asyncio.to_thread(
            self._drafts.save, self._name, payload))
        self._pending = payload if started is None else None

    def _on_runner_task_finished(self, name: str) -> None:
        if name == self._task and self._pending is not None:
            self.save(self._pending)
