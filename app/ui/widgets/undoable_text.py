"""Putting new text into a box the user may have typed in, as a step Ctrl+Z takes back.

`QPlainTextEdit.setPlainText` also empties the box's undo history: opening a text file
or re-opening a History entry over a script the user had typed lost it for good (the
draft saved a moment later holds the new text). Replacing it through a cursor, in one
edit block, keeps what was there one Ctrl+Z away.
"""

from __future__ import annotations

from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QPlainTextEdit

BRING_BACK = "Press Ctrl+Z in the text box to bring back the text it replaced."


def replace_text_undoably(box: QPlainTextEdit, text: str) -> bool:
    """Put `text` in `box` as one undoable step, the cursor at its start; True when it
    replaced text the user had (so the caller can say how to bring it back)."""
    before = box.toPlainText()
    if before == text:
        return False
    cursor = QTextCursor(box.document())
    cursor.beginEditBlock()
    cursor.select(QTextCursor.SelectionType.Document)
    cursor.insertText(text)
    cursor.endEditBlock()
    cursor.movePosition(QTextCursor.MoveOperation.Start)
    box.setTextCursor(cursor)
    return bool(before.strip())
