"""Find in the transcript: every match highlighted, "3 of 12", Enter/▶ for the next one
(which also moves the audio there), Shift+Enter/◀ for the previous one."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut

from app.domain.transcript import Transcript
from app.domain.transcript_lookup import search
from app.ui.transcripts.paragraph_model import ParagraphModel
from app.ui.transcripts.viewer_panel import ViewerPanel

SEARCH_DELAY_MS = 200


class TranscriptSearch(QObject):
    match_chosen = Signal(int)  # word index of the match moved to (next/previous)

    def __init__(self, viewer: ViewerPanel, model: ParagraphModel,
                 transcript: Callable[[], Transcript | None], parent: QObject | None = None
                 ) -> None:
        super().__init__(parent)
        self._viewer = viewer
        self._model = model
        self._transcript = transcript
        self.matches: list[int] = []
        self.current = -1
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.run)
        viewer.search.textChanged.connect(self._timer.start)
        viewer.search.returnPressed.connect(lambda: self.step(1))
        viewer.search_next.clicked.connect(lambda: self.step(1))
        viewer.search_prev.clicked.connect(lambda: self.step(-1))
        back = QShortcut(QKeySequence("Shift+Return"), viewer.search)
        back.setContext(Qt.ShortcutContext.WidgetShortcut)
        back.activated.connect(lambda: self.step(-1))

    def reset(self) -> None:
        self.matches, self.current = [], -1
        self._show()

    def run(self, jump: bool = True) -> None:
        """Search again (after typing, or when the transcript changed)."""
        self._timer.stop()
        transcript = self._transcript()
        query = self._viewer.search.text()
        self.matches = search(transcript, query) if transcript and query.strip() else []
        self.current = 0 if self.matches else -1
        if jump and self.matches:
            self._viewer.view.show_word(self.matches[0])
        self._show()

    def refresh(self) -> None:
        if self._viewer.search.text().strip():
            self.run(jump=False)

    def _show(self) -> None:
        word = self.matches[self.current] if self.current >= 0 else None
        self._model.set_matches(frozenset(self.matches), word)
        if not self._viewer.search.text().strip():
            self._viewer.set_match_text("")
        elif not self.matches:
            self._viewer.set_match_text("No matches")
        else:
            self._viewer.set_match_text(f"{self.current + 1} of {len(self.matches)}")

    def step(self, step: int) -> None:
        if self._timer.isActive():  # Enter right after typing: go to the first match
            self.run(jump=False)
            step = 0
        if not self.matches:
            return
        self.current = (self.current + step) % len(self.matches)
        self._show()
        word = self.matches[self.current]
        self._viewer.view.show_word(word)
        self.match_chosen.emit(word)
