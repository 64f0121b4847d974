""""From a link…": transcribe a recording the service fetches from the web (a hosted audio
or video file, or a video page the service supports), queued like a file.

The request carries the address as `source_url`, the spec's field for it
(`cloud_storage_url` is deprecated there). Only ElevenLabs can fetch links: without a
key the dialog says so instead of sending anything to the offline engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.ui.accessible_names import name_controls
from app.ui.keyboard import enter_pays_only_when_aimed

NEEDS_KEY = ("Transcribing from a link needs an ElevenLabs API key: ElevenLabs fetches the "
             "recording from the web. Add your key in Settings (Ctrl+,), or download the "
             "recording and add the file; files are transcribed offline without a key.")
HOW = ("Paste the web address of an audio or video file (https://…), or of a video page "
       "ElevenLabs can read (YouTube, TikTok…). It is transcribed with the settings shown.")
_URL = re.compile(r"https?://[^\s/]+\.[^\s/]+(/\S*)?")


def link_problem(text: str) -> str:
    """What is wrong with `text` as a link, in words ("" when it can be sent)."""
    text = text.strip()
    if not text:
        return "Paste a web address."
    if not text.lower().startswith(("http://", "https://")):
        return "A web address starts with https:// (or http://)."
    if not _URL.fullmatch(text):
        return "This does not look like a complete web address."
    return ""


class LinkDialog(QDialog):
    def __init__(self, has_key: bool, on_chosen: Callable[[str], object],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transcripts.url_dialog")
        self.setWindowTitle("Transcribe from a link")
        self.note = QLabel(HOW if has_key else NEEDS_KEY, self)
        self.note.setObjectName("transcripts.url_note")
        self.note.setWordWrap(True)
        self.url = QLineEdit(self)
        self.url.setObjectName("transcripts.url_input")
        self.url.setPlaceholderText("https://example.com/interview.mp3")
        self.url.setEnabled(has_key)
        self.problem = QLabel("", self)
        self.problem.setObjectName("transcripts.url_problem")
        self.problem.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        # Transcribing is paid: Enter in the address field (pressed after pasting, out of
        # habit) transcribed at once. Now only this button does, aimed at with Tab and
        # pressed with Space or Enter, or Ctrl+Enter from the field, as its label says.
        self.transcribe = buttons.addButton("Transcribe (Ctrl+Enter)",
                                            QDialogButtonBox.ButtonRole.AcceptRole)
        self.transcribe.setObjectName("transcripts.url_transcribe")
        self.transcribe.setAccessibleName("Transcribe the recording at this address")
        self.transcribe.setEnabled(False)
        enter_pays_only_when_aimed(self, self.transcribe)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.transcribe.click)
        self._has_key = has_key
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.url.textChanged.connect(self._on_url_text_changed)
        layout = QVBoxLayout(self)
        for widget in (self.note, self.url, self.problem, buttons):
            layout.addWidget(widget)
        self.accepted.connect(lambda: on_chosen(self.url.text().strip()))
        self.finished.connect(self.deleteLater)
        # Made after the tab was named: the address field had no spoken name at all.
        name_controls(self)
        self.resize(460, self.sizeHint().height())

    def _on_url_text_changed(self, text: str) -> None:
        problem = link_problem(text) if text.strip() else ""
        self.problem.setText(problem)
        self.transcribe.setEnabled(self._has_key and bool(text.strip()) and not problem)
