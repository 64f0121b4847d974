"""Pronunciation dictionaries of the open script: a button naming the dictionaries in use
("Pronunciation: none…") opens the Speech tab's dictionaries dialog for this script's
selection. The choice is an undoable script edit, so it is autosaved with the script;
changing it makes the takes stale (they were made with other rules).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from app.api.dictionaries import DictionariesService
from app.domain.pronunciation import MAX_LOCATORS
from app.domain.script import Script
from app.ui.speech.dictionaries_panel import DictionariesDialog
from app.ui.speech.dictionary_models import Attachment

if TYPE_CHECKING:
    from app.ui.app_context import AppContext
    from app.ui.qt_async import TaskRunner
    from app.ui.scripts.script_document import ScriptDocument

BUTTON_CHARS = 26  # "Pronunciation: Brand names…": longer lists end in "…"


def attachments_of(script: Script) -> list[Attachment]:
    return [Attachment(str(x.get("pronunciation_dictionary_id") or ""),
                       str(x.get("version_id") or ""), str(x.get("name") or "Dictionary"))
            for x in script.pronunciation_dictionary_locators
            if x.get("pronunciation_dictionary_id")]


def with_attachments(script: Script, attachments: list[Attachment]) -> Script:
    locators = tuple({"pronunciation_dictionary_id": a.dictionary_id,
                      "version_id": a.version_id, "name": a.name}
                     for a in attachments[:MAX_LOCATORS])
    return replace(script, pronunciation_dictionary_locators=locators)


def describe(script: Script) -> str:
    names = ", ".join(a.name for a in attachments_of(script))
    return f"Pronunciation: {names}" if names else "Pronunciation: none"


class ScriptPronunciation(QObject):
    def __init__(self, parent: QWidget, ctx: AppContext, runner: TaskRunner,
                 document: ScriptDocument) -> None:
        super().__init__(parent)
        self._parent = parent
        self._ctx = ctx
        self._runner = runner
        self._document = document
        self.dialog: DictionariesDialog | None = None
        self.button = QPushButton("Pronunciation…", parent)
        self.button.setObjectName("scripts.pronunciation")
        self.button.setAccessibleName("Pronunciation dictionaries for this script")
        self.button.setToolTip(f"Choose up to {MAX_LOCATORS} dictionaries that teach the "
                               "voices how to say names, brands and jargon in this script")
        # The button says which dictionaries are in use ("Pronunciation: none…"): a
        # label beside it took a row's room on a laptop screen. The label is kept, not
        # shown, for whoever reads the words alone.
        self.label = QLabel(parent)
        self.label.setObjectName("scripts.pronunciation_label")
        self.label.setAccessibleName("Pronunciation dictionaries in use")
        self.label.hide()
        self.button.clicked.connect(lambda: self.open_dialog())
        document.changed.connect(self.show_script)
        self.show_script()

    def show_script(self) -> None:
        text = describe(self._document.script)
        self.label.setText(text)
        self.label.setToolTip(text)
        # Long names end in "…" (the whole list in the description and the label): the
        # button stays the width of a short list, in a row that must fit a laptop.
        shown = self.button.fontMetrics().elidedText(
            text, Qt.TextElideMode.ElideRight,
            self.button.fontMetrics().horizontalAdvance("x") * BUTTON_CHARS)
        self.button.setText(shown if shown != text else f"{text}…")
        self.button.setAccessibleDescription(text)

    def open_dialog(self) -> DictionariesDialog:
        attachments = attachments_of(self._document.script)
        if self.dialog is None:
            self.dialog = DictionariesDialog(DictionariesService(self._ctx.client),
                                             self._runner, attachments, None, self._parent)
            self.dialog.setObjectName("scripts.dictionaries")
            self.dialog.attachments_changed.connect(self.set_attachments)
        else:
            self.dialog.attachments = attachments
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.refresh()
        return self.dialog

    def set_attachments(self, attachments: list[Attachment]) -> None:
        def key(items: list[Attachment]) -> list[tuple[str, str, str]]:
            return [(a.dictionary_id, a.version_id, a.name) for a in items[:MAX_LOCATORS]]

        if key(attachments_of(self._document.script)) == key(list(attachments)):
            return
        self._document.edit("Change pronunciation dictionaries",
                            lambda s: with_attachments(s, attachments))
