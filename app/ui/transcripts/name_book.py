"""Speaker names carried over between the transcripts of one show (one folder of
recordings; app/library/speaker_names.py keeps them): offered as completions when
renaming, and “Use saved names” names a new transcript's speakers in one undoable step
(in the order they first speak). Names given here are remembered for the folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QStringListModel, Qt
from PySide6.QtWidgets import QCompleter, QPushButton

from app.library.speaker_names import SpeakerNameBook, show_key
from app.ui.qt_async import TaskRunner
from app.ui.transcripts.speakers_panel import SpeakersPanel
from app.ui.transcripts.transcript_document import TranscriptDocument

LOAD_TASK = "transcripts.names.load"
SAVE_TASK = "transcripts.names.save"


class SpeakerNameList(QObject):
    def __init__(self, book_path: Path, document: TranscriptDocument, panel: SpeakersPanel,
                 runner: TaskRunner, report: Callable[[str], None]) -> None:
        super().__init__(panel)
        self.book = SpeakerNameBook(book_path)
        self._document = document
        self._runner = runner
        self._report = report
        self.saved: list[str] = []
        self._show: str | None = None
        self._remembered: tuple[str, ...] = ()
        self.model = QStringListModel(self)
        self.completer = QCompleter(self.model, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        panel.name.setCompleter(self.completer)
        self.apply_button = QPushButton("Use saved names", panel)
        self.apply_button.setObjectName("transcripts.apply_saved_names")
        self.apply_button.setAccessibleName("Name the speakers with the names saved for "
                                            "this folder")
        self.apply_button.setEnabled(False)
        layout = panel.layout()
        assert layout is not None
        layout.addWidget(self.apply_button)
        self.apply_button.clicked.connect(self.apply_saved)
        document.replaced.connect(self._on_document_replaced)
        document.changed.connect(self._on_document_changed)

    def _custom_names(self) -> list[str]:
        edited = self._document.edited
        if edited is None:
            return []
        named = self._document.edits.speaker_names
        return [speaker.name for sid, speaker in edited.speakers.items() if sid in named]

    def _show_names(self, names: list[str]) -> None:
        self.saved = names
        self.model.setStringList(names)
        self.apply_button.setEnabled(bool(names) and self._document.is_open)
        self.apply_button.setToolTip(", ".join(names[:8]) if names else
                                     "Names you give speakers are kept for this folder")

    def _on_document_replaced(self) -> None:
        source = self._document.source
        self._show = show_key(source.audio_path) if self._document.is_open else None
        self._remembered = tuple(self._custom_names())
        show = self._show

        async def load() -> None:
            import asyncio

            names = await asyncio.to_thread(self.book.names, show)
            if show == self._show:
                self._show_names(names)

        self._show_names([])
        if show is not None:
            self._runner.restart(LOAD_TASK, load)

    def _on_document_changed(self) -> None:
        names = tuple(self._custom_names())
        if not names or names == self._remembered or self._show is None:
            return
        self._remembered = names
        show = self._show

        async def save() -> None:
            import asyncio

            merged = await asyncio.to_thread(self.book.remember, show, list(names))
            if show == self._show:
                self._show_names(merged)

        self._runner.restart(SAVE_TASK, save)

    def apply_saved(self) -> bool:
        edited = self._document.edited
        if edited is None or not self.saved:
            return False
        after = self._document.edits
        for speaker_id, name in zip(edited.speakers, self.saved, strict=False):
            after = after.with_speaker_name(speaker_id, name)
        done = self._document.apply_edit(after, "Use the saved speaker names")
        if not done:
            self._report("The speakers already have the saved names.")
        return done


__all__ = ["SpeakerNameList"]
