"""Pronunciation on the Speech tab: the dictionaries attached to generations (a box in
the settings column, remembered in the `speech-pronunciation` draft), the
"Pronunciation…" dialog, "Fix how this is said…" on selected text, the rule preview,
and a warning when the chosen model skips the attached phoneme rules.

The tab creates one `PronunciationFeature` and reads `locators()` into its form.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QGroupBox, QLabel, QPushButton, QVBoxLayout

from app.api.dictionaries import DictionariesService
from app.domain.pronunciation import MAX_LOCATORS, PHONEME_MODELS_NOTE, Rule, model_honours_phonemes
from app.ui.errors import describe_error
from app.ui.speech.dictionaries_panel import PREVIEW_DICTIONARY, DictionariesDialog
from app.ui.speech.dictionary_models import Attachment
from app.ui.speech.rule_editor import PreviewReport
from app.ui.speech.side_draft import SideDraft
from app.ui.widgets.button_width import keep_to_its_text
from app.ui.widgets.problem_text import show_as_warning

if TYPE_CHECKING:
    from app.ui.app_context import AppContext
    from app.ui.qt_async import TaskRunner
    from app.ui.speech.speech_tab import SpeechTab

DRAFT_NAME = "speech-pronunciation"
PREVIEW_TASK = "pronunciation.preview"


class PronunciationFeature(QObject):
    def __init__(self, tab: SpeechTab, ctx: AppContext, runner: TaskRunner) -> None:
        super().__init__(tab)
        self._tab = tab
        self._ctx = ctx
        self._runner = runner
        self._service = DictionariesService(ctx.client)
        self._draft = SideDraft(DRAFT_NAME, ctx.drafts, runner, self)
        self.dialog: DictionariesDialog | None = None
        saved = self._draft.load()
        # Not a list (a damaged draft's null or number stopped the window opening): none.
        listed = saved.get("attachments")
        found = [Attachment.from_json(a) for a in (listed if isinstance(listed, list) else [])]
        self.attachments: list[Attachment] = [a for a in found if a][:MAX_LOCATORS]
        self._build()
        tab.model.currentIndexChanged.connect(self._show)
        tab.text.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        tab.text.customContextMenuRequested.connect(self._on_text_context_menu)
        self._show()

    def _build(self) -> None:
        column = self._tab.settings_column
        self.box = QGroupBox("Pronunciation", column)
        self.box.setObjectName("speech.pronunciation_box")
        self.attached = QLabel(self.box)
        self.attached.setObjectName("speech.pronunciation_attached")
        self.attached.setWordWrap(True)
        self.warning = QLabel(self.box)
        self.warning.setObjectName("speech.pronunciation_warning")
        self.warning.setWordWrap(True)
        show_as_warning(self.warning)
        self.button = QPushButton("Pronunciation…", self.box)
        self.button.setObjectName("speech.pronunciation")
        self.button.setAccessibleName("Pronunciation dictionaries")
        self.button.setToolTip("Teach the voice how to say names, brands and jargon")
        layout = QVBoxLayout(self.box)
        layout.addWidget(self.attached)
        layout.addWidget(self.warning)
        layout.addWidget(self.button)
        keep_to_its_text(self.button)  # (the box stretched it 900 px on a wide screen)
        column_layout = column.layout()
        assert isinstance(column_layout, QVBoxLayout)
        column_layout.insertWidget(max(0, column_layout.count() - 1), self.box)
        self.button.clicked.connect(lambda: self.open_dialog())

    # -- what the form sends ------------------------------------------------------------
    def locators(self) -> tuple[tuple[str, str | None], ...]:
        return tuple((a.dictionary_id, a.version_id or None) for a in self.attachments)

    def _show(self, *_args: object) -> None:
        names = ", ".join(f"“{a.name}”" for a in self.attachments)
        self.attached.setText(f"Using {names}." if names else
                              "No dictionary in use. Make one to fix how names and "
                              "jargon are said.")
        model = self._tab.current_model()
        phonemes = [a.name for a in self.attachments if a.has_phonemes]
        if model is not None and phonemes and not model_honours_phonemes(model.model_id):
            self.warning.setText(
                f"{', '.join(phonemes)} has phoneme rules, which {model.name or model.model_id}"
                f" skips: only alias rules will be used. {PHONEME_MODELS_NOTE}")
            self.warning.show()
        else:
            self.warning.hide()

    def set_attachments(self, attachments: list[Attachment]) -> None:
        self.attachments = list(attachments)[:MAX_LOCATORS]
        self._show()
        self._save()

    def _save(self) -> None:
        self._draft.save({"attachments": [a.to_json() for a in self.attachments]})

    # -- the dialog ----------------------------------------------------------------------
    def open_dialog(self) -> DictionariesDialog:
        if self.dialog is None:
            self.dialog = DictionariesDialog(self._service, self._runner, self.attachments,
                                             self.preview, self._tab)
            self.dialog.attachments_changed.connect(self.set_attachments)
        else:
            self.dialog.attachments = list(self.attachments)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.refresh()
        return self.dialog

    def fix_selected(self, word: str) -> DictionariesDialog:
        """"Fix how this is said…": the dialog, and a new rule for `word` in it."""
        dialog = self.open_dialog()
        dialog.open_rule_editor(word=word.strip())
        if dialog.current is None:
            dialog.say("Make or choose a dictionary for the rule, then save it.")
        return dialog

    def _on_text_context_menu(self, pos: QPoint) -> None:
        text = self._tab.text
        menu = text.createStandardContextMenu()
        menu.setObjectName("speech.text_menu")
        selected = text.textCursor().selectedText().strip()
        action = QAction("Fix how this is said…", menu)
        action.setObjectName("speech.fix_pronunciation")
        action.setEnabled(bool(selected) and len(selected) <= 100)
        action.triggered.connect(lambda: self.fix_selected(selected))
        menu.addSeparator()
        menu.addAction(action)
        menu.aboutToHide.connect(menu.deleteLater)
        menu.popup(text.viewport().mapToGlobal(pos))

    # -- preview -------------------------------------------------------------------------
    def preview(self, rule: Rule | None, word: str, report: PreviewReport) -> None:
        """Speak `word` with the current voice and model, with `rule` or without any.
        How it went is said to `report` (the rule editor, modal, in front) and in the
        dialog's message line (read once the editor is closed)."""
        form = self._tab.form()
        dialog = self.dialog

        def say(text: str, *, problem: bool = False) -> None:
            report(text, problem)
            if dialog is not None:
                dialog.say(text, problem=problem)

        if form is None:
            say("Pick a voice and a model on the Speech tab first.", problem=True)
            return

        async def speak() -> None:
            from app.audio.decode import decode_bytes
            from app.domain.wire import PronunciationDictionaryLocator

            try:
                locators = None
                if rule is not None:
                    dictionary_id, version_id = await self._scratch_dictionary(rule)
                    locators = [PronunciationDictionaryLocator(
                        pronunciation_dictionary_id=dictionary_id, version_id=version_id)]
                request = form.request_for(word).model_copy(
                    update={"pronunciation_dictionary_locators": locators})
                result = await self._ctx.speech.convert(form.voice.voice_id, request,
                                                        form.options())
                clip = await asyncio.to_thread(decode_bytes, result.audio, form.output_format)
            except Exception as exc:  # shown in plain words
                say(describe_error(exc).as_text(), problem=True)
                return
            self._ctx.player.load(clip)
            self._ctx.player.play()
            say("Playing “" + word + ("” with the rule." if rule else "” as now."))

        # Restarted, not started: a press while a preview hangs on a silent server asked
        # nothing and said nothing until the read timeout; now it drops the stalled
        # request and asks again (the editor has no Cancel of its own).
        self._runner.restart(PREVIEW_TASK, speak)

    async def _scratch_dictionary(self, rule: Rule) -> tuple[str, str]:
        """The preview's own dictionary holding just `rule` (made once, reused)."""
        found = next((d for d in await self._service.list_all(include_archived=True)
                      if d.name == PREVIEW_DICTIONARY), None)
        if found is None:
            made = await self._service.create_from_rules(PREVIEW_DICTIONARY, [rule])
            return made.id, made.version_id
        version = await self._service.set_rules(found.id, [rule])
        return version.id, version.version_id


