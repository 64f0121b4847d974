"""The open script, its undo history and its place on disk.

Scripts are frozen values (app.domain.script): an edit is a pure function giving a new
script, and an undo command keeps the script before and after. Takes are paid for, so
undo never takes them away: restoring an older script keeps every take made since
(`keep_new_takes`), only the text, order, cast and choices go back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand

from app.domain.script import Block, Script
from app.domain.script_file import ScriptJsonWriter
from app.services.script_document import ScriptDocument as CoreDocument
from app.ui.undo_history import bounded_undo_stack


def keep_new_takes(older: Script, current: Script) -> Script:
    """`older` with the takes `current` has and `older` lacks added back to their
    blocks; a take chosen since stays chosen (it was made after the edit undone)."""
    current_blocks = {b.block_id: b for b in current.blocks}
    blocks: list[Block] = []
    changed = False
    for block in older.blocks:
        now = current_blocks.get(block.block_id)
        if now is None or now is block:  # (an edit leaves most blocks the same objects)
            blocks.append(block)
            continue
        known = {t.take_id for t in block.takes}
        new_takes = tuple(t for t in now.takes if t.take_id not in known)
        if not new_takes:
            blocks.append(block)
            continue
        chosen = now.chosen_take_id if now.chosen_take_id not in known \
            else block.chosen_take_id
        blocks.append(replace(block, takes=block.takes + new_takes, chosen_take_id=chosen,
                              error=now.error))
        changed = True
    return replace(older, blocks=tuple(blocks)) if changed else older


class _EditCommand(QUndoCommand):
    def __init__(self, document: ScriptDocument, before: Script, after: Script,
                 label: str) -> None:
        super().__init__(label)
        self._document = document
        self._before = before
        self._after = after

    def redo(self) -> None:
        self._document._set(keep_new_takes(self._after, self._document.script))

    def undo(self) -> None:
        self._document._set(keep_new_takes(self._before, self._document.script))


class ScriptDocument(QObject):
    """The window's handle on the open script: the Qt-free document the queue records
    takes through (app.services.script_document), plus undo and a `changed` signal.

    Every user edit goes through `edit` (undoable); results of generation reach the
    core document directly (`core.apply`), are not undoable (paid-for audio is never
    undone) and are announced through the same `changed` signal.

    A user's edit, undo or load is announced at once (the tab shows it before the next
    key press). Changes from the queue are announced once per turn of the event loop:
    several takes finishing together refresh the tab once, not once each (benchmark
    figure 10b: the window never stalls while the queue runs)."""

    changed = Signal()
    path_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.core = CoreDocument(Script())
        self.core.add_listener(self._on_core_changed)
        self.undo_stack = bounded_undo_stack(self)
        self.undo_stack.setObjectName("scripts.undo_stack")
        self._direct = 0  # > 0 while a user's change is applied: announce it at once
        self._pending = False  # a queue change waits for the next turn of the loop

    @property
    def script(self) -> Script:
        return self.core.script

    @property
    def path(self) -> Path | None:
        return self.core.path

    def load(self, script: Script, path: Path | None,
             writer: ScriptJsonWriter | None = None) -> None:
        """Show another script (the queue of the old one must be stopped first). `writer`:
        one that already knows the script's lines (script_storage.Opened)."""
        self.undo_stack.clear()
        self.core.remove_listener(self._on_core_changed)
        self.core = CoreDocument(script, path, writer)
        self.core.add_listener(self._on_core_changed)
        self._pending = False
        self.changed.emit()
        self.path_changed.emit()

    def edit(self, label: str, change: Callable[[Script], Script]) -> bool:
        """Apply `change` as one undoable step. ValueError/KeyError from the domain
        (e.g. split at an end) propagate for the caller to put into words."""
        before = self.script
        after = change(before)
        if after == before:
            return False
        self.undo_stack.push(_EditCommand(self, before, after, label))
        return True

    def update(self, change: Callable[[Script], Script]) -> None:
        """A change that is not the user's edit (a take arrived, a block failed)."""
        self.core.apply(change)

    def _set(self, script: Script) -> None:
        self._direct += 1
        try:
            self.core.set(script)
        finally:
            self._direct -= 1

    def _on_core_changed(self, _script: Script) -> None:
        if self._direct:
            self._pending = False  # this announcement covers a waiting one too
            self.changed.emit()
        elif not self._pending:
            self._pending = True
            QTimer.singleShot(0, self, self.flush)

    def flush(self) -> None:
        """Announce a change still waiting for its turn (none: nothing happens)."""
        if self._pending:
            self._pending = False
            self.changed.emit()
