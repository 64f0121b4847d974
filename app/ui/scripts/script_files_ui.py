"""The Scripts tab's files: open or import, new, autosave, restore, save as text/CSV.

Reading, importing and saving run in worker threads (the UI never waits on the disk);
saves are atomic (app.library.script_store). Every change is saved shortly after it is
made and at once on quit, and the file open last is reopened on the next start, so
neither a crash nor a quit loses an edit or a take.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from app.domain.script import Take
from app.domain.script_file import ScriptFormatError
from app.domain.script_import import ScriptImportError, to_screenplay_text, to_table
from app.domain.text_file import NotTextError
from app.library.script_store import take_path
from app.ui.app_context import AppContext
from app.ui.errors import UserMessage
from app.ui.qt_async import TaskRunner
from app.ui.scripts import script_storage
from app.ui.scripts.script_document import ScriptDocument
from app.ui.scripts.script_files import OPEN_FILTER
from app.ui.widgets.file_dialogs import ask_open_path, ask_save_path

if TYPE_CHECKING:
    from app.ui.scripts.scripts_tab import ScriptsTab

log = logging.getLogger(__name__)

AUTOSAVE_DELAY_MS = 800
TEXT_FILTER = "Screenplay text (*.txt);;CSV table (*.csv);;TSV table (*.tsv)"


class ScriptFilesUi(QObject):
    OPEN = "scripts.open"
    SAVE = "scripts.autosave"
    EXPORT_TEXT = "scripts.export_text"

    def __init__(self, tab: ScriptsTab, ctx: AppContext, runner: TaskRunner,
                 document: ScriptDocument) -> None:
        super().__init__(tab)
        self._tab = tab
        self._ctx = ctx
        self._runner = runner
        self._document = document
        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_DELAY_MS)
        self._autosave.timeout.connect(self._save_in_background)
        runner.task_failed.connect(self._on_runner_task_failed)
        runner.reports(self.SAVE, self.OPEN, self.EXPORT_TEXT)

    @property
    def data_dir(self) -> Path:
        return self._ctx.paths.data_dir

    # -- opening ---------------------------------------------------------------------
    def restore_last(self) -> None:
        self._runner.start(self.OPEN, self._restore)

    async def _restore(self) -> None:
        try:
            opened = await asyncio.to_thread(script_storage.restore, self._ctx.drafts)
        except (OSError, ScriptFormatError) as exc:
            path = script_storage.last_open(self._ctx.drafts)
            self._tab.show_error(UserMessage(
                "The last script could not be reopened",
                f"{path.name if path else 'The file'}: {exc}",
                "The file was left as it is. Open another script, or fix this one."))
            return
        if opened is not None:
            self._loaded(opened)

    def ask_open(self) -> None:
        ask_open_path(self._tab, "scripts.open_dialog", "Open or import a script", "",
                      lambda path: self.open_path(Path(path)), OPEN_FILTER)

    def open_path(self, path: Path) -> None:
        self._tab.generation.cancel()  # the queue belongs to the script open now
        self.save_now_if_changed()
        self._runner.restart(self.OPEN, lambda: self._open(path))

    async def _open(self, path: Path) -> None:
        self._tab.status.setText(f"Opening {path.name}…")
        try:
            voices = [(v.voice_id, v.name) for v in self._tab.generation.voices] or None
            opened = await asyncio.to_thread(script_storage.open_file, path, self.data_dir,
                                             voices)
        except (ScriptImportError, NotTextError) as exc:
            self._tab.show_error(UserMessage(
                f"{path.name} could not be imported", str(exc),
                "Fix that line in the file and open it again."))
            self._tab.status.setText("")
            return
        except (OSError, ScriptFormatError) as exc:
            self._tab.show_error(UserMessage(
                f"{path.name} could not be opened", str(exc),
                "Check that it is a script, text or CSV file, then try again."))
            self._tab.status.setText("")
            return
        self._loaded(opened)

    def new(self) -> None:
        self._tab.generation.cancel()
        self.save_now_if_changed()
        self._runner.restart(self.OPEN, self._new)

    async def _new(self) -> None:
        self._loaded(await asyncio.to_thread(script_storage.new_script, self.data_dir))

    def _loaded(self, opened: script_storage.Opened) -> None:
        self._tab.error_banner.hide()
        self._document.load(opened.script, opened.path, opened.writer)
        self._runner.start("scripts.remember", lambda: asyncio.to_thread(
            script_storage.remember_open, self._ctx.drafts, opened.path))
        blocks = len(opened.script.blocks)
        source = opened.imported_from.name if opened.imported_from else opened.path.name
        words = f"Opened {source}: {blocks} blocks, {len(opened.script.speakers())} speakers."
        if opened.warnings:
            words += " " + " ".join(opened.warnings[:3])
            if len(opened.warnings) > 3:
                words += f" (and {len(opened.warnings) - 3} more notes)"
        self._tab.status.setText(words)
        self._runner.start("scripts.queue_state", lambda: self._check_interrupted(opened.path))

    async def _check_interrupted(self, path: Path) -> None:
        from app.library.script_store import load_queue_state

        ids = await asyncio.to_thread(load_queue_state, path)
        if ids and self._document.path == path:
            self._tab.generation.resume_interrupted(ids)

    # -- saving ----------------------------------------------------------------------
    def schedule_autosave(self) -> None:
        if self._document.path is not None and self._document.core.is_modified:
            self._autosave.start(AUTOSAVE_DELAY_MS)

    def _save_in_background(self) -> None:
        from app.ui.qt_async import loop_running

        core = self._document.core
        if core.path is None or not core.is_modified or not loop_running():
            return  # (quitting: flush_draft saves synchronously)
        wait_s = core.seconds_until_save()
        if wait_s > 0:  # written moments ago (takes coming in): not again so soon
            self._autosave.start(int(wait_s * 1000) + 1)
            return
        # The core document writes its newest value, one save at a time (the queue
        # saves through it too), atomically, in a worker thread.
        if self._runner.start(self.SAVE, core.save) is None:
            self._autosave.start(AUTOSAVE_DELAY_MS)  # a save is still running: again soon

    def save_now(self) -> None:
        """Save synchronously (on quit: the loop may be stopping)."""
        self._autosave.stop()
        self._document.core.save_blocking()

    def save_now_if_changed(self) -> None:
        try:
            self.save_now()
        except OSError:
            log.exception("could not save the script before opening another")

    def _on_runner_task_failed(self, name: str, exc: object) -> None:
        if name == self.SAVE:
            self._tab.show_error(UserMessage(
                "The script could not be saved", str(exc),
                "Your edits are still here. Free some disk space or check the folder's "
                "permissions; saving is tried again with the next edit."))
        elif name == self.OPEN:
            self._tab.show_error(exc)
        elif name == self.EXPORT_TEXT:  # a folder chosen, no access, a full disk
            self._tab.show_error(UserMessage(
                "The script was not saved as text", str(exc),
                "Choose another name or folder and try again. The script itself is "
                "unchanged."))

    # -- writing the script as text ------------------------------------------------------
    def ask_export_text(self) -> None:
        script = self._document.script
        suggested = (script.title or "script") + ".txt"
        ask_save_path(self._tab, "scripts.export_text_dialog",
                      "Save the script as text or a table", suggested,
                      lambda path: self._export_text(Path(path)), TEXT_FILTER)

    def _export_text(self, path: Path) -> None:
        script = self._document.script
        suffix = path.suffix.lower()
        if suffix == ".csv":
            text = to_table(script, ",")
        elif suffix == ".tsv":
            text = to_table(script, "\t")
        else:
            text = to_screenplay_text(script)

        async def write() -> None:
            from app.library.atomic import atomic_write_text

            await asyncio.to_thread(atomic_write_text, path, text)
            self._tab.status.setText(f"Saved the script as {path.name}.")

        self._runner.start(self.EXPORT_TEXT, write)

    # -- takes on disk -----------------------------------------------------------------
    def take_parts(self, pairs: Sequence[tuple[str, str]]) -> list[tuple[str, Take, Path]]:
        """(block id, take, audio file) for each (block id, take id) whose file exists."""
        script, base = self._document.script, self._document.path
        if base is None:
            return []
        parts: list[tuple[str, Take, Path]] = []
        for block_id, take_id in pairs:
            try:
                take = script.block(block_id).take(take_id)
            except KeyError:
                continue
            if take is not None:
                parts.append((block_id, take, take_path(base, take.file)))
        return parts
