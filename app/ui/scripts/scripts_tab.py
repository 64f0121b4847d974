"""The Scripts tab: a multi-voice script made block by block, with takes and a queue.

Every edit is undoable (Ctrl+Z, Ctrl+Shift+Z) and autosaved. The tab wires the parts:
its widgets and layout (scripts_tab_layout.py), the document (script + undo), the table
model, the cast panel, the block panel, playback and generation (script_generation.py),
file handling (script_files_ui.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QUndoStack
from PySide6.QtWidgets import QWidget

from app.domain import script_edit
from app.domain.wording import plural
from app.ui.app_context import AppContext
from app.ui.errors import UserMessage
from app.ui.qt_async import TaskRunner
from app.ui.scripts import cast_edits
from app.ui.scripts.blocks_model import TEXT, BlocksModel
from app.ui.scripts.script_document import ScriptDocument
from app.ui.scripts.script_export_ui import ScriptExportUi
from app.ui.scripts.script_files_ui import ScriptFilesUi
from app.ui.scripts.script_generation import ScriptGeneration
from app.ui.scripts.script_playback import ScriptPlayback
from app.ui.scripts.script_pronunciation import ScriptPronunciation
from app.ui.scripts.scripts_tab_layout import ScriptsTabLayout
from app.ui.scripts.voice_settings_dialog import VoiceSettingsEditing
from app.ui.widgets.player_bar import PlayerBar

if TYPE_CHECKING:
    from app.domain.wire import Voice
    from app.ui.scripts.take_compare import TakeComparison

log = logging.getLogger(__name__)

class ScriptsTab(ScriptsTabLayout):
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
        # Made after the row's other buttons, it would come last on Tab: in its place.
        QWidget.setTabOrder(self.export_text_button, self.pronunciation.button)
        self._connect()
        self.files.restore_last()

    def edit_history(self) -> QUndoStack:  # what Edit > Undo and Redo act on here
        return self.document.undo_stack

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
            # With its key: on a narrow screen the button is only an arrow (↶ ↷).
            keys_said = keys[0].toString(QKeySequence.SequenceFormat.NativeText)
            button.setToolTip(f"{name.capitalize()} ({keys_said})")
            text_signal.connect(lambda text, b=button, n=name, k=keys_said: b.setToolTip(
                f"{n.capitalize()} {text.lower()} ({k})" if text
                else f"{n.capitalize()} ({k})"))
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
