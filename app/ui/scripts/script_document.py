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

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from app.domain.script import Block, Script


def keep_new_takes(older: Script, current: Script) -> Script:
    """`older` with the takes `current` has and `older` lacks added back to their
    blocks; a take chosen since stays chosen (it was made after the edit undone)."""
    current_blocks = {b.block_id: b for b in current.blocks}
    blocks: list[Block] = []
    changed = False
    for block in older.blocks:
        now = current_blocks.get(block.block_id)
        if now is None:
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
    """Holds the script; every user edit goes through `edit` (undoable), results of
    generation through `update` (not undoable: paid-for audio is never undone)."""

    changed = Signal()
    path_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.script = Script()
        self.path: Path | None = None  # where it is saved besides the autosave
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setObjectName("scripts.undo_stack")

    def load(self, script: Script, path: Path | None) -> None:
        self.undo_stack.clear()
        self.path = path
        self._set(script)
        self.path_changed.emit()

    def set_path(self, path: Path | None) -> None:
        self.path = path
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
        after = change(self.script)
        if after is not self.script:
            self._set(after)

    def _set(self, script: Script) -> None:
        self.script = script
        self.changed.emit()
