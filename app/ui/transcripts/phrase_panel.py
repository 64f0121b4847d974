"""Fix phrases and turns around the selected word (the edits are in
app/domain/phrase_edit.py; each is one undoable step, saved and exported like a word
correction): retype a run of words, give the paragraph to another or a new speaker,
split the paragraph before the word or join it back, nudge the word's start and end."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QToolButton,
    QWidget,
)

from app.domain import phrase_edit
from app.domain.transcript_edit import TranscriptEdits
from app.ui.transcripts.paragraph_model import ParagraphModel
from app.ui.transcripts.transcript_document import TranscriptDocument

NEW_SPEAKER = "__new__"


def _named(widget: QWidget, name: str, accessible: str) -> QWidget:
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    return widget


class PhrasePanel(QGroupBox):
    def __init__(self, document: TranscriptDocument, model: ParagraphModel,
                 report: Callable[[str], None], parent: QWidget | None = None) -> None:
        super().__init__("Phrase and turn", parent)
        self.setObjectName("transcripts.phrase_box")
        self._document = document
        self._model = model
        self._report = report
        grid = QGridLayout(self)
        self.count = QSpinBox(self)
        self.count.setRange(1, 50)
        self.count.setValue(3)
        self.count.setSuffix(" words")
        _named(self.count, "transcripts.phrase_count", "How many words to retype, from the "
               "selected one")
        self.text = QLineEdit(self)
        self.text.setPlaceholderText("New words")
        _named(self.text, "transcripts.phrase_text", "The new words")
        self.retype_button = QPushButton("Retype", self)
        _named(self.retype_button, "transcripts.phrase_retype", "Retype the words")
        grid.addWidget(self.count, 0, 0)
        grid.addWidget(self.text, 0, 1)
        grid.addWidget(self.retype_button, 0, 2)
        self.speaker = QComboBox(self)
        _named(self.speaker, "transcripts.turn_speaker", "Speaker to give the paragraph to")
        self.give_button = QPushButton("Give paragraph", self)
        _named(self.give_button, "transcripts.turn_give",
               "Give the selected word's paragraph to this speaker")
        grid.addWidget(QLabel("To", self), 1, 0)
        grid.addWidget(self.speaker, 1, 1)
        grid.addWidget(self.give_button, 1, 2)
        self.split_button = QPushButton("Split here", self)
        _named(self.split_button, "transcripts.paragraph_split",
               "Start a new paragraph at the selected word")
        self.join_button = QPushButton("Join back", self)
        _named(self.join_button, "transcripts.paragraph_join",
               "Join the paragraph split at the selected word")
        nudges = QHBoxLayout()
        self.nudge_buttons: list[QToolButton] = []
        for name, label, accessible, start, end in (
                ("start_earlier", "◀[", "Start earlier", -1, 0),
                ("start_later", "[▶", "Start later", 1, 0),
                ("end_earlier", "◀]", "End earlier", 0, -1),
                ("end_later", "]▶", "End later", 0, 1)):
            button = QToolButton(self)
            button.setText(label)
            button.setToolTip(f"{accessible} by {phrase_edit.NUDGE_MS} ms")
            _named(button, f"transcripts.nudge_{name}", f"{accessible} by "
                   f"{phrase_edit.NUDGE_MS} ms")
            button.clicked.connect(lambda _=False, s=start, e=end: self.nudge(s, e))
            nudges.addWidget(button)
            self.nudge_buttons.append(button)
        # The nudges get a row of their own: beside the buttons they made the left column
        # too wide for a 1024 px screen.
        nudges.addStretch(1)
        grid.addWidget(self.split_button, 2, 0)
        grid.addWidget(self.join_button, 2, 1)
        grid.addLayout(nudges, 3, 0, 1, 3)
        self.retype_button.clicked.connect(self.retype)
        self.text.returnPressed.connect(self.retype)
        self.give_button.clicked.connect(self.give_paragraph)
        self.split_button.clicked.connect(self.split)
        self.join_button.clicked.connect(self.join)
        document.changed.connect(self.refresh)
        document.replaced.connect(self.refresh)
        self.refresh()

    # -- state -----------------------------------------------------------------------
    def refresh(self) -> None:
        edited = self._document.edited
        current = self.speaker.currentData()
        self.speaker.blockSignals(True)
        self.speaker.clear()
        if edited is not None:
            for sid, speaker in edited.speakers.items():
                self.speaker.addItem(speaker.name, sid)
        self.speaker.addItem("New speaker", NEW_SPEAKER)
        found = self.speaker.findData(current)
        self.speaker.setCurrentIndex(max(0, found))
        self.speaker.blockSignals(False)
        self.setEnabled(edited is not None)

    def _selected(self) -> int | None:
        index = self._model.selected_word
        edited = self._document.edited
        if index is None or edited is None or not 0 <= index < len(edited.words):
            self._report("Click a word in the transcript first.")
            return None
        return index

    def _apply(self, make: Callable[[], TranscriptEdits], what: str) -> bool:
        try:
            after = make()
        except ValueError as exc:
            self._report(str(exc))
            return False
        return self._document.apply_edit(after, what)

    # -- actions ---------------------------------------------------------------------
    def retype(self) -> bool:
        index = self._selected()
        original = self._document.original
        if index is None or original is None:
            return False
        slots: list[int] = []
        last = index
        while last < len(original.words) and len(slots) < self.count.value():
            if original.words[last].kind == "word":
                slots.append(last)
            last += 1
        text = self.text.text()
        done = self._apply(lambda: phrase_edit.retype(
            self._document.edits, original, index, slots[-1] if slots else index, text),
            f"Retype {len(slots)} words as “{text.strip()}”")
        if done:
            self.text.clear()
        return done

    def _paragraph_items(self, index: int) -> list[int]:
        row = self._model.row_of_word(index)
        if row is None:
            return [index]
        words = self._model.rows[row].words
        return list(range(words[0], words[-1] + 1))

    def give_paragraph(self) -> bool:
        index = self._selected()
        original = self._document.original
        if index is None or original is None:
            return False
        speaker = self.speaker.currentData()
        edits = self._document.edits
        if speaker == NEW_SPEAKER:
            speaker = phrase_edit.new_speaker_id(original, edits)
        items = self._paragraph_items(index)
        name = self._document.speaker_name(str(speaker))
        return self._apply(lambda: phrase_edit.give_to_speaker(edits, items, str(speaker)),
                           f"Give the paragraph to {name}")

    def split(self) -> bool:
        index = self._selected()
        original = self._document.original
        if index is None or original is None:
            return False
        return self._apply(lambda: phrase_edit.split_before(
            self._document.edits, original, index), "Split the paragraph")

    def join(self) -> bool:
        index = self._selected()
        original = self._document.original
        if index is None or original is None:
            return False
        return self._apply(lambda: phrase_edit.join_before(
            self._document.edits, original, index), "Join the paragraphs")

    def nudge(self, start: int, end: int) -> bool:
        index = self._selected()
        original = self._document.original
        if index is None or original is None:
            return False
        step = phrase_edit.NUDGE_MS
        return self._apply(lambda: phrase_edit.nudge(
            self._document.edits, original, index, start_ms=start * step, end_ms=end * step),
            "Nudge the word's times")


__all__ = ["PhrasePanel"]
