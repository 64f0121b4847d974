"""The selected word: when it is said, how sure the service was, and a box to correct it
(the server's text is kept and can be restored)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.transcript import Word


class WordPanel(QGroupBox):
    correct_requested = Signal(int, str)  # word index, new text

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Selected word", parent)
        self.setObjectName("transcripts.word_box")
        self.index: int | None = None
        self._original: str | None = None
        self.info = QLabel("Click a word in the transcript to play from there and to "
                           "correct it.", self)
        self.info.setObjectName("transcripts.word_info")
        self.info.setWordWrap(True)
        self.text = QLineEdit(self)
        self.text.setObjectName("transcripts.word_text")
        self.text.setPlaceholderText("Correct spelling")
        self.correct = QPushButton("Correct", self)
        self.correct.setObjectName("transcripts.correct")
        self.restore = QPushButton("Restore original", self)
        self.restore.setObjectName("transcripts.restore_word")
        row = QHBoxLayout()
        row.addWidget(self.text, 1)
        row.addWidget(self.correct)
        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addLayout(row)
        layout.addWidget(self.restore)
        self.correct.clicked.connect(self._on_correct_clicked)
        self.text.returnPressed.connect(self._on_correct_clicked)
        self.restore.clicked.connect(self._on_restore_clicked)
        self.show_word(None, None, "")

    def show_word(self, word: Word | None, original: str | None, speaker: str) -> None:
        self.index = word.index if word is not None else None
        self._original = original
        has = word is not None
        for widget in (self.text, self.correct):
            widget.setEnabled(has)
        self.restore.setEnabled(original is not None)
        if word is None:
            self.text.clear()
            return
        parts = [f"<b>{word.text.strip()}</b>"]
        if speaker:
            parts.append(f"said by {speaker}")
        parts.append(f"at {word.start_ms / 1000:.2f} s")
        if word.confidence is not None:
            parts.append(f"· confidence {word.confidence:.0%}")
        if original is not None:
            parts.append(f"<br>Corrected; the transcript said “{original}”")
        if word.kind == "audio_event":
            parts.append("<br>(a sound, not a spoken word)")
        self.info.setText(" ".join(parts))
        self.text.setText(word.text)

    def focus_editor(self) -> None:
        if self.text.isEnabled():
            self.text.setFocus()
            self.text.selectAll()

    def _on_correct_clicked(self) -> None:
        new = self.text.text()
        if self.index is not None and new.strip():
            self.correct_requested.emit(self.index, new.strip())

    def _on_restore_clicked(self) -> None:
        if self.index is not None and self._original is not None:
            self.correct_requested.emit(self.index, self._original)
