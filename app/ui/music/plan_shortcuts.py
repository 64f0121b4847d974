"""The plan editor's keys: undo and redo, new and duplicate sections anywhere in the
editor; moving and deleting only while the sections table has the focus (Delete in a
text field deletes a letter, not a section)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut

if TYPE_CHECKING:
    from app.ui.music.plan_editor import PlanEditor


def add_plan_shortcuts(editor: PlanEditor) -> None:
    stack = editor.undo_stack
    for keys, slot in (("Ctrl+Z", stack.undo), ("Ctrl+Shift+Z", stack.redo),
                       ("Ctrl+Y", stack.redo), ("Ctrl+N", editor.add_section),
                       ("Ctrl+D", editor.duplicate_section)):
        shortcut = QShortcut(QKeySequence(keys), editor)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)
    for keys, step in (("Alt+Up", -1), ("Alt+Down", 1)):
        shortcut = QShortcut(QKeySequence(keys), editor.table)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(lambda s=step: editor.move_section(s))
    delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), editor.table)
    delete.setContext(Qt.ShortcutContext.WidgetShortcut)
    delete.activated.connect(editor.delete_section)
