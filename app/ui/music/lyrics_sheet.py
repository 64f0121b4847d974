"""The lyrics sheet: the whole song's lyrics in one editor, `[Section]` headers and their
lines, kept two-way with the plan editor's section table. Edits land in the table a
moment after typing stops, as one step of the editor's undo stack; table edits (and
undo) rewrite the sheet."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from app.domain.music_lyrics_sheet import (
    SheetError,
    apply_sheet,
    parse_sheet,
    sheet_counts,
    sheet_from_plan,
)
from app.domain.music_plan import limits_for
from app.ui.music.plan_commands import EditSectionCommand
from app.ui.music.plan_editor import PlanEditor

APPLY_DELAY_MS = 500


class LyricsSheet(QWidget):
    def __init__(self, editor: PlanEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("music.lyrics_page")
        self._editor = editor
        self._model_id = "music_v2"
        self._applying = False
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("music.lyrics_sheet")
        self.text.setAccessibleName("Lyrics sheet")
        self.text.setPlaceholderText("[Verse]\nYour first line\nYour second line")
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.help = QLabel("The whole song's lyrics: one [Section] header a section, in the "
                           "table's order, its sung lines under it (none: instrumental). "
                           "Renaming a header renames the section; add or remove sections "
                           "in the table.", self)
        self.help.setWordWrap(True)
        self.counts = QLabel(self)
        self.counts.setObjectName("music.lyrics_counts")
        self.counts.setAccessibleName("Lines a section and the model's limits")
        self.counts.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.help)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.counts)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(APPLY_DELAY_MS)
        self._timer.timeout.connect(self.apply)
        self.text.textChanged.connect(self._on_text_changed)
        editor.model.plan_changed.connect(self._on_plan_changed)
        self.refresh()

    def set_model_id(self, model_id: str) -> None:
        self._model_id = model_id
        self._show_counts()

    def refresh(self) -> None:
        """Write the sheet from the table (unless the sheet has edits not applied yet)."""
        if self._timer.isActive():
            return
        text = sheet_from_plan(self._editor.model.plan)
        if text != self.text.toPlainText():
            self._applying = True
            try:
                self.text.setPlainText(text)
            finally:
                self._applying = False
        self._show_counts()

    def apply(self) -> bool:
        """Put the sheet's edits into the table as one undoable step; False (and why,
        under the sheet) when they cannot go in as they are."""
        self._timer.stop()
        model = self._editor.model
        try:
            changed = apply_sheet(model.plan, parse_sheet(self.text.toPlainText()))
        except SheetError as exc:
            self.counts.setText(f"✖ {exc}")
            return False
        if changed:
            stack = self._editor.undo_stack
            self._applying = True
            try:
                stack.beginMacro("Edit lyrics sheet")
                for row, section in changed:
                    stack.push(EditSectionCommand(model, row, model.section(row), section,
                                                  "Edit lyrics"))
                stack.endMacro()
            finally:
                self._applying = False
        self._show_counts()
        return True

    def _on_text_changed(self) -> None:
        if not self._applying:
            self._timer.start()
            self._show_counts()

    def _on_plan_changed(self) -> None:
        if not self._applying:
            self.refresh()

    def _show_counts(self) -> None:
        try:
            sheet = parse_sheet(self.text.toPlainText())
        except SheetError as exc:
            self.counts.setText(f"✖ {exc}")
            return
        try:
            limits = limits_for(self._model_id)
        except ValueError:
            limits = limits_for("music_v2")
        self.counts.setText("\n".join(sheet_counts(sheet, limits)) or
                            "No sections yet: add them in the table.")


__all__ = ["LyricsSheet"]
