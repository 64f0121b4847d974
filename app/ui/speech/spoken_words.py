"""The Speech tab's spoken-word highlight: while the generated audio plays, the word
being heard is marked in the text box.

The controller sends the words' timings as the with-timestamps answers arrive
(`SpeechController.words_timed`); the player bar's position ticks (16 ms) are looked up
by bisection (`app.domain.word_timing.SpokenText`) and the word is marked with the same
read-only mark as the Scripts tab (`app.ui.widgets.word_highlight`). The following ends
when another clip is loaded into the player (another tab, History, a preview), or when
the text is edited, since the timings describe the text that was spoken.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QPlainTextEdit

from app.audio.player import PlayerState
from app.domain.word_timing import SpansBuilder, SpokenText, WordSpan, WordTime
from app.ui.widgets.player_bar import PlayerBar
from app.ui.widgets.word_highlight import mark_spoken_word, spoken_word


class SpokenWordFollower(QObject):
    word_changed = Signal(int)  # index of the word now marked (-1: none)

    def __init__(self, editor: QPlainTextEdit, player_bar: PlayerBar,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._editor = editor
        self._player = player_bar.player
        self._builder: SpansBuilder | None = None
        self._spoken: SpokenText | None = None
        self._token: int | None = None
        self._index: int | None = None
        player_bar.position_changed.connect(self._on_bar_position_changed)
        editor.textChanged.connect(self._on_editor_text_changed)

    @property
    def following(self) -> bool:
        return self._spoken is not None

    @property
    def word_count(self) -> int:
        return len(self._spoken.spans) if self._spoken is not None else 0

    def spans(self) -> tuple[WordSpan, ...]:
        return self._spoken.spans if self._spoken is not None else ()

    def marked_word(self) -> str:
        return spoken_word(self._editor)

    def set_words(self, text: str, words: Sequence[WordTime]) -> None:
        """The timings so far of `text` (the words before unchanged), for the clip now in
        the player."""
        if self._editor.toPlainText() != text:
            self.forget()
            return
        if self._builder is None or self._builder.text != text or self._spoken is None:
            self._builder = SpansBuilder(text)
        self._spoken = SpokenText(text, self._builder.update(words))
        self._token = self._player.clip_token

    def forget(self) -> None:
        self._builder = self._spoken = self._token = None
        self._mark(None)

    def _mark(self, index: int | None) -> None:
        if index == self._index:
            return
        self._index = index
        spoken = self._spoken
        if index is None or spoken is None:
            mark_spoken_word(self._editor, None, None)
        else:
            span = spoken.spans[index]
            mark_spoken_word(self._editor, span.first, span.end)
        self.word_changed.emit(-1 if index is None else index)

    def _on_bar_position_changed(self, ms: int) -> None:
        spoken = self._spoken
        if spoken is None:
            return
        if self._player.clip_token != self._token:
            self.forget()  # something else was loaded into the player
            return
        if self._player.state in (PlayerState.STOPPED, PlayerState.FINISHED):
            self._mark(None)
            return
        index = spoken.index_at(ms)
        if index is not None:  # between words: the last one stays marked
            self._mark(index)

    def _on_editor_text_changed(self) -> None:
        if self._spoken is not None and self._editor.toPlainText() != self._spoken.text:
            self.forget()


__all__ = ["SpokenWordFollower"]
