"""The right-hand side of the Transcripts tab: what the transcript is (language, draft
note), how to show it (channels, confidence), search, the edit/export/delete buttons,
and the transcript itself."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpacerItem,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.offline_quality import offline_note
from app.domain.transcript import Transcript
from app.ui.icons import icon
from app.ui.transcripts.options_panel import language_name
from app.ui.transcripts.paragraph_model import ALL_CHANNELS, SIDE_BY_SIDE, ParagraphModel
from app.ui.transcripts.transcript_document import OFFLINE_DRAFT_NOTE
from app.ui.transcripts.transcript_view import TranscriptView
from app.ui.widgets.note_style import show_as_note

EMPTY_HINT = ("No transcript open. Fetch one by its id, choose a recording to transcribe, "
              "open a transcript file or drop one here.")


class ViewerPanel(QWidget):
    def __init__(self, model: ParagraphModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(EMPTY_HINT, self)
        self.title.setObjectName("transcripts.title")
        self.title.setWordWrap(True)
        self.draft_note = QLabel(self)
        self.draft_note.setObjectName("transcripts.draft_note")
        show_as_note(self.draft_note)  # (in the palette's colours, light or dark)
        self.draft_note.hide()
        self.language_label = QLabel(self)
        self.language_label.setObjectName("transcripts.language_label")
        self.channel_view = QComboBox(self)
        self.channel_view.setObjectName("transcripts.channel_view")
        self.channel_view.setToolTip("Show all channels merged in time order, side by "
                                     "side in columns, or one channel")
        self.channel_view.hide()
        self.confidence = QSpinBox(self)
        self.confidence.setObjectName("transcripts.confidence")
        self.confidence.setRange(0, 100)
        self.confidence.setValue(50)
        self.confidence.setSuffix(" %")
        self.confidence.setToolTip("Words the service was less sure of than this are "
                                   "underlined in orange: check them first")
        self.search = QLineEdit(self)
        self.search.setObjectName("transcripts.search")
        self.search.setPlaceholderText("Find in transcript")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.match_count = QLabel(self)
        self.match_count.setObjectName("transcripts.match_count")
        self.match_count.setMinimumWidth(70)
        # Shown only with something to say: on a small laptop the find row shares its
        # width with Undo, Redo and the flagging level, and the search box needs it.
        self.match_count.hide()
        self.search_prev = QToolButton(self)
        self.search_prev.setObjectName("transcripts.search_prev")
        self.search_prev.setText("◀")
        self.search_prev.setToolTip("Previous match (Shift+Enter)")
        self.search_next = QToolButton(self)
        self.search_next.setObjectName("transcripts.search_next")
        self.search_next.setText("▶")
        self.search_next.setToolTip("Next match (Enter)")
        self.undo = QPushButton("Undo", self)
        self.undo.setObjectName("transcripts.undo")
        self.redo = QPushButton("Redo", self)
        self.redo.setObjectName("transcripts.redo")
        self.link_audio = QPushButton(icon("play"), "Link audio…", self)
        self.link_audio.setObjectName("transcripts.link_audio")
        self.link_audio.setToolTip("Choose the recording this transcript belongs to, to play "
                                   "along")
        self.export = QPushButton(icon("export"), "Export…", self)
        self.export.setObjectName("transcripts.export")
        self.delete = QPushButton(icon("delete"), "Delete from server…", self)
        self.delete.setObjectName("transcripts.delete")
        self.delete.setToolTip("Delete this transcript from the server (your copy on this "
                               "computer stays)")
        self.view = TranscriptView(model, self)

        info = QHBoxLayout()
        info.addWidget(self.title, 1)
        info.addWidget(self.draft_note)
        info.addWidget(self.language_label)
        find = QHBoxLayout()
        find.addWidget(self.search, 1)
        find.addWidget(self.match_count)
        find.addWidget(self.search_prev)
        find.addWidget(self.search_next)
        find.addWidget(self.channel_view)
        # Undo, Redo and the flagging level get a row of their own: with the find row or
        # the file buttons they made the window wider than a laptop screen.
        # When the tab's columns are stacked (a small laptop) this column has the tab's
        # whole width, and the row joins the find row: the screen is short as well.
        edits = QHBoxLayout()
        edits.addWidget(self.undo)
        edits.addWidget(self.redo)
        self._edits_gap = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding)
        edits.addItem(self._edits_gap)
        flag_label = QLabel("Flag below", self)
        flag_label.setBuddy(self.confidence)
        edits.addWidget(flag_label)
        edits.addWidget(self.confidence)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.link_audio)
        actions.addWidget(self.export)
        actions.addWidget(self.delete)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(info)
        layout.addLayout(find)
        layout.addLayout(edits)
        self._find, self._edits, self._layout = find, edits, layout
        self.edits_beside_find = False
        layout.addWidget(self.view, 1)
        layout.addLayout(actions)
        self.set_open(False)

    def set_edits_beside_find(self, beside: bool) -> None:
        """Undo, Redo and the flagging level on the find row (one row) or below it."""
        if beside == self.edits_beside_find:
            return
        self.edits_beside_find = beside
        if beside:
            self._layout.removeItem(self._edits)
            self._find.addLayout(self._edits)
            self._edits_gap.changeSize(6, 0, QSizePolicy.Policy.Fixed)
        else:
            self._find.removeItem(self._edits)
            self._layout.insertLayout(2, self._edits)
            self._edits_gap.changeSize(0, 0, QSizePolicy.Policy.Expanding)
        self._edits.invalidate()

    def set_open(self, is_open: bool) -> None:
        for widget in (self.search, self.search_prev, self.search_next, self.confidence,
                       self.export, self.link_audio, self.channel_view):
            widget.setEnabled(is_open)
        if not is_open:
            self.delete.setEnabled(False)
            self.title.setText(EMPTY_HINT)
            self.language_label.clear()
            self.draft_note.hide()
            self.set_match_text("")

    def show_transcript(self, transcript: Transcript, title: str, offline_draft: bool) -> None:
        self.set_open(True)
        self.set_channels(transcript.channels)
        self.title.setText(f"<b>{html.escape(title or 'Transcript')}</b>")
        note = offline_note(transcript.source_json) if offline_draft else None
        self.draft_note.setText(note[0] if note else OFFLINE_DRAFT_NOTE)
        self.draft_note.setToolTip(note[1] if note else "")
        self.draft_note.setVisible(note is not None)
        code = transcript.language_code
        probability = transcript.language_probability
        sure = f" ({probability:.0%} sure)" if probability is not None else ""
        self.language_label.setText(f"Language: {language_name(code) if code else 'unknown'}"
                                    f"{sure}")
        self.delete.setEnabled(bool(transcript.transcription_id))

    def bind_undo_stack(self, stack: QUndoStack) -> None:
        stack.canUndoChanged.connect(self.undo.setEnabled)
        stack.canRedoChanged.connect(self.redo.setEnabled)
        stack.undoTextChanged.connect(lambda text: self.undo.setToolTip(f"Undo: {text}"))
        stack.redoTextChanged.connect(lambda text: self.redo.setToolTip(f"Redo: {text}"))
        self.undo.clicked.connect(stack.undo)
        self.redo.clicked.connect(stack.redo)
        self.undo.setEnabled(stack.canUndo())
        self.redo.setEnabled(stack.canRedo())

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def set_channels(self, channels: int) -> None:
        self.channel_view.blockSignals(True)
        self.channel_view.clear()
        self.channel_view.addItem("All channels, by time", ALL_CHANNELS)
        self.channel_view.addItem("Channels side by side", SIDE_BY_SIDE)
        for n in range(channels):
            self.channel_view.addItem(f"Channel {n + 1} only", n)
        self.channel_view.blockSignals(False)
        self.channel_view.setVisible(channels > 1)

    def set_match_text(self, text: str) -> None:
        self.match_count.setText(text)
        self.match_count.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.match_count.setVisible(bool(text))
