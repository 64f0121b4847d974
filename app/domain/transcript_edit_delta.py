"""One undo step of a transcript as what it changed, not two whole copies of the edits.

A step used to keep the edits before and after it: after a few thousand corrections
every step held its own copy of every correction, so the undo history grew with the
square of the work done (1,000 steps over a transcript with 3,000 corrections held
millions of entries). A delta holds only the entries the step changed, and rebuilds
the edits before or after it from the edits the document has at that moment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from app.domain.transcript_edit import TranscriptEdits

_ABSENT: Any = object()  # the entry was not there (undoing its addition removes it)

# Every field of TranscriptEdits is a mapping (names, merges, corrections, ...).
_FIELDS = tuple(f.name for f in fields(TranscriptEdits))


@dataclass(frozen=True)
class EditsDelta:
    # (field name, its changed entries before, the same entries after)
    changes: tuple[tuple[str, Mapping[Any, Any], Mapping[Any, Any]], ...]

    @classmethod
    def between(cls, before: TranscriptEdits, after: TranscriptEdits) -> EditsDelta:
        changes = []
        for name in _FIELDS:
            old: Mapping[Any, Any] = getattr(before, name)
            new: Mapping[Any, Any] = getattr(after, name)
            if old is new or old == new:
                continue
            keys = [key for key in old.keys() | new.keys()
                    if old.get(key, _ABSENT) != new.get(key, _ABSENT)]
            changes.append((name, {key: old.get(key, _ABSENT) for key in keys},
                            {key: new.get(key, _ABSENT) for key in keys}))
        return cls(tuple(changes))

    def redo(self, edits: TranscriptEdits) -> TranscriptEdits:
        """`edits` (the edits before this step) with the step made."""
        return _with(edits, ((name, after) for name, _before, after in self.changes))

    def undo(self, edits: TranscriptEdits) -> TranscriptEdits:
        """`edits` (the edits after this step) with the step taken back."""
        return _with(edits, ((name, before) for name, before, _after in self.changes))


def _with(edits: TranscriptEdits, entries: Any) -> TranscriptEdits:
    changed: dict[str, dict[Any, Any]] = {}
    for name, values in entries:
        mapping = dict(getattr(edits, name))
        for key, value in values.items():
            if value is _ABSENT:
                mapping.pop(key, None)
            else:
                mapping[key] = value
        changed[name] = mapping
    return replace(edits, **changed) if changed else edits
