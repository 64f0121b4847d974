"""The Speech tab: type text, pick a voice, model and format, tune the voice, generate.

The tab puts the text side and the settings column side by side, reacts to the
controller and keeps the form, the counts and the draft in step. Loading the voices and
models is speech_catalog.py; the text side's widgets are built in speech_text_column.py,
the settings column's in settings_column.py; the draft's saving and loading is in
speech_draft.py; the count lines' wording is in counts_text.py; Save as… is save_copy.py.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.domain.formats import OutputFormat
from app.domain.wording import duration_text
from app.library.history import Generation
from app.ui.app_context import AppContext
from app.ui.errors import UserMessage, autosave_failed, describe_error
from app.ui.history_wording import kept_in_history
from app.ui.qt_async import TaskRunner
from app.ui.speech.counts_text import (
    characters_line,
    credits_line,
    quota_problem_line,
    unknown_credits_reason,
)
from app.ui.speech.more_options import MoreOptions
from app.ui.speech.pronunciation_feature import PronunciationFeature
from app.ui.speech.save_copy import save_copy_as
from app.ui.speech.settings_column import SpeechSettingsColumn, select_combo
from app.ui.speech.side_draft import SIDE_DRAFT_TASKS
from app.ui.speech.speech_catalog import SpeechCatalogLoading
from app.ui.speech.speech_controller import SpeechController
from app.ui.speech.speech_draft import AUTOSAVE_TASK, SpeechDraft
from app.ui.speech.speech_form import SpeechForm
from app.ui.speech.speech_text_column import SpeechTextColumn
from app.ui.speech.spoken_words import SpokenWordFollower
from app.ui.speech.voice_model import VoiceRole, as_voice
from app.ui.widgets.player_bar import PlayerBar

if TYPE_CHECKING:
    import numpy as np

    from app.domain.wire import Model, Subscription, Voice

log = logging.getLogger(__name__)

_NO_PEAKS: np.ndarray = ()  # type: ignore[assignment]  # empty peaks, without loading numpy
AUTOSAVE_DELAY_MS = 800


class SpeechTab(SpeechCatalogLoading, QWidget):
    generation_saved = Signal(object)  # Generation
    ready_changed = Signal(bool)

    def __init__(self, ctx: AppContext, runner: TaskRunner, player_bar: PlayerBar,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("speech.tab")
        self._ctx = ctx
        self._runner = runner
        self._player_bar = player_bar
        self._controller = SpeechController(ctx, runner, self)
        self._models: list[Model] = []
        self._last_generation: Generation | None = None
        self._restoring = False
        self._draft = SpeechDraft(ctx.drafts, ctx.settings, runner)
        self.catalog_ready = False
        self._retry_preview = False  # the banner's Try again fetches a voice's sample
        self._build()
        self._connect()
        self._restore_draft()
        self.pronunciation = PronunciationFeature(self, ctx, runner)  # dictionaries
        self.more_options = MoreOptions(self, ctx, runner)  # the rest of the request
        self._update_counts()

    # -- layout ----------------------------------------------------------------------
    def _build(self) -> None:
        self.text_column = left = SpeechTextColumn(self)
        # The tab's own names for the column's widgets: the tab, the main window and the
        # tests reach them so.
        self.text = left.text
        self.char_count = left.char_count
        self.estimate = left.estimate
        self.generate_button = left.generate_button
        self.cancel_button = left.cancel_button
        self.save_button = left.save_button
        self.progress = left.progress
        self.status = left.status
        self.error_banner = left.error_banner

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("speech.splitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(self._build_settings_column())
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([600, 400])  # the text gets the room, until the user moves it
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)

    def _build_settings_column(self) -> QScrollArea:
        column = SpeechSettingsColumn(self)
        self.settings_column = column
        from app.ui.speech.voice_details import add_details_button  # "Details…" by the voice
        self.voice_details_button = add_details_button(column.preview_button, self, self._ctx)
        # The tab's own names for the column's widgets: the tab, the main window and the
        # tests reach them so.
        self.voice_search = column.voice_search
        self.voice_filters = column.voice_filters
        self.voice_model = column.voice_model
        self.voice_proxy = column.voice_proxy
        self.voice = column.voice
        self.preview_button = column.preview_button
        self.model = column.model
        self.model_info = column.model_info
        self.output_format = column.output_format
        self.format_note = column.format_note
        self.voice_settings = column.voice_settings
        self.language = column.language
        self.seed_fixed = column.seed_fixed
        self.seed = column.seed
        self.normalization = column.normalization
        return column.in_scroll_area(self)

    def _connect(self) -> None:
        c = self._controller
        c.catalog_loaded.connect(self._on_controller_catalog_loaded)
        c.catalog_failed.connect(self._on_controller_catalog_failed)
        c.generation_started.connect(self._on_controller_generation_started)
        c.generation_progress.connect(self._on_controller_generation_progress)
        c.audio_arrived.connect(self._on_controller_audio_arrived)
        c.generation_finished.connect(self._on_controller_generation_finished)
        c.generation_failed.connect(self._on_controller_generation_failed)
        c.preview_failed.connect(self._on_controller_preview_failed)
        c.generation_cancelled.connect(self._on_controller_generation_cancelled)
        c.playback_problem.connect(self._on_controller_playback_problem)
        c.quota_changed.connect(self._on_controller_quota_changed)
        c.quota_failed.connect(self._on_controller_quota_failed)
        # The word being heard is marked in the text (with-timestamps answers).
        self.spoken_words = SpokenWordFollower(self.text, self._player_bar, self)
        c.words_timed.connect(self.spoken_words.set_words)
        self._runner.task_finished.connect(self._on_runner_task_finished)
        # The text's autosave, and the side drafts of More options and pronunciation
        # (app/ui/speech/side_draft.py): a failed save is said here, not dropped.
        self._runner.task_failed.connect(self._on_runner_task_failed)
        self._runner.reports(AUTOSAVE_TASK, SIDE_DRAFT_TASKS)
        self.generate_button.clicked.connect(self.start_generation)
        self.cancel_button.clicked.connect(self._controller.cancel)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.preview_button.clicked.connect(self._on_preview_clicked)
        self.error_banner.retry_requested.connect(self._on_error_banner_retry_requested)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(self.start_generation)
        self.text.textChanged.connect(self._on_form_changed)
        self.model.currentIndexChanged.connect(self._on_model_changed)
        # (The column shows the format's note first: it connected before the tab.)
        self.output_format.currentIndexChanged.connect(self._on_form_changed)
        self.voice.currentIndexChanged.connect(self._on_form_changed)
        self.voice_settings.settings_changed.connect(self._on_form_changed)
        self.seed_fixed.toggled.connect(self._on_form_changed)
        self.seed.valueChanged.connect(self._on_form_changed)
        self.language.currentIndexChanged.connect(self._on_form_changed)
        self.normalization.currentIndexChanged.connect(self._on_form_changed)
        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_DELAY_MS)
        self._autosave.timeout.connect(self._save_draft)
        self._select_format(self._ctx.settings.default_output_format)

    def _on_error_banner_retry_requested(self) -> None:
        if self._retry_preview:  # the banner is about a voice's sample: fetch it again
            self._on_preview_clicked()
        elif self.catalog_ready:
            self.start_generation()
        else:
            self.load_catalog(offline=getattr(self, "_offline", False))

    # -- reading the form ------------------------------------------------------------
    def current_voice(self) -> Voice | None:
        return as_voice(self.voice.currentData(VoiceRole))

    def current_voice_id(self) -> str | None:
        voice = self.current_voice()
        return voice.voice_id if voice else None

    def current_model(self) -> Model | None:
        model_id = self.model.currentData()
        return next((m for m in self._models if m.model_id == model_id), None)

    def current_format(self) -> OutputFormat:
        return self.settings_column.current_format()

    def select_voice(self, voice_id: str | None) -> None:
        self.settings_column.select_voice(voice_id)

    def form(self) -> SpeechForm | None:
        voice, model = self.current_voice(), self.current_model()
        if voice is None or model is None:
            return None
        return SpeechForm(
            text=self.text.toPlainText(),
            voice=voice,
            model=model,
            output_format=self.current_format(),
            voice_settings=self.voice_settings.values(),
            language_code=self.language.currentData() or None,
            seed=self.seed.value() if self.seed_fixed.isChecked() else None,
            normalization=self.normalization.currentData() or "auto",
            pronunciation_locators=self.pronunciation.locators(),
            extras=self.more_options.extras(),
        )

    # -- generating ------------------------------------------------------------------
    def start_generation(self) -> None:
        if not self._controller.can_generate:
            return
        text = self.text.toPlainText()
        if not text.strip():
            self.status.setText("Type some text first: there is nothing to speak yet.")
            self.text.setFocus()
            return
        form = self.form()
        if form is None:
            self.status.setText(self.settings_column.why_no_voice())
            return
        self.error_banner.hide()
        # Unsaved changes (the autosave still pending) are saved as the request leaves
        # (crash safety), in a worker thread: a synchronous write with fsync held the UI
        # and the request ~10 ms. With nothing pending the draft on disk is current.
        if self._autosave.isActive():
            self._autosave.stop()
            if not self._save_draft():
                self._autosave.start()  # a save with older text is running: again soon
        self._controller.generate(form)

    def _on_controller_generation_started(self, parts: int) -> None:
        self.spoken_words.forget()
        self.text_column.show_generating(parts)
        self._player_bar.show_clip("Generating…", _NO_PEAKS)
        self._player_bar.follow()

    def _on_controller_generation_progress(self, done: int, total: int) -> None:
        if total > 1:
            self.progress.setValue(done)

    def _on_controller_audio_arrived(self, peaks: np.ndarray, seconds: float) -> None:
        self._player_bar.show_clip(f"Generating… {seconds:.1f} s", peaks)
        self._player_bar.follow()

    def _on_controller_generation_finished(self, generation: Generation) -> None:
        self._last_generation = generation
        self.save_button.setEnabled(True)
        cost = generation.character_cost
        cost_text = "free (offline)" if cost == 0 else (f"{cost:,} credits" if cost else
                                                        "cost not reported")
        # A read-only history lists it for this session only (the banner says why).
        kept = kept_in_history(self._ctx.history, keep_hint="use Save as… to keep it")
        self.status.setText(f"Done: {duration_text(generation.duration_ms)} of audio, "
                            f"{cost_text}. {kept}")
        self._player_bar.show_clip(generation.title, self._player_bar.waveform_peaks())
        self.generation_saved.emit(generation)

    def _on_controller_preview_failed(self, exc: object) -> None:
        """A voice's sample failed: said as such, and its Try again fetches the sample
        again (it used to generate the whole text, which costs credits)."""
        error = exc if isinstance(exc, BaseException) else Exception(str(exc))
        message = describe_error(error)
        self.error_banner.show_message(dataclasses.replace(
            message, title=f"The voice's sample could not be played: {message.title}"))
        self._retry_preview = True
        self._player_bar.clear("No sample")

    def _on_controller_generation_failed(self, exc: object) -> None:
        error = exc if isinstance(exc, BaseException) else Exception(str(exc))
        self._retry_preview = False
        self.error_banner.show_message(describe_error(error))
        self.status.setText("Nothing was saved. Your text is still here.")
        self._player_bar.clear("Nothing was generated")

    def _on_controller_playback_problem(self, problem: str) -> None:
        self._retry_preview = False
        self.error_banner.show_message(UserMessage(
            "Saved, but it could not be played", problem,
            "Pick another sound output in Settings (Ctrl+,), then press Play; the audio is "
            "in History."))

    def _on_controller_generation_cancelled(self) -> None:
        self.status.setText("Stopped. Nothing was saved; your text is still here.")
        self._player_bar.clear("Generation stopped")

    def _on_controller_quota_changed(self, subscription: Subscription) -> None:
        self._quota = subscription
        self._quota_problem: str | None = None
        self._update_counts()

    def _on_controller_quota_failed(self, exc: object) -> None:
        self._quota_problem = quota_problem_line(exc)
        self._update_counts()

    def _on_runner_task_finished(self, name: str) -> None:
        if name == SpeechController.GENERATE:
            self.text_column.show_generation_ended()
            self._update_counts()

    def _on_runner_task_failed(self, name: str, exc: object) -> None:
        if name == AUTOSAVE_TASK or name.startswith(SIDE_DRAFT_TASKS):
            error = exc if isinstance(exc, BaseException) else Exception(str(exc))
            self._retry_preview = False
            self.error_banner.show_message(autosave_failed(error))

    def _on_save_clicked(self) -> None:
        if self._last_generation is not None:
            save_copy_as(self, self._runner, self._ctx.history, self._last_generation,
                         self._on_copy_saved)

    def _on_copy_saved(self, path: str, problem: Exception | None) -> None:
        from app.library.history import ExportStopped

        if isinstance(problem, ExportStopped):  # Cancel: said, not an error
            self.status.setText(str(problem))
        elif problem is not None:
            self._retry_preview = False
            self.error_banner.show_message(describe_error(problem))
        else:
            self.status.setText(f"Saved a copy to {path}")

    def _on_preview_clicked(self) -> None:
        voice = self.current_voice()
        if voice is not None:
            self._controller.preview(voice, self.form())
            self._player_bar.show_clip(f"Preview: {voice.name}", _NO_PEAKS)
            self._player_bar.follow()

    # -- counts, notes ---------------------------------------------------------------
    def _on_model_changed(self, *_args: object) -> None:
        model = self.current_model()
        if model is not None:
            self.settings_column.show_model(model, self._draft.value("language"))
        self._on_form_changed()

    def _update_counts(self) -> None:
        text = self.text.toPlainText()
        model = self.current_model()
        self.char_count.setText(characters_line(text, model))
        problem = getattr(self, "_quota_problem", None)
        self.estimate.setText(credits_line(
            text, model, offline=getattr(self, "_offline", False),
            quota=getattr(self, "_quota", None), quota_problem=problem))
        # Said why on hover and to a screen reader, whichever way it is unknown.
        why = unknown_credits_reason(getattr(self, "_quota", None), problem)
        self.estimate.setToolTip(why)
        self.estimate.setAccessibleDescription(why)
        self.generate_button.setEnabled(self.catalog_ready and not self._controller.is_generating)

    def _on_form_changed(self, *_args: object) -> None:
        self._update_counts()
        if not self._restoring:
            self._autosave.start()

    # -- drafts ----------------------------------------------------------------------
    def _draft_payload(self) -> dict:
        return {
            "text": self.text.toPlainText(),
            "voice_id": self.current_voice_id() or self._draft.value("voice_id"),
            "model_id": self.model.currentData() or self._draft.value("model_id"),
            **self.settings_column.draft(),
        }

    def _save_draft(self) -> bool:
        """Save the draft in a worker thread; False if a save is still running."""
        return self._draft.save_in_background(self._draft_payload())

    def flush_draft(self) -> None:
        """Save now (on quit), synchronously: the loop may be stopping."""
        if self._autosave.isActive():
            self._autosave.stop()
        self._draft.save_now(self._draft_payload())

    def _restore_draft(self) -> None:
        draft = self._draft.load()
        if not draft:
            return
        self._restoring = True
        try:
            self.text.setPlainText(str(draft.get("text") or ""))
            self.settings_column.restore_draft(draft)
        finally:
            self._restoring = False

    def load_generation(self, generation: Generation) -> None:
        """Re-open a history entry: its text, voice, model, format and settings
        (reopen_entry.py)."""
        from app.ui.speech.reopen_entry import reopen_entry

        reopen_entry(self, generation)

    def _select_format(self, value: str) -> None:
        select_combo(self.output_format, value)
