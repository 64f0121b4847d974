"""The open transcript: what the server sent, the user's edits, undo/redo, where it is kept.

Every edit (rename a speaker, merge two speakers, correct a word) is a QUndoCommand that
swaps one immutable `TranscriptEdits` for another, so undo is exact and cheap. The
edited view (`edited`) is brought up to date once per change, for the words the change
touched only (`last_patch`, app/domain/transcript_patch.py), and cached.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand

from app.domain.transcript import Transcript, default_speaker_name
from app.domain.transcript_edit import TranscriptEdits
from app.domain.transcript_edit_delta import EditsDelta
from app.domain.transcript_patch import TranscriptPatch, patch_between, patched_view

# Kept in the service layer (the queue keeps transcripts too); named here for the tab.
from app.services.transcript_keep import TranscriptSource as TranscriptSource
from app.services.transcript_keep import read_saved as read_saved
from app.services.transcript_keep import saved_json as saved_json
from app.ui.undo_history import bounded_undo_stack

#: Set by the local engine (app/engine/stt_routes.ENGINE_MARK_KEY) on what it recognised.
OFFLINE_MARK_KEY = "xi_studio_engine"
OFFLINE_DRAFT_NOTE = "Offline draft: recognition is approximate"


class _EditsCommand(QUndoCommand):
    """Keeps what the edit changed (a delta), not the whole edits before and after it:
    the history stays proportionate to the steps it holds, however many corrections the
    transcript has."""

    def __init__(self, document: TranscriptDocument, before: TranscriptEdits,
                 after: TranscriptEdits, text: str) -> None:
        super().__init__(text)
        self._document = document
        self._delta = EditsDelta.between(before, after)
        self._first: TranscriptEdits | None = after  # pushing makes it; then let go

    def redo(self) -> None:
        first, self._first = self._first, None
        document = self._document
        document._set_edits(first if first is not None else self._delta.redo(document.edits))

    def undo(self) -> None:
        self._document._set_edits(self._delta.undo(self._document.edits))


class TranscriptDocument(QObject):
    changed = Signal()  # the edited view changed (an edit, an undo or a redo)
    replaced = Signal()  # another transcript was opened (or the last one closed)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = bounded_undo_stack(self)
        self.original: Transcript | None = None
        self.edits = TranscriptEdits()
        self.edited: Transcript | None = None
        self.source = TranscriptSource()
        #: What the last edit, undo or redo changed (None: everything may have; a merge).
        self.last_patch: TranscriptPatch | None = None

    # -- opening ---------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self.original is not None

    @property
    def is_offline_draft(self) -> bool:
        return self.original is not None and isinstance(
            self.original.source_json.get(OFFLINE_MARK_KEY), dict)

    def open(self, original: Transcript, edits: TranscriptEdits | None = None,
             source: TranscriptSource | None = None, edited: Transcript | None = None) -> None:
        """`edited`, when given, is `edits.apply(original)` made earlier (in a worker)."""
        self.undo_stack.clear()
        self.original = original
        self.edits = edits or TranscriptEdits()
        self.edited = edited if edited is not None else self.edits.apply(original)
        self.source = source or TranscriptSource()
        self.last_patch = None
        self.replaced.emit()

    def close(self) -> None:
        self.undo_stack.clear()
        self.original = self.edited = None
        self.edits = TranscriptEdits()
        self.source = TranscriptSource()
        self.replaced.emit()

    # -- editing ---------------------------------------------------------------------
    def _set_edits(self, edits: TranscriptEdits) -> None:
        if self.original is None:
            return
        patch = patch_between(self.edits, edits) if self.edited is not None else None
        if patch is None or self.edited is None:
            self.edited = edits.apply(self.original)
        else:  # only the words the edit touched are made again (a frame, not 200 ms)
            self.edited = patched_view(self.original, self.edited, edits, patch)
        self.edits = edits
        self.last_patch = patch
        self.changed.emit()

    def _push(self, after: TranscriptEdits, text: str) -> bool:
        if self.original is None or after == self.edits:
            return False
        self.undo_stack.push(_EditsCommand(self, self.edits, after, text))
        return True

    def apply_edit(self, after: TranscriptEdits, text: str) -> bool:
        """Any edit made from the current edits (phrase_edit.py): one undoable step."""
        return self._push(after, text)

    def speaker_name(self, speaker_id: str) -> str:
        if self.edited is None:
            return default_speaker_name(speaker_id)
        return self.edited.speaker_name(speaker_id)

    def rename_speaker(self, speaker_id: str, name: str) -> bool:
        old = self.speaker_name(speaker_id)
        after = self.edits.with_speaker_name(speaker_id, name)
        return self._push(after, f"Rename {old} to {name.strip() or 'its first name'}")

    def merge_speakers(self, from_id: str, into_id: str) -> bool:
        """Every word of `from_id` is said by `into_id`. Raises ValueError for a loop."""
        text = f"Merge {self.speaker_name(from_id)} into {self.speaker_name(into_id)}"
        return self._push(self.edits.with_merge(from_id, into_id), text)

    def correct_word(self, index: int, text: str) -> bool:
        if self.original is None or not 0 <= index < len(self.original.words):
            return False
        server_text = self.original.words[index].text
        if text == server_text:
            after = self.edits.without_correction(index)
        else:
            after = self.edits.with_correction(index, text)
        return self._push(after, f"Correct “{server_text.strip()}” to “{text.strip()}”")

    def original_text(self, index: int) -> str | None:
        """The server's text of a corrected word (None when it was not corrected)."""
        if self.original is None or index not in self.edits.corrections:
            return None
        text = self.original.words[index].text
        return text if text != self.edits.corrections[index] else None

    # -- saving ----------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """The transcript as saved: API shape, edits applied, originals kept."""
        if self.original is None:
            raise ValueError("no transcript is open")
        return saved_json(self.original, self.edits, self.source)
