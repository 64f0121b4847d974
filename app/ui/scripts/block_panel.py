"""The selected block up close: its text (edit, split at the cursor), its actions, and
its takes (play, compare A/B, choose).

The panel shows one block of the script and emits what the user asks for; the tab turns
each request into an undoable edit or a generation. Typed text is handed over after a
short pause, on leaving the editor, and before any other action (`commit_text`).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal, SignalInstance
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.domain.script import Block, Take
from app.ui.icons import icon
from app.ui.widgets.button_width import keep_to_its_text
from app.ui.widgets.elided_label import ElidedLabel
from app.ui.widgets.fit_width_delegate import FitWidthDelegate
from app.ui.widgets.word_highlight import mark_spoken_word, spoken_word

COMMIT_DELAY_MS = 700
TakeIdRole = Qt.ItemDataRole.UserRole + 1


class BlockTextEdit(QPlainTextEdit):
    """A plain text editor whose Undo/Redo keys undo the script's edits, not keystrokes
    (the script's history already holds every text change)."""

    undo_requested = Signal()
    redo_requested = Signal()
    focus_left = Signal()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) \
                and self._undo_key(event) is not None:
            event.accept()  # handle it here, before the window's shortcuts
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        which = self._undo_key(event)
        if which == "undo":
            self.undo_requested.emit()
        elif which == "redo":
            self.redo_requested.emit()
        else:
            super().keyPressEvent(event)

    @staticmethod
    def _undo_key(event: QKeyEvent) -> str | None:
        if event.matches(QKeySequence.StandardKey.Undo):
            return "undo"
        if event.matches(QKeySequence.StandardKey.Redo) or (
                event.key() == Qt.Key.Key_Z and event.modifiers()
                == (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)):
            return "redo"
        return None

    def focusOutEvent(self, event: object) -> None:
        super().focusOutEvent(event)  # type: ignore[arg-type]
        self.focus_left.emit()


def make_button(parent: QWidget, name: str, text: str, tip: str,
                icon_name: str | None = None) -> QPushButton:
    """A Scripts tab button: `scripts.<name>`, its words as its accessible name."""
    button = QPushButton(icon(icon_name), text, parent) if icon_name \
        else QPushButton(text, parent)
    button.setObjectName(f"scripts.{name}")
    button.setAccessibleName(text.replace("…", "").replace("&", "") or tip)
    button.setToolTip(tip)
    return button


def take_label(number: int, take: Take, chosen: bool) -> str:
    """'★ Take 2 (chosen) · 1.4 s · 28 credits · 05:55': which take and whether it is the
    one used come first, so a narrow list shortens the details, never "(chosen)"."""
    parts = [f"★ Take {number} (chosen)" if chosen else f"Take {number}"]
    if take.duration_ms is not None:
        parts.append(f"{take.duration_ms / 1000:.1f} s")
    if take.character_cost is not None:
        parts.append(f"{take.character_cost:,} credits")
    if take.created_at:
        parts.append(take.created_at[11:16] or take.created_at)
    return " · ".join(parts)


