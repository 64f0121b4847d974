"""One pronunciation rule, edited: the word, alias or phoneme (IPA / CMU arpabet), the
matching options, and a preview that speaks the word with and without the rule."""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.pronunciation import (
    PHONEME_MODELS_NOTE,
    AliasRule,
    PhonemeRule,
    Rule,
    RuleError,
    check_rule,
)
from app.ui.widgets.problem_text import show_as_problem

_KINDS = (("Say it as other words (alias)", "alias"),
          ("Phonetic spelling, IPA", "ipa"),
          ("Phonetic spelling, CMU arpabet", "cmu-arpabet"))
_HINTS = {"alias": "e.g. “eleven” for XI, “sequel” for SQL",
          "ipa": "e.g. təˈmɑːtoʊ",
          "cmu-arpabet": "e.g. T AH0 M EY1 T OW2"}

# How a preview went, in words, and whether it is a problem: said in the rule editor.
PreviewReport = Callable[[str, bool], None]
# (rule or None for "without", word, where to say how it went)
PreviewFn = Callable[[Rule | None, str, PreviewReport], None]


class RuleEditor(QDialog):
    def __init__(self, parent: QWidget | None, *, rule: Rule | None = None, word: str = "",
                 preview: PreviewFn | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rule_editor")
        self.setWindowTitle("Pronunciation rule")
        self._preview = preview
        self.word = QLineEdit(rule.string_to_replace if rule else word, self)
        self.word.setObjectName("rule_editor.word")
        self.word.setAccessibleName("Word or phrase")
        self.kind = QComboBox(self)
        self.kind.setObjectName("rule_editor.kind")
        self.kind.setAccessibleName("Kind of rule")
        for label, value in _KINDS:
            self.kind.addItem(label, value)
        self.replacement = QLineEdit(self)
        self.replacement.setObjectName("rule_editor.replacement")
        self.replacement.setAccessibleName("Say it as")
        self.case_sensitive = QCheckBox("Match upper and lower case exactly", self)
        self.case_sensitive.setObjectName("rule_editor.case_sensitive")
        self.case_sensitive.setChecked(True)
        self.whole_words = QCheckBox("Whole words only", self)
        self.whole_words.setObjectName("rule_editor.whole_words")
        self.whole_words.setChecked(True)
        self.note = QLabel(PHONEME_MODELS_NOTE, self)
        self.note.setObjectName("rule_editor.note")
        self.note.setWordWrap(True)
        self.error = QLabel(self)
        self.error.setObjectName("rule_editor.error")
        self.error.setWordWrap(True)
        show_as_problem(self.error)
        self.error.hide()
        self.preview_status = QLabel(self)
        self.preview_status.setObjectName("rule_editor.preview_status")
        self.preview_status.setWordWrap(True)
        self.preview_status.hide()
        self.preview_without = QPushButton("Hear it as now", self)
        self.preview_without.setObjectName("rule_editor.preview_without")
        self.preview_without.setAccessibleName("Hear the word without the rule")
        self.preview_with = QPushButton("Hear it with this rule", self)
        self.preview_with.setObjectName("rule_editor.preview_with")
        self.preview_with.setAccessibleName("Hear the word with the rule")
        previews = QHBoxLayout()
        previews.addWidget(self.preview_without)
        previews.addWidget(self.preview_with)
        previews.addStretch(1)
        for button in (self.preview_without, self.preview_with):
            button.setEnabled(preview is not None)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.setObjectName("rule_editor.buttons")
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setObjectName("rule_editor.ok")
        ok.setText("Save rule")
        form = QFormLayout()
        form.addRow("Word or phrase", self.word)
        form.addRow("Kind", self.kind)
        form.addRow("Say it as", self.replacement)
        form.addRow("", self.case_sensitive)
        form.addRow("", self.whole_words)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addLayout(previews)
        layout.addWidget(self.preview_status)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        if rule is not None:
            self._show(rule)
        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        self._on_kind_changed()
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.preview_without.clicked.connect(lambda: self._on_preview(False))
        self.preview_with.clicked.connect(lambda: self._on_preview(True))

    def _show(self, rule: Rule) -> None:
        kind = "alias" if isinstance(rule, AliasRule) else rule.alphabet
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        self.replacement.setText(rule.alias if isinstance(rule, AliasRule) else rule.phoneme)
        self.case_sensitive.setChecked(rule.case_sensitive)
        self.whole_words.setChecked(rule.word_boundaries)

    def _on_kind_changed(self, *_args: object) -> None:
        kind = self.kind.currentData()
        self.replacement.setPlaceholderText(_HINTS.get(kind, ""))
        self.note.setVisible(kind != "alias")

    def rule(self) -> Rule:
        """The rule as typed; RuleError if it is not a valid one."""
        word = self.word.text().strip()
        said = self.replacement.text().strip()
        flags = {"case_sensitive": self.case_sensitive.isChecked(),
                 "word_boundaries": self.whole_words.isChecked()}
        kind = self.kind.currentData()
        rule: Rule = (AliasRule(word, said, **flags) if kind == "alias"
                      else PhonemeRule(word, said, kind, **flags))
        return check_rule(rule)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def _on_preview(self, with_rule: bool) -> None:
        if self._preview is None:
            return
        try:
            rule = self.rule()
        except RuleError as exc:
            if with_rule or not self.word.text().strip():
                self.show_error(str(exc))
                return
            rule = None
        self.show_error("")
        self.preview_status.hide()
        self._preview(rule if with_rule else None, self.word.text().strip(), self.say_preview)

    def say_preview(self, text: str, problem: bool) -> None:
        """How a preview went, said here: the editor is modal, and the Pronunciation
        window behind it, where a failed preview was said, cannot be seen or read."""
        if not shiboken6.isValid(self):  # closed while the preview ran
            return
        self.show_error(text if problem else "")
        self.preview_status.setText("" if problem else text)
        self.preview_status.setVisible(not problem and bool(text))

    def accept(self) -> None:
        try:
            self.rule()
        except RuleError as exc:
            self.show_error(str(exc))
            return
        super().accept()
