"""The spoken word, marked in a text editor while its audio plays.

A read-only mark (an extra selection: the text, its undo history and the user's own
selection are untouched), the same in the Speech tab and the Scripts tab. Its colours
are fixed, dark text on amber, so the mark reads the same in light and dark palettes
(checked by tests/ui/test_word_highlight.py against the contrast rule).
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit

SPOKEN_BACKGROUND = QColor(255, 214, 10)
SPOKEN_FOREGROUND = QColor(0, 0, 0)


def mark_spoken_word(editor: QPlainTextEdit | QTextEdit, start: int | None,
                     end: int | None) -> None:
    """Mark characters start..end of the editor's text (None: no mark)."""
    length = editor.document().characterCount() - 1
    if start is None or end is None or not 0 <= start < end <= length:
        editor.setExtraSelections([])
        return
    selection = QTextEdit.ExtraSelection()
    cursor = QTextCursor(editor.document())
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    fmt = QTextCharFormat()
    fmt.setBackground(SPOKEN_BACKGROUND)
    fmt.setForeground(SPOKEN_FOREGROUND)
    selection.cursor = cursor
    selection.format = fmt
    editor.setExtraSelections([selection])


def spoken_word(editor: QPlainTextEdit | QTextEdit) -> str:
    """The text of the marked word ('' when none is marked)."""
    selections = editor.extraSelections()
    return selections[0].cursor.selectedText() if selections else ""


__all__ = ["SPOKEN_BACKGROUND", "SPOKEN_FOREGROUND", "mark_spoken_word", "spoken_word"]
