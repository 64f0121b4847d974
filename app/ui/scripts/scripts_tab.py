"""The Scripts tab: a multi-voice script made block by block, with takes and a queue.

Layout (fits 1024x640 with the History dock open, every control in view): the title
with the script's model and format; a row of file actions; the cast (a voice for each
speaker) beside the blocks table; under the table, the selected block's text and takes;
at the bottom the queue (generate missing, pause, resume, cancel), its progress and the
cost estimate. Every edit is undoable (Ctrl+Z, Ctrl+Shift+Z) and autosaved.

The tab wires the parts: the document (script + undo), the table model, the cast panel,
the block panel, playback and generation (script_generation.py), file handling
(script_files_ui.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QProgressBar,
    QScrollArea,
    QSplitter,
    QStyle,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain import script_edit
from app.domain.wording import plural
from app.ui.app_context import AppContext
from app.ui.errors import UserMessage
from app.ui.qt_async import TaskRunner
from app.ui.scripts import cast_edits
from app.ui.scripts.block_panel import BlockPanel, make_button
from app.ui.scripts.blocks_model import (
    COST,
    DURATION,
    NUMBER,
    SPEAKER,
    STATUS,
    TAKE,
    TEXT,
    BlocksModel,
)
from app.ui.scripts.cast_panel import CastPanel, CastScrollArea
from app.ui.scripts.output_bar import ScriptOutputBar
from app.ui.scripts.script_document import ScriptDocument
from app.ui.scripts.script_export_ui import ScriptExportUi
from app.ui.scripts.script_files_ui import ScriptFilesUi
from app.ui.scripts.script_generation import ScriptGeneration
from app.ui.scripts.script_playback import ScriptPlayback
from app.ui.scripts.script_pronunciation import ScriptPronunciation
from app.ui.scripts.voice_settings_dialog import VoiceSettingsEditing
from app.ui.widgets.elided_label import ElidedLabel
from app.ui.widgets.error_banner import ErrorBanner
from app.ui.widgets.live_status_label import LiveStatusLabel
from app.ui.widgets.player_bar import PlayerBar
from app.ui.widgets.two_line_row import TwoLineRow, set_short_margins

if TYPE_CHECKING:
    from app.domain.wire import Voice
    from app.ui.scripts.take_compare import TakeComparison

log = logging.getLogger(__name__)

# The blocks table's narrow columns, in characters of their widest usual value: the Text
# column stretches over the rest. Measured in the font, so they hold at any font size.
COLUMN_SAMPLES = {NUMBER: "999", SPEAKER: "NARRATOR", STATUS: "generating",
                  TAKE: "12 of 12", DURATION: "10.5 s", COST: "1,234"}
TEXT_MINIMUM_CHARS = 12  # the Text column never gets narrower than this


class ScriptsTab(QWidget):
    generation_saved = Signal(object)  # (kept for the window's wiring; takes live here)

    def __init__(self, ctx: AppContext, runner: TaskRunner, player_bar: PlayerBar,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scripts.tab")
        self._ctx = ctx
        self._runner = runner
        self.document = ScriptDocument(self)
        self.model = BlocksModel(self)
        self.player_bar = player_bar
        self.playback = ScriptPlayback(runner, player_bar, self)
        self._comparison: TakeComparison | None = None  # A/B being played
        self._build()
        self.files = ScriptFilesUi(self, ctx, runner, self.document)
        self.generation = ScriptGeneration(self, ctx, runner, self.document, self.model)
        self.exporter = ScriptExportUi(self, ctx, runner, self.document)
        self.pronunciation = ScriptPronunciation(self, ctx, runner, self.document)
        self._top_row.insert(4, self.pronunciation.button)
        self._top_row.insert(5, self.pronunciation.label)
        # Made after the row's other buttons, it would come last on Tab: in its place.
        QWidget.setTabOrder(self.export_text_button, self.pronunciation.button)
        self._connect()
        self.files.restore_last()

    # -- layout ----------------------------------------------------------------------
    def _build(self) -> None:
        # Made first, so Tab follows the screen: title line, file actions, cast, table…
        self.output_bar = ScriptOutputBar(self)
        self.open_button = make_button(self, "open", "Open…",
                                   "Open a script, or import text, Markdown, a screenplay, "
                                   "CSV or TSV (Ctrl+Shift+O)")
        self.new_button = make_button(self, "new", "New", "Start an empty script")
        self.export_button = make_button(self, "export", "Export…",
                                     "Write the chosen takes as audio files and captions",
                                     "save")
        self.export_text_button = make_button(self, "export_text", "Save as text…",
                                          "Write the script as screenplay text or a table")
        self.undo_button = QToolButton(self)
        self.redo_button = QToolButton(self)
        self.title = ElidedLabel("", self)  # a long title ends in "…", never widening
        self.title.setObjectName("scripts.title")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        top = TwoLineRow()  # two lines on a narrow screen (app/ui/narrow_screen.py)
        for button in (self.open_button, self.new_button, self.export_button,
                       self.export_text_button):
            top.add(button)
        top.split_before()
        top.add(self.undo_button)
        top.add(self.redo_button)
        top.end_with_stretch()
        self._top_row = top
        self.error_banner = ErrorBanner("scripts.error", self)
        self._on_retry: Callable[[], None] | None = None  # the banner's retry, if not the usual

        self.cast = CastPanel(self)
        cast_scroll = CastScrollArea(self.cast, self)

        self.table = QTableView(self)
        self.table.setObjectName("scripts.blocks")
        self.table.setAccessibleName("Blocks of the script")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Several rows (Shift+click) can be made as one dialogue.
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.table.setDragEnabled(True)
        self.table.setDropIndicatorShown(True)
        self.table.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self._size_columns()

        self.block_panel = BlockPanel(self)
        self.top_splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.top_splitter.setObjectName("scripts.splitter_top")
        self.top_splitter.addWidget(cast_scroll)
        self.top_splitter.addWidget(self.table)
        self.top_splitter.setStretchFactor(0, 1)
        self.top_splitter.setStretchFactor(1, 3)
        self.top_splitter.setChildrenCollapsible(False)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("scripts.splitter")
        self.splitter.addWidget(self.top_splitter)
        # The block's fields scroll up and down in a short window (a laptop at 150%),
        # never sideways: the window's minimum height stays below the screen's.
        block_scroll = QScrollArea(self)
        block_scroll.setObjectName("scripts.block_scroll")
        block_scroll.setFrameShape(QFrame.Shape.NoFrame)
        block_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        block_scroll.setWidgetResizable(True)
        block_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        block_scroll.setWidget(self.block_panel)
        self._block_scroll = block_scroll
        self.splitter.addWidget(block_scroll)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)

        self.generate_all = make_button(self, "generate_all", "Generate all missing",
                                    "Make a take of every block that has none for its "
                                    "current text, voice and settings", "generate")
        self.pause_button = make_button(self, "pause", "Pause",
                                    "Let the blocks being made finish, start no new ones")
        self.resume_button = make_button(self, "resume", "Resume", "Carry on with the queue")
        self.cancel_button = make_button(self, "cancel", "Cancel",
                                     "Stop the queue; takes already made are kept", "cancel")
        self.dialogue_button = make_button(self, "dialogue", "As dialogue",
                                       "Make the selected blocks as one dialogue, in one "
                                       "request (Shift+click to select)")
        self.play_script = make_button(self, "play_script", "Play script",
                                   "Hear the chosen takes in order", "play")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("scripts.progress")
        self.progress.setAccessibleName("Queue progress")
        self.progress.setTextVisible(True)
        self.progress.setFormat("%v of %m blocks")
        self.progress.setMinimumWidth(60)
        # Both change with every take while a queue runs: they repaint only themselves.
        self.estimate = LiveStatusLabel(self)
        self.estimate.setObjectName("scripts.estimate")
        self.status = LiveStatusLabel(self)
        self.status.setObjectName("scripts.status")
        queue = TwoLineRow()
        for widget in (self.generate_all, self.pause_button, self.resume_button,
                       self.cancel_button):
            queue.add(widget)
        queue.split_before()
        for widget in (self.dialogue_button, self.play_script):
            queue.add(widget)
        queue.add(self.progress, 1)
        self._queue_row = queue

        layout = QVBoxLayout(self)
        # The title has a line of its own (beside the buttons it was the first thing
        # cut), shared with what applies to the whole script.
        title_row = QHBoxLayout()
        title_row.addWidget(self.title, 1)
        title_row.addWidget(self.output_bar)
        layout.addLayout(title_row)
        layout.addLayout(top)
        layout.addWidget(self.error_banner)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(queue)
        layout.addWidget(self.estimate)
        layout.addWidget(self.status)
        self.set_narrow(False)  # side by side until the window finds its screen narrow

    def set_narrow(self, narrow: bool) -> None:
        """On a narrow screen the two rows of buttons take two lines each."""
        self._top_row.set_two_lines(narrow)
        self._queue_row.set_two_lines(narrow)
        set_short_margins(self.layout(), narrow)  # (the screen is short as well)
        # As wide as the block's fields, stacked or side by side, plus the scroll bar.
        panel = self.block_panel
        layout = panel.layout()
        if layout is not None:  # (also while the tab is hidden: Qt would wait)
            layout.invalidate()
            layout.activate()
        self._block_scroll.setMinimumWidth(
            panel.minimumSizeHint().width()
            + self._block_scroll.verticalScrollBar().sizeHint().width())

    def _size_columns(self) -> None:
        """Fixed widths for the narrow columns (measuring a column's contents reads every
        row, slow when long), each as wide as its header or usual value, whichever is
        wider; longer values end in "…" with the whole value in the cell's tooltip. The
        table is never narrower than those plus a readable Text column, so it never
        scrolls sideways."""
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(TEXT, QHeaderView.ResizeMode.Stretch)
        style = self.table.style()
        cell, heading = self.table.fontMetrics(), header.fontMetrics()
        cell_margin = 2 * (style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin,
                                             None, self.table) + 1) + 2
        heading_margin = 2 * style.pixelMetric(QStyle.PixelMetric.PM_HeaderMargin,
                                               None, header) + 8
        fixed = 0
        for column, sample in COLUMN_SAMPLES.items():
            title = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            width = max(cell.horizontalAdvance(sample) + cell_margin,
                        heading.horizontalAdvance(title) + heading_margin)
            self.table.setColumnWidth(column, width)
            fixed += width
        text = cell.averageCharWidth() * TEXT_MINIMUM_CHARS
        frame = 2 * self.table.frameWidth()
        bar = self.table.verticalScrollBar().sizeHint().width()
        self.table.setMinimumWidth(fixed + text + frame + bar)

    def _connect(self) -> None:
        stack = self.document.undo_stack
        # Buttons with fixed words (the step's name goes in the tooltip, so the row does
        # not change width with each edit), and the keys, for the whole tab.
        for button, name, keys, act, can_signal, text_signal in (
                (self.undo_button, "undo", [QKeySequence(QKeySequence.StandardKey.Undo)],
                 stack.undo, stack.canUndoChanged, stack.undoTextChanged),
                (self.redo_button, "redo", [QKeySequence("Ctrl+Shift+Z"),
                                            QKeySequence(QKeySequence.StandardKey.Redo)],
                 stack.redo, stack.canRedoChanged, stack.redoTextChanged)):
            button.setText(name.capitalize())
            button.setObjectName(f"scripts.{name}")
            button.setAccessibleName(name.capitalize())
            button.setEnabled(False)
            button.clicked.connect(act)
            can_signal.connect(button.setEnabled)
            text_signal.connect(lambda text, b=button, n=name: b.setToolTip(
                f"{n.capitalize()} {text.lower()}" if text else n.capitalize()))
            for key in keys:
                shortcut = QShortcut(key, self)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(act)
        self.document.changed.connect(self._on_document_changed)
        self.document.path_changed.connect(self._show_title)
        self.model.text_edit_requested.connect(self.edit_text)
        self.model.speaker_edit_requested.connect(self._on_speaker_edit_requested)
        self.model.move_requested.connect(self._on_model_move_requested)
        self.table.selectionModel().currentRowChanged.connect(self._show_current_block)
        self.table.selectionModel().selectionChanged.connect(
            lambda *_a: self.generation.update_buttons())
        self.dialogue_button.clicked.connect(
            lambda: self.generation.make_dialogue(self.selected_block_ids()))
        self.model.modelReset.connect(self._show_current_block)
        self.cast.voice_chosen.connect(self._on_cast_voice_chosen)
        self.output_bar.model_chosen.connect(self._on_cast_model_chosen)
        self.output_bar.format_chosen.connect(self._on_cast_format_chosen)
        self.cast.preview_requested.connect(self._on_cast_preview_requested)
        panel = self.block_panel
        panel.text_committed.connect(self.edit_text)
        panel.split_requested.connect(self._on_split_requested)
        panel.join_requested.connect(self._on_join_requested)
        panel.move_requested.connect(self.move_block)
        panel.undo_requested.connect(stack.undo)
        panel.redo_requested.connect(stack.redo)
        panel.choose_requested.connect(self.choose_take)
        panel.generate_requested.connect(self.generation.regenerate)
        panel.play_block_requested.connect(self.play_block)
        panel.play_take_requested.connect(self._on_play_take_requested)
        panel.compare_requested.connect(self._on_compare_requested)
        self.playback.spoken.connect(self._on_playback_spoken)
        self.playback.stopped_following.connect(self._on_playback_stopped_following)
        self.playback.part_changed.connect(self._on_playback_part_changed)
        self.playback.failed.connect(self.show_error)
        self.play_script.clicked.connect(self.play_whole_script)
        self.voice_settings = VoiceSettingsEditing(self)  # a block's or a speaker's
        self.open_button.clicked.connect(self.ask_open)
        self.new_button.clicked.connect(self.files.new)
        self.export_button.clicked.connect(self.exporter.ask_export)
        self.export_text_button.clicked.connect(self.files.ask_export_text)
        self.generate_all.clicked.connect(self.generation.generate_missing)
        self.pause_button.clicked.connect(self.generation.pause)
        self.resume_button.clicked.connect(self.generation.resume)
        self.cancel_button.clicked.connect(self.generation.cancel)
        self.error_banner.retry_requested.connect(self._retry_from_banner)
        for move_keys, step in (("Alt+Up", -1), ("Alt+Down", +1)):
            shortcut = QShortcut(QKeySequence(move_keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda s=step: self._move_current(s))
        self._on_document_changed()

    # -- the catalog -----------------------------------------------------------------
    def refresh_catalog(self) -> None:
        self.generation.load_catalog()

    def set_catalog(self, models: list, voices: list[Voice]) -> None:
        self.cast.set_voices(voices)
        self.output_bar.set_models(models)
        self.cast.show_script(self.document.script)
        self.output_bar.show_script(self.document.script)
        self._update_summary()

    # -- files (the window routes here) ----------------------------------------------
    def ask_open(self) -> None:
        self.files.ask_open()

    def open_path(self, path: Path) -> None:
        self.files.open_path(path)

    def flush_draft(self) -> None:
        self.block_panel.commit_text()
        self.files.save_now()

    # -- showing ---------------------------------------------------------------------
    def _on_document_changed(self) -> None:
        script = self.document.script
        current = self.current_block_id()
        reset = self.model.set_script(script)
        # After a reset (blocks added, removed or moved) the selection is gone: select the
        # same block again (scrolling measures rows, so not on every change).
        if reset and current is not None and self.model.row_of(current) >= 0:
            self.select_block(current)
        elif self.model.rowCount() and not self.table.currentIndex().isValid():
            self.select_block(script.blocks[0].block_id)
        self.cast.show_script(script)
        self.output_bar.show_script(script)
        self._show_current_block()
        self._show_title()
        self._update_summary()
        self.files.schedule_autosave()

    def _show_title(self) -> None:
        script, path = self.document.script, self.document.path
        name = script.title or (path.name if path else "Untitled script")
        self.title.setText(f"{name} · {plural(len(script.blocks), 'block')}")
        self.title.setToolTip(str(path) if path else "")

    def _update_summary(self) -> None:
        self.generation.update_buttons()
        self.generation.refresh_summary()

    def selected_block_ids(self) -> list[str]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        blocks = [self.model.block_at(row) for row in rows]
        return [b.block_id for b in blocks if b is not None]

    def current_block_id(self) -> str | None:
        index = self.table.currentIndex()
        block = self.model.block_at(index.row()) if index.isValid() else None
        return block.block_id if block else None

    def select_block(self, block_id: str) -> None:
        row = self.model.row_of(block_id)
        if row < 0:
            return
        index = self.model.index(row, TEXT)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)

    def _show_current_block(self, *_args: object) -> None:
        index = self.table.currentIndex()
        row = index.row() if index.isValid() else -1
        block = self.model.block_at(row)
        self.block_panel.show_block(block, row + 1, row == self.model.rowCount() - 1)

    # -- edits (each one undoable) ---------------------------------------------------
    def _edit(self, label: str, change: object) -> bool:
        try:
            return self.document.edit(label, change)  # type: ignore[arg-type]
        except (ValueError, KeyError) as exc:
            self.status.setText(f"{label} was not possible: {exc}.")
            return False

    def edit_text(self, block_id: str, text: str) -> None:
        self._edit("Edit text", lambda s: script_edit.edit_text(s, block_id, text))

    def _on_speaker_edit_requested(self, block_id: str, speaker: str) -> None:
        self._edit("Change speaker", lambda s: script_edit.set_speaker(s, block_id, speaker))

    def move_block(self, block_id: str, step: int) -> None:
        index = self.document.script.index_of(block_id)
        target = index + step
        if 0 <= target < len(self.document.script.blocks):
            self._edit("Move block",
                       lambda s: script_edit.move_block(s, index, target))
            self.select_block(block_id)

    def _move_current(self, step: int) -> None:
        block_id = self.current_block_id()
        if block_id is not None:
            self.block_panel.commit_text()
            self.move_block(block_id, step)

    def _on_model_move_requested(self, block_ids: list[str], row: int) -> None:
        script = self.document.script
        moving = set(block_ids)
        before = sum(1 for b in script.blocks[:row] if b.block_id in moving)
        self._edit("Move block",
                   lambda s: script_edit.move_blocks(s, block_ids, row - before))
        if block_ids:
            self.select_block(block_ids[0])

    def _on_split_requested(self, block_id: str, position: int) -> None:
        self._edit("Split block", lambda s: script_edit.split_block(s, block_id, position))

    def _on_join_requested(self, block_id: str) -> None:
        self._edit("Join blocks", lambda s: script_edit.join_with_next(s, block_id))

    def choose_take(self, block_id: str, take_id: str) -> None:
        self._edit("Choose take", lambda s: script_edit.choose_take(s, block_id, take_id))

    def _on_cast_voice_chosen(self, speaker: str, voice: Voice) -> None:
        self._edit(f"Cast {speaker}", cast_edits.cast_voice(speaker, voice.voice_id,
                                                            voice.name))

    def _on_cast_model_chosen(self, model_id: str) -> None:
        self._edit("Change model", cast_edits.set_model(model_id))

    def _on_cast_format_chosen(self, value: str) -> None:
        self._edit("Change format", cast_edits.set_output_format(value))

    # -- listening -------------------------------------------------------------------
    def _on_cast_preview_requested(self, voice: Voice) -> None:
        self.generation.preview(voice)

    def play_block(self, block_id: str) -> None:
        block = self.document.script.block(block_id)
        if block.chosen_take is not None:
            self._on_play_take_requested(block_id, block.chosen_take.take_id)

    def _on_play_take_requested(self, block_id: str, take_id: str) -> None:
        parts = self.files.take_parts([(block_id, take_id)])
        if parts:
            self._comparison = None
            self.playback.play(f"Block {self.model.row_of(block_id) + 1}", parts, 0)

    def _on_compare_requested(self, block_id: str, take_a: str, take_b: str) -> None:
        from app.ui.scripts.script_playback import COMPARE_GAP_MS
        from app.ui.scripts.take_compare import TakeComparison

        parts = self.files.take_parts([(block_id, take_a), (block_id, take_b)])
        if len(parts) == 2:
            comparison = TakeComparison.of(self.document.script.block(block_id),
                                           self.model.row_of(block_id) + 1, take_a, take_b)
            self._comparison = comparison
            self.status.setText(comparison.started())
            self.playback.play(comparison.title(), parts, COMPARE_GAP_MS)

    def _on_playback_part_changed(self, part: int) -> None:
        """While comparing (and after, when the user goes back to one of them on the
        waveform), say whether A or B is under the playhead."""
        if self._comparison is not None:
            self.status.setText(self._comparison.hearing(part))

    def play_whole_script(self) -> None:
        script = self.document.script
        chosen = [(b.block_id, b.chosen_take_id) for b in script.blocks
                  if b.chosen_take_id and not b.is_empty]
        parts = self.files.take_parts(chosen)
        if not parts:
            self.status.setText("No block has a take yet: generate first.")
            return
        self._comparison = None
        self.playback.play(script.title or "Script", parts, script.gap_ms)

    def _on_playback_spoken(self, block_id: str, start: int, end: int) -> None:
        self.model.set_spoken_block(block_id)
        if self.current_block_id() != block_id:
            self.select_block(block_id)
        block, segment = self.block_panel.block, self.playback.segment
        # Character positions are the take's: only light them on the same text.
        same_text = block is not None and segment is not None and block.text == segment.text
        self.block_panel.highlight(start if start >= 0 and same_text else None,
                                   end if start >= 0 and same_text else None)

    def _on_playback_stopped_following(self) -> None:
        if self.playback.timeline is None:  # another clip replaced it (not just stopped)
            self._comparison = None
        self.model.set_spoken_block(None)
        self.block_panel.highlight(None, None)

    # -- messages --------------------------------------------------------------------
    def show_error(self, exc: object, on_retry: Callable[[], None] | None = None) -> None:
        """Show a message in the banner; its retry button (when the message offers one)
        runs `on_retry`, else "Generate all missing"."""
        from app.ui.errors import describe_error

        self._on_retry = on_retry
        if isinstance(exc, UserMessage):
            self.error_banner.show_message(exc)
            return
        error = exc if isinstance(exc, BaseException) else Exception(str(exc))
        self.error_banner.show_message(describe_error(error))

    def _retry_from_banner(self) -> None:
        action, self._on_retry = self._on_retry, None
        (action or self.generation.generate_missing)()
