"""The undo history every editor keeps (transcripts, scripts, music plans).

Long but bounded: an editor open all day keeps its last UNDO_STEPS steps, not every
edit since the morning. Each step holds the state before and after it, so an
unbounded history grew with every edit for as long as the window stayed open."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoStack

#: As many steps as a polished editor keeps (far beyond a day's reasonable Ctrl+Z).
UNDO_STEPS = 1000


def bounded_undo_stack(parent: QObject | None = None) -> QUndoStack:
    stack = QUndoStack(parent)
    stack.setUndoLimit(UNDO_STEPS)  # (Qt accepts a limit only while the stack is empty)
    return stack
