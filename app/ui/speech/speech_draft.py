"""The Speech tab's draft on disk: what the user typed and chose survives a crash or a quit.

The tab reads its widgets into a payload and fills them from one; this keeps the draft last
saved or loaded and writes it, in a worker thread while the app runs (a synchronous write
with fsync held the UI ~10 ms) and right away on quit. No Qt here.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.library.drafts import DraftStore
    from app.library.settings import Settings
    from app.ui.qt_async import TaskRunner

DRAFT_NAME = "speech"
AUTOSAVE_TASK = "speech.autosave"


class SpeechDraft:
    def __init__(self, drafts: DraftStore, settings: Settings, runner: TaskRunner) -> None:
        self._drafts = drafts
        self._settings = settings
        self._runner = runner
        # The draft last saved or loaded. Its voice and model stand in for the ones picked
        # until the catalog arrives and lists them, so a save before then keeps them.
        self._pending: dict[str, Any] | None = None

    def load(self) -> dict[str, Any] | None:
        """The saved draft, or None when there is none (or it cannot be read)."""
        draft = self._drafts.load(DRAFT_NAME)
        if draft:
            self._pending = draft
        return draft

    def value(self, key: str) -> object:
        """`key` of the draft last saved or loaded; None without one."""
        return (self._pending or {}).get(key)

    def save_in_background(self, payload: dict[str, Any]) -> bool:
        """Save in a worker thread; False if a save is still running."""
        self._pending = payload
        self._settings.last_voice_id = payload["voice_id"]
        self._settings.last_model_id = payload["model_id"]
        return self._runner.start(AUTOSAVE_TASK, lambda: asyncio.to_thread(
            self._drafts.save, DRAFT_NAME, payload)) is not None

    def save_now(self, payload: dict[str, Any]) -> None:
        """Save synchronously (on quit: the event loop may be stopping)."""
        self._drafts.save(DRAFT_NAME, payload)
