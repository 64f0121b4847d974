"""The transcript viewer: paragraphs in a list view, words clickable, keys for playback.

Keys (when the transcript has focus): Space play/pause, Left/Right previous/next word,
J back 5 s, K pause, L forward 5 s, Enter correct the selected word.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QHelpEvent, QKeyEvent, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QListView, QToolTip, QWidget

from app.ui.transcripts.paragraph_delegate import ParagraphDelegate
from app.ui.transcripts.paragraph_model import ParagraphModel

SHUTTLE_MS = 5000
ANCHOR_S = 3.0


class TranscriptView(QListView):
    word_clicked = Signal(int)  # word index
    word_activated = Signal(int)  # double-click: correct this word
    play_pause_requested = Signal()
    pause_requested = Signal()
    step_requested = Signal(int)  # -1 previous word, +1 next word
    shuttle_requested = Signal(int)  # ms to move by (J/L)
    edit_requested = Signal()  # Enter/F2 on the selected word

    def __init__(self, model: ParagraphModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transcripts.words")
        self.setAccessibleName("Transcript")
        self.paragraphs = model
        self.setModel(model)
        self.delegate = ParagraphDelegate(model, self)
        self.setItemDelegate(self.delegate)
        self.setUniformItemSizes(False)
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(60)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.verticalScrollBar().setSingleStep(24)
        # The word last brought into view, kept there when rows get their exact heights.
        self._anchor: tuple[int, float] | None = None
        self.delegate.layouts.heights_changed.connect(self._on_layouts_heights_changed)
        # The server's text of a corrected word (set by the tab), for the tooltip.
        self.original_text_of: Callable[[int], str | None] = lambda _index: None

    # -- geometry --------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        if event.oldSize().isValid() and event.size().width() == event.oldSize().width():
            # Only the height changed (a status line or a banner above came or went):
            # every paragraph keeps its layout and its place. QListView would lay out all
            # the rows again (a Python size hint each, over 500 for 3 hours, ~5 times while
            # a long transcript was being read), so only the scroll bars are updated.
            QAbstractItemView.resizeEvent(self, event)
            return
        self.delegate.clear_cache()
        super().resizeEvent(event)

    def word_at(self, pos: QPointF) -> int | None:
        index = self.indexAt(pos.toPoint())
        if not index.isValid():
            return None
        return self.delegate.word_at(index.row(), self.visualRect(index), pos)

    def show_word(self, word_index: int, _attempt: int = 0) -> None:
        """Scroll (only as far as needed) so the word is in view."""
        if _attempt and (self._anchor is None or self._anchor[0] != word_index):
            return  # another word was asked for since: this retry is stale
        self._anchor = (word_index, time.monotonic())
        row = self.paragraphs.row_of_word(word_index)
        if row is None:
            return
        index = self.paragraphs.index(row)
        rect = self.visualRect(index)
        laid_out = rect.isValid() and rect.height() > 0
        box = self.delegate.word_rect(row, rect, word_index) if laid_out else None
        viewport = self.viewport().rect()
        if box is None:
            self.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
            # Rows are laid out in batches after a new transcript: try again shortly. A
            # laid-out row without the word (retyped away since) is as near as it gets.
            if not laid_out and _attempt < 40:
                QTimer.singleShot(25, self, lambda: self.show_word(word_index, _attempt + 1))
            return
        margin = min(60.0, viewport.height() / 4)
        bar = self.verticalScrollBar()
        if box.top() < margin:
            bar.setValue(bar.value() + int(box.top() - margin))
        elif box.bottom() > viewport.height() - margin:
            bar.setValue(bar.value() + int(box.bottom() - viewport.height() + margin))

    def _on_layouts_heights_changed(self) -> None:
        anchor = self._anchor
        if anchor is not None and time.monotonic() - anchor[1] < ANCHOR_S:
            # Rows above may have changed height: once the view has re-laid them out,
            # bring the word back into view.
            QTimer.singleShot(60, self, lambda: self.show_word(anchor[0]))

    # -- input -----------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            word = self.word_at(event.position())
            if word is not None:
                self.setFocus(Qt.FocusReason.MouseFocusReason)
                self.word_clicked.emit(word)
                event.accept()
                return
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        word = self.word_at(event.position())
        if word is not None:
            self.word_activated.emit(word)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        plain = not (event.modifiers() & (Qt.KeyboardModifier.ControlModifier
                                          | Qt.KeyboardModifier.AltModifier
                                          | Qt.KeyboardModifier.MetaModifier))
        actions = {
            Qt.Key.Key_Space: self.play_pause_requested.emit,
            Qt.Key.Key_K: self.pause_requested.emit,
            Qt.Key.Key_Left: lambda: self.step_requested.emit(-1),
            Qt.Key.Key_Right: lambda: self.step_requested.emit(1),
            Qt.Key.Key_J: lambda: self.shuttle_requested.emit(-SHUTTLE_MS),
            Qt.Key.Key_L: lambda: self.shuttle_requested.emit(SHUTTLE_MS),
            Qt.Key.Key_Return: self.edit_requested.emit,
            Qt.Key.Key_Enter: self.edit_requested.emit,
            Qt.Key.Key_F2: self.edit_requested.emit,
        }
        action = actions.get(Qt.Key(key)) if plain else None
        if action is not None:
            action()
            event.accept()
            return
        super().keyPressEvent(event)

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self._tooltip_for(QPointF(event.pos()))
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def _tooltip_for(self, pos: QPointF) -> str:
        word_index = self.word_at(pos)
        transcript = self.paragraphs.transcript
        if word_index is None or transcript is None:
            return ""
        word = transcript.words[word_index]
        lines = [f"{word.start_ms / 1000:.2f}–{word.end_ms / 1000:.2f} s"]
        if word.confidence is not None:
            lines.append(f"Confidence {word.confidence:.0%}")
        original = self.original_text_of(word_index)
        if original:
            lines.append(f"Corrected; the transcript said “{original}”")
        lines.append("Click to play from here, double-click to correct")
        return "\n".join(lines)