class BlockPanel(QWidget):
    text_committed = Signal(str, str)  # block id, text
    generate_requested = Signal(str)  # block id
    split_requested = Signal(str, int)  # block id, character position
    join_requested = Signal(str)
    move_requested = Signal(str, int)  # block id, -1 up / +1 down
    play_block_requested = Signal(str)
    play_take_requested = Signal(str, str)  # block id, take id
    compare_requested = Signal(str, str, str)  # block id, take A, take B
    choose_requested = Signal(str, str)  # block id, take id
    settings_requested = Signal(str)  # block id
    undo_requested = Signal()
    redo_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scripts.block_panel")
        self.block: Block | None = None
        self._number = 0
        self._is_last = False
        # Elided (whole in its tooltip): beside Voice settings it made the panel too wide
        # for a laptop screen at 150%.
        self.title = ElidedLabel("Select a block to see it here.", self)
        self.title.setObjectName("scripts.block_title")
        self.editor = BlockTextEdit(self)
        self.editor.setObjectName("scripts.block_text")
        self.editor.setAccessibleName("Text of the selected block")
        # Three lines at least (a block is a line or a few): the scroll area's own
        # least height was taller, and beside the takes it took the table's room.
        self.editor.setMinimumHeight(3 * self.editor.fontMetrics().lineSpacing()
                                     + 2 * self.editor.frameWidth()
                                     + 2 * round(self.editor.document().documentMargin()))
        self.editor.setPlaceholderText("The selected block's text. Edit it here or in the "
                                       "table; put the cursor where to split.")
        self.generate = make_button(self, "block_generate", "Generate",
                                "Make a take of this block (a new one if it has takes)",
                                "generate")
        self.split = make_button(self, "split", "Split at cursor",
                             "Cut the block in two where the text cursor is")
        self.join = make_button(self, "join", "Join with next",
                            "Join this block with the one after it")
        self.move_up = make_button(self, "move_up", "Up", "Move the block up (Alt+Up)")
        self.move_down = make_button(self, "move_down", "Down", "Move the block down (Alt+Down)")
        self.play_block = make_button(self, "play_block", "Play block",
                                  "Hear the chosen take of this block", "play")
        self.voice_settings = make_button(
            self, "block_settings", "Voice settings…",
            "Settings of this block's voice (its own, or its speaker's)", "settings")
        self.takes = QListWidget(self)
        self.takes.setObjectName("scripts.takes")
        self.takes.setAccessibleName("Takes of the selected block")
        self.takes.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        # Rows as wide as the list, never scrolling sideways; a long one ends in "…".
        self.takes.setItemDelegate(FitWidthDelegate(self.takes))
        self.takes.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.takes.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.take_play = make_button(self, "take_play", "Play", "Hear the selected take", "play")
        self.take_play.setAccessibleName("Play the selected take")
        self.take_compare = make_button(self, "take_compare", "Compare A/B",
                                    "Hear the chosen take (A), then the selected one (B); or "
                                    "two selected takes, the upper one first")
        self.take_choose = make_button(self, "take_choose", "Use take",
                                   "Use the selected take in the script and its export")

        actions = QGridLayout()
        for column, button in enumerate((self.generate, self.play_block, self.split)):
            actions.addWidget(button, 0, column)
        for column, button in enumerate((self.join, self.move_up, self.move_down)):
            actions.addWidget(button, 1, column)
        actions.addWidget(self.voice_settings, 2, 0, 1, 3)
        keep_to_its_text(self.voice_settings)  # (it spanned 1,200 px on a wide screen)
        text_side = QWidget(self)
        text_layout = QVBoxLayout(text_side)
        text_layout.setContentsMargins(0, 0, 0, 0)
        text_layout.addWidget(self.title)
        text_layout.addWidget(self.editor, 1)
        text_layout.addLayout(actions)
        takes_side = QWidget(self)
        takes_layout = QVBoxLayout(takes_side)
        takes_layout.setContentsMargins(0, 0, 0, 0)
        takes_label = QLabel("&Takes", takes_side)
        takes_label.setBuddy(self.takes)
        takes_layout.addWidget(takes_label)
        takes_layout.addWidget(self.takes, 1)
        take_actions = QHBoxLayout()
        for button in (self.take_play, self.take_compare, self.take_choose):
            take_actions.addWidget(button)
        takes_layout.addLayout(take_actions)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("scripts.splitter_block")
        self.splitter.addWidget(text_side)
        self.splitter.addWidget(takes_side)
        # Halves: the takes' rows ("★ Take 2 (chosen) · 1.4 s · …") need the room as much
        # as the text's three buttons a row.
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        self._commit_timer = QTimer(self)
        self._commit_timer.setSingleShot(True)
        self._commit_timer.setInterval(COMMIT_DELAY_MS)
        self._commit_timer.timeout.connect(self.commit_text)
        self.editor.textChanged.connect(self._on_editor_text_changed)
        self.editor.focus_left.connect(self.commit_text)
        self.editor.undo_requested.connect(self._on_editor_undo)
        self.editor.redo_requested.connect(self._on_editor_redo)
        self._showing = False
        self.generate.clicked.connect(lambda: self._emit_for_block(self.generate_requested))
        self.join.clicked.connect(lambda: self._emit_for_block(self.join_requested))
        self.play_block.clicked.connect(lambda: self._emit_for_block(self.play_block_requested))
        self.split.clicked.connect(self._on_split_clicked)
        self.voice_settings.clicked.connect(
            lambda: self._emit_for_block(self.settings_requested))
        self.move_up.clicked.connect(lambda: self._on_move(-1))
        self.move_down.clicked.connect(lambda: self._on_move(+1))
        self.take_play.clicked.connect(self._on_take_play_clicked)
        self.take_compare.clicked.connect(self._on_take_compare_clicked)
        self.take_choose.clicked.connect(self._on_take_choose_clicked)
        self.takes.itemDoubleClicked.connect(lambda _item: self._on_take_play_clicked())
        self.takes.itemSelectionChanged.connect(self._update_buttons)
        self.show_block(None, 0, False)

    # -- showing ---------------------------------------------------------------------
    def show_block(self, block: Block | None, number: int, is_last: bool) -> None:
        """Show `block` (number counted from 1); keeps the cursor when it is the same
        block with the same text (a take arrived, say)."""
        same = block is not None and self.block is not None \
            and block.block_id == self.block.block_id
        if same and block is self.block and number == self._number \
                and is_last == self._is_last:
            return  # unchanged (another block's take arrived): nothing to redo
        self.block = block
        self._number = number
        self._is_last = is_last
        if not same:
            self.editor.setExtraSelections([])  # a word lit in another block
        self._showing = True
        try:
            if block is None:
                self.title.setText("Select a block to see it here.")
                self.editor.setPlainText("")
            else:
                self.title.setText(f"Block {number} · {block.speaker}")
                if not same or (self.editor.toPlainText() != block.text
                                and not self._commit_timer.isActive()):
                    self.editor.setPlainText(block.text)
        finally:
            self._showing = False
        self._fill_takes(block)
        self._update_buttons()

    def _fill_takes(self, block: Block | None) -> None:
        selected = {i.data(TakeIdRole) for i in self.takes.selectedItems()}
        self.takes.clear()
        if block is None:
            return
        for number, take in enumerate(block.takes, start=1):
            label = take_label(number, take, take.take_id == block.chosen_take_id)
            item = QListWidgetItem(label)
            item.setData(TakeIdRole, take.take_id)
            item.setToolTip(f"{label}\n{take.text}")  # whole, when the row is shortened
            self.takes.addItem(item)
            if take.take_id in selected:
                item.setSelected(True)

    def _update_buttons(self) -> None:
        block = self.block
        has = block is not None
        self.editor.setEnabled(has)
        for button in (self.generate, self.split, self.move_up, self.move_down,
                       self.voice_settings):
            button.setEnabled(has)
        self.generate.setText("Regenerate" if block is not None and block.takes else "Generate")
        self.join.setEnabled(has and not self._is_last)
        self.play_block.setEnabled(block is not None and block.chosen_take is not None)
        selected = self.selected_take_ids()
        self.take_play.setEnabled(len(selected) >= 1)
        self.take_choose.setEnabled(len(selected) == 1)
        self.take_compare.setEnabled(block is not None and (
            len(selected) == 2 or (len(selected) == 1 and block.chosen_take_id is not None
                                   and selected[0] != block.chosen_take_id)))

    def selected_take_ids(self) -> list[str]:
        return [str(item.data(TakeIdRole)) for item in self.takes.selectedItems()]

    def select_take(self, take_id: str) -> None:
        for row in range(self.takes.count()):
            item = self.takes.item(row)
            item.setSelected(item.data(TakeIdRole) == take_id)

    # -- the spoken word -------------------------------------------------------------
    def highlight(self, start: int | None, end: int | None) -> None:
        """Mark characters start..end of the editor's text (None: no mark)."""
        mark_spoken_word(self.editor, start, end)

    def highlighted(self) -> str:
        return spoken_word(self.editor)

    # -- requests --------------------------------------------------------------------
    def commit_text(self) -> None:
        """Hand over typed text not handed over yet (before any other action)."""
        self._commit_timer.stop()
        block = self.block
        if block is not None and self.editor.toPlainText() != block.text:
            self.text_committed.emit(block.block_id, self.editor.toPlainText())

    def _on_editor_text_changed(self) -> None:
        if not self._showing:
            self._commit_timer.start()

    def _on_editor_undo(self) -> None:
        self.commit_text()
        self.undo_requested.emit()

    def _on_editor_redo(self) -> None:
        self.commit_text()
        self.redo_requested.emit()

    def _emit_for_block(self, signal: SignalInstance) -> None:
        self.commit_text()
        if self.block is not None:
            signal.emit(self.block.block_id)

    def _on_split_clicked(self) -> None:
        position = self.editor.textCursor().position()
        self.commit_text()
        if self.block is not None:
            self.split_requested.emit(self.block.block_id, position)

    def _on_move(self, step: int) -> None:
        self.commit_text()
        if self.block is not None:
            self.move_requested.emit(self.block.block_id, step)

    def _on_take_play_clicked(self) -> None:
        selected = self.selected_take_ids()
        if self.block is not None and selected:
            self.play_take_requested.emit(self.block.block_id, selected[0])

    def _on_take_compare_clicked(self) -> None:
        block, selected = self.block, self.selected_take_ids()
        if block is None:
            return
        if len(selected) == 2:
            # In list order, not the order they were clicked: A is the upper one, as the
            # tooltip says (and the status names both).
            rows = sorted(self.takes.selectedItems(), key=self.takes.row)
            self.compare_requested.emit(block.block_id, str(rows[0].data(TakeIdRole)),
                                        str(rows[1].data(TakeIdRole)))
        elif len(selected) == 1 and block.chosen_take_id:
            self.compare_requested.emit(block.block_id, block.chosen_take_id, selected[0])

    def _on_take_choose_clicked(self) -> None:
        selected = self.selected_take_ids()
        if self.block is not None and len(selected) == 1:
            self.choose_requested.emit(self.block.block_id, selected[0])

