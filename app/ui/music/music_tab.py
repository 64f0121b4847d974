"""The Music tab: describe a song or plan it section by section, compose, keep versions.

Opening and saving plan files (and dropping one on the tab) is music_plan_files_ui.py.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QUndoStack
from PySide6.QtWidgets import (
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.api.errors import ValidationError
from app.domain.music_detailed import DetailedResult
from app.domain.music_plan import Plan
from app.domain.music_plan_checks import errors_only, length_text
from app.domain.music_plan_write import plan_to_dict as plan_dict
from app.domain.music_request import MusicRequestError
from app.library.history import Generation
from app.ui.app_context import AppContext
from app.ui.errors import UserMessage, autosave_failed, describe_error
from app.ui.history_wording import kept_in_history
from app.ui.music.compose_bar import ComposeBar
from app.ui.music.compose_request import ComposeRequest, keep_base_for, read_version
from app.ui.music.music_controller import MusicController
from app.ui.music.music_files import (
    restored_plan,
    user_message,
)
from app.ui.music.music_plan_files_ui import PLAN_PAGE, PROMPT_PAGE, MusicPlanFiles
from app.ui.music.plan_editor import EMPTY_PLAN_STATUS, PlanEditor
from app.ui.music.plan_layout import TableFillsPage
from app.ui.music.producer_tools import ProducerTools
from app.ui.music.prompt_panel import PromptPanel
from app.ui.music.refused_plan import show_refused_plan
from app.ui.music.versions_panel import SidePanel
from app.ui.qt_async import TaskRunner, loop_running
from app.ui.widgets.error_banner import ErrorBanner
from app.ui.widgets.fit_scroll_area import FitScrollArea
from app.ui.widgets.player_bar import PlayerBar
from app.ui.widgets.splitter_room import SplitterRoom

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)
DRAFT_NAME = "music"
AUTOSAVE_DELAY_MS = 800


class MusicTab(MusicPlanFiles, QWidget):
    generation_saved = Signal(object)  # Generation

    AUTOSAVE = "music.autosave"
    VERSIONS = "music.versions"

    def __init__(self, ctx: AppContext, runner: TaskRunner, player_bar: PlayerBar,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("music.tab")
        self.setAcceptDrops(True)
        self._ctx = ctx
        self._runner = runner
        self._player_bar = player_bar
        self.controller = MusicController(ctx, runner, self)
        self._restoring = False
        self._base: Generation | None = None
        self._note = ""
        self._sent_plan: Plan | None = None  # the plan of the last Compose, as sent
        self._build()
        self._connect()
        self._restore_draft()
        self._update_state()
        QTimer.singleShot(0, self._start_background)

    def edit_history(self) -> QUndoStack:  # what Edit > Undo and Redo act on here
        return self.editor.undo_stack

    # -- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        self.error_banner = ErrorBanner("music.error", self)
        self.mode = QTabWidget(self)
        self.mode.setObjectName("music.mode")
        self.prompt_panel = PromptPanel(self)
        self.editor = PlanEditor(self)
        # Both pages scroll rather than squeeze when the window is short (a small laptop,
        # an error banner above): squeezed, the fields were cut in half, and the prompt
        # page's full height held the whole window taller than the screen.
        prompt_page = FitScrollArea(self.prompt_panel, self.mode)
        prompt_page.setObjectName("music.prompt_scroll")
        self.mode.addTab(prompt_page, "Describe it")
        editor_page = FitScrollArea(self.editor, self.mode)
        editor_page.setObjectName("music.plan_page")
        self._table_fills = TableFillsPage(editor_page, self.editor.table,
                                           self.editor.timeline)
        self.mode.addTab(editor_page, "Plan it section by section")
        self.mode.setCurrentIndex(PLAN_PAGE)
        self.bar = ComposeBar(self)
        self.compose_button = self.bar.compose_button
        self.status = self.bar.status
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.error_banner)
        left_layout.addWidget(self.mode, 1)
        left_layout.addWidget(self.bar)

        self.side = SidePanel(self)
        self.output, self.versions = self.side.output, self.side.versions
        self.details, self.base_label = self.side.details, self.side.base_label
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("music.splitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        # First use: the plan gets three fifths (a saved divider position wins later).
        self.splitter.setSizes([600, 400])
        # ...but the plan is never narrower than its rows while the column can give room.
        self._plan_room = SplitterRoom(self.splitter, editor_page)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)  # the tab page has its own; height is short
        outer.addWidget(self.splitter)
        # Section by section, lyrics sheet, rework, stems, your own song (producer_tools.py).
        self.producer = ProducerTools(self._ctx, self._runner, self)

    def _connect(self) -> None:
        c = self.controller
        c.models_loaded.connect(lambda ids: self.output.set_models(ids))
        c.compose_started.connect(self._on_controller_compose_started)
        c.audio_arrived.connect(self._on_controller_audio_arrived)
        c.compose_finished.connect(self._on_controller_compose_finished)
        c.compose_failed.connect(self._on_controller_compose_failed)
        c.compose_cancelled.connect(self._on_controller_compose_cancelled)
        c.note.connect(lambda text: setattr(self, "_note", f"{self._note} {text}".strip()))
        c.plan_written.connect(self._on_controller_plan_written)
        c.plan_failed.connect(self._show_error)
        c.playback_ready.connect(self._on_controller_playback_ready)
        c.playback_failed.connect(self._show_error)
        self._runner.task_finished.connect(self._on_runner_task_finished)
        self._runner.task_failed.connect(self._on_runner_task_failed)
        self._runner.reports(self.AUTOSAVE, self.VERSIONS)
        self.compose_button.clicked.connect(self.start_compose)
        self.bar.cancel_button.clicked.connect(c.cancel)
        self.bar.open_button.clicked.connect(self._on_open_plan_clicked)
        self.bar.save_button.clicked.connect(self._on_save_plan_clicked)
        self.error_banner.retry_requested.connect(self.start_compose)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.start_compose)
        self.mode.currentChanged.connect(self._on_changed)
        self.prompt_panel.changed.connect(self._on_changed)
        self.editor.plan_changed.connect(self._on_changed)
        self.editor.plan_from_prompt_requested.connect(self.write_plan_from_prompt)
        self.prompt_panel.to_plan.clicked.connect(self.write_plan_from_prompt)
        self.editor.seek_requested.connect(self._on_editor_seek_requested)
        self.output.changed.connect(self._on_changed)
        self.output.model_changed.connect(self.editor.set_model_id)
        self.versions.play_requested.connect(c.play)
        self.producer.playback_ready.connect(self._on_controller_playback_ready)
        self.producer.failed.connect(self._show_error)
        self.versions.open_requested.connect(self.load_generation)
        self.versions.compare_requested.connect(c.compare)
        self._player_bar.position_changed.connect(self._on_player_position_changed)
        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_DELAY_MS)
        self._autosave.timeout.connect(self._save_draft)
        self.editor.set_model_id(self.output.model_id())

    def _start_background(self) -> None:
        if loop_running():  # (a test without an event loop has nothing to fetch)
            self.refresh_models()
            self.refresh_versions()

    # -- public ----------------------------------------------------------------------------
    def refresh_models(self) -> None:
        """Ask the server which music models it has (call again after reconnecting)."""
        self.controller.load_models()

    def refresh_versions(self) -> None:
        async def load() -> None:
            found = await asyncio.to_thread(self._ctx.history.list, "", "music", 50)
            self.versions.set_versions(found)
        self._runner.restart(self.VERSIONS, load)  # the latest list wins

    def is_plan_mode(self) -> bool:
        return self.mode.currentIndex() != PROMPT_PAGE  # the plan, or its lyrics sheet

    def compose_request(self) -> ComposeRequest:
        out = self.output
        common: dict[str, Any] = dict(model_id=out.model_id(), output_format=out.output_format(),
                                      detailed=out.detailed.isChecked(),
                                      store_for_inpainting=out.store.isChecked(),
                                      **self.producer.compose_fields())
        if self.is_plan_mode():
            return ComposeRequest(plan=self.editor.plan(), seed=out.seed_value(), **common)
        return ComposeRequest(**self.prompt_panel.request_fields(), **common)

    def blocked_reason(self) -> str | None:
        """Why Compose cannot start now, in plain words (None when it can)."""
        if self.is_plan_mode():
            if not self.editor.model.plan.sections:
                return EMPTY_PLAN_STATUS
            errors = errors_only(self.editor.problems_list())
            if errors:
                more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
                return f"Fix the plan first: {errors[0].message}{more}."
            return None
        return self.prompt_panel.blocking_error()

    def start_compose(self) -> None:
        if not self.controller.can_compose:
            return
        self.editor.commit_pending_edits()
        reason = self.blocked_reason()
        if reason:
            self.status.setText(reason)
            return
        self.error_banner.hide()
        self._note = ""
        try:
            request = self.compose_request()
            self._sent_plan = request.plan
            self.controller.compose(request)
        except MusicRequestError as exc:
            self.status.setText(f"{exc}.")

    def write_plan_from_prompt(self) -> None:
        text = self.prompt_panel.text()
        if not text.strip():
            self.mode.setCurrentIndex(PROMPT_PAGE)
            self.status.setText("Describe the song on the “Describe it” page first; the plan "
                                "is written from that description.")
            return
        try:
            self.controller.write_plan(text, self.prompt_panel.music_length_ms(),
                                       self.output.model_id())
        except MusicRequestError as exc:
            self.status.setText(f"{exc}.")
            return
        self.status.setText("Writing a plan from your description…")

    def load_generation(self, generation: Generation) -> None:
        """Bring back a version: its plan (or prompt) and settings; music made for a
        video re-opens in its own window."""
        if self.producer.open_if_video(generation):
            return
        version = read_version(generation.settings_json, generation.extra_json)
        s = version.settings
        self.output.set_values({"model_id": generation.model_id or s.get("model_id"),
                                "output_format": s.get("output_format"), "seed": s.get("seed"),
                                "detailed": s.get("detailed"),
                                "store": s.get("store_for_inpainting")})
        if version.plan is not None and s.get("mode") != "prompt":
            self.editor.set_plan(version.plan, f"Open version “{generation.title}”")
            self.mode.setCurrentIndex(PLAN_PAGE)
        else:
            length = s.get("music_length_ms")
            self.prompt_panel.set_values(str(s.get("prompt") or generation.text),
                                         length if isinstance(length, int) else None,
                                         bool(s.get("force_instrumental")))
            self.mode.setCurrentIndex(PROMPT_PAGE)
        self._set_base(generation)
        keep = " Tick “Keep” on the sections you like, change the others and compose " \
               "again." if self._base is not None else ""
        self.status.setText(f"Loaded “{generation.title}”.{keep}")

    def flush_draft(self) -> None:
        """Save the draft now (on quit), synchronously."""
        self._autosave.stop()
        self.editor.commit_pending_edits()
        self._ctx.drafts.save(DRAFT_NAME, self._draft_payload())

    # -- state -----------------------------------------------------------------------------
    def _update_state(self) -> None:
        self.output.set_plan_mode(self.is_plan_mode())
        reason = self.blocked_reason()
        self.bar.set_blocked(reason)
        self.bar.save_button.setEnabled(self.is_plan_mode())
        if not self.controller.is_composing:
            plan_to_fix = reason and self.is_plan_mode() and self.editor.model.plan.sections
            short = "Fix the plan first: what stops it is marked in red above." \
                if plan_to_fix else reason
            self.status.setText(short or self._idle_text())

    def _idle_text(self) -> str:
        if self.is_plan_mode():
            return f"Ready: {length_text(self.editor.model.plan.total_ms)} song. Press Compose."
        return "Ready. Press Compose (Ctrl+Enter)."

    def _on_changed(self, *_args: object) -> None:
        self._update_state()
        if not self._restoring:
            self._autosave.start()

    def _set_base(self, generation: Generation | None) -> None:
        base = None if generation is None else keep_base_for(
            generation.settings_json, generation.extra_json, generation.title)
        self._base = generation if base is not None else None
        self.editor.set_keep_base(base)
        self.base_label.setText(
            f"Sections can be kept from “{generation.title}”." if base and generation else
            "Compose a version with “Allow re-making sections later” on; then you can keep "
            "its good sections and re-make only the others.")

    # -- controller ------------------------------------------------------------------------
    def _on_controller_compose_started(self, endpoint: str) -> None:
        self.details.show_result(None)
        self.bar.started("Composing… the song plays when it is complete." if endpoint !=
                         "stream" else "Composing… you will hear it as soon as it starts.")
        self._player_bar.show_clip("Composing…", ())
        self._player_bar.follow()

    def _on_controller_audio_arrived(self, peaks: np.ndarray, seconds: float) -> None:
        self._player_bar.show_clip(f"Composing… {seconds:.1f} s", peaks)
        self._player_bar.follow()

    def _on_controller_compose_finished(self, generation: Generation,
                                        detailed: DetailedResult | None) -> None:
        kept = kept_in_history(self._ctx.history, "Saved in Versions and History.")
        self.status.setText(f"Done: a {length_text(generation.duration_ms)} song. {kept} "
                            f"{self._note}".strip())
        self._player_bar.show_clip(generation.title, self._player_bar.waveform_peaks())
        self.details.show_result(detailed)
        self._set_base(generation)
        self.refresh_versions()
        self.generation_saved.emit(generation)

    def _on_controller_compose_cancelled(self) -> None:
        self.status.setText("Stopped. Nothing was saved; your plan and prompt are still here.")
        self._player_bar.clear("Composing stopped")

    def _on_controller_plan_written(self, plan: Plan) -> None:
        self.editor.set_plan(plan, "Plan from prompt")
        self.mode.setCurrentIndex(PLAN_PAGE)
        self.status.setText(f"Plan written: {len(plan.sections)} sections, "
                            f"{length_text(plan.total_ms)}. Change anything, then Compose. "
                            "Ctrl+Z brings back the plan you had.")

    def _on_controller_playback_ready(self, title: str, peaks: np.ndarray) -> None:
        self._player_bar.show_clip(title, peaks)
        self._player_bar.follow()

    def _on_controller_compose_failed(self, exc: object) -> None:
        self._player_bar.clear("Nothing was composed")  # not "Composing…" any more
        if isinstance(exc, ValidationError) and show_refused_plan(
                exc, self._sent_plan, self.editor if self.is_plan_mode() else None,
                self.error_banner):
            self.status.setText("Nothing was saved. Your plan and prompt are still here.")
            return
        self._show_error(exc)

    def _show_error(self, exc: object) -> None:
        error = exc if isinstance(exc, BaseException) else Exception(str(exc))
        self.error_banner.show_message(user_message(error))
        self.status.setText("Nothing was saved. Your plan and prompt are still here.")

    def _on_runner_task_failed(self, name: str, exc: object) -> None:
        """The draft could not be written, or History's versions could not be read: said
        here (both ended with nothing said)."""
        error = exc if isinstance(exc, BaseException) else Exception(str(exc))
        if name == self.AUTOSAVE:
            self.error_banner.show_message(autosave_failed(error))
        elif name == self.VERSIONS:
            message = describe_error(error, kept="")
            self.error_banner.show_message(UserMessage(
                "Your versions could not be listed", f"{message.title}: {message.text}",
                message.next_step))

    def _on_runner_task_finished(self, name: str) -> None:
        if name == MusicController.COMPOSE:
            self.bar.stopped(self.blocked_reason())

    # -- playback --------------------------------------------------------------------------
    def _on_editor_seek_requested(self, ms: int) -> None:
        if self.controller.seek(ms):
            self._player_bar.follow()

    def _on_player_position_changed(self, ms: int) -> None:
        self.editor.timeline.set_playhead(ms if self.controller.owns_player() else None)

    # -- drafts ----------------------------------------------------------------------------
    def _draft_payload(self) -> dict[str, Any]:
        return {**self.prompt_panel.draft(), "mode": "plan" if self.is_plan_mode() else "prompt",
                "output": self.output.values(), "plan": plan_dict(self.editor.model.plan),
                "base_generation_id": self._base.id if self._base else None}

    def _save_draft(self) -> None:
        payload = self._draft_payload()
        if not loop_running():  # the event loop is gone (quitting): save right here
            self._ctx.drafts.save(DRAFT_NAME, payload)
            return
        self._runner.start(self.AUTOSAVE, lambda: asyncio.to_thread(
            self._ctx.drafts.save, DRAFT_NAME, payload))

    def _restore_draft(self) -> None:
        draft = self._ctx.drafts.load(DRAFT_NAME) or {}
        self._restoring = True
        try:
            self.prompt_panel.restore_draft(draft)
            if isinstance(draft.get("output"), dict):
                self.output.set_values(draft["output"])
            self.editor.set_plan(restored_plan(draft) or self.editor.model.plan, None)
            self.mode.setCurrentIndex(PROMPT_PAGE if draft.get("mode") == "prompt" else PLAN_PAGE)
            base_id = draft.get("base_generation_id")
            self._set_base(self._ctx.history.get(base_id) if isinstance(base_id, int) else None)
        finally:
            self._restoring = False

