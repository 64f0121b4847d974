"""The Transcripts tab: get a transcript, read it along with its audio, correct it, export.

Left: where the transcript comes from (id, recording, file, recent) and the settings,
then the speakers and the selected word. Right: the transcript itself. Edits are undoable
and saved to the app's data folder as they happen; the tab's settings are a draft that
survives a restart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence, QShortcut, QUndoStack
from PySide6.QtWidgets import QLabel, QMessageBox, QScrollArea, QSplitter, QVBoxLayout, QWidget

from app.library.history import Generation
from app.ui.app_context import AppContext
from app.ui.history_wording import kept_in_history
from app.ui.narrow_screen import relayout_up
from app.ui.qt_async import TaskRunner
from app.ui.transcripts import dialogs
from app.ui.transcripts.align_script import ALIGN_TASK, ScriptAligner
from app.ui.transcripts.export_dialog import ExportDialog, ExportRequest
from app.ui.transcripts.export_run import start_export
from app.ui.transcripts.messages import describe, opened_summary
from app.ui.transcripts.name_book import SpeakerNameList
from app.ui.transcripts.paragraph_model import ALL_CHANNELS, ParagraphModel, ParagraphRow
from app.ui.transcripts.phrase_panel import PhrasePanel
from app.ui.transcripts.playback import TranscriptPlayback
from app.ui.transcripts.queue_actions import QueueActions
from app.ui.transcripts.queue_controller import QueueController, QueueJob
from app.ui.transcripts.queue_panel import QueuePanel
from app.ui.transcripts.recording_link import RecordingLink
from app.ui.transcripts.review import ReviewControls
from app.ui.transcripts.source_panel import SourcePanel
from app.ui.transcripts.speakers_panel import SpeakersPanel
from app.ui.transcripts.strip_editing import StripEditing
from app.ui.transcripts.task_feedback import BUSY_TASKS, DELETING, TaskFeedback
from app.ui.transcripts.transcript_document import TranscriptDocument, saved_json
from app.ui.transcripts.transcript_search import TranscriptSearch
from app.ui.transcripts.transcripts_controller import Opened
from app.ui.transcripts.transcripts_controller import TranscriptsController as C
from app.ui.transcripts.transcripts_draft import TranscriptsDraft
from app.ui.transcripts.viewer_panel import ViewerPanel
from app.ui.transcripts.word_panel import WordPanel
from app.ui.widgets.error_banner import ErrorBanner
from app.ui.widgets.player_bar import PlayerBar
from app.ui.widgets.two_line_row import set_short_margins

SAVE_DELAY_MS = 600


class TranscriptsTab(QWidget):
    generation_saved = Signal(object)  # Generation

    def __init__(self, ctx: AppContext, runner: TaskRunner, player_bar: PlayerBar,
                 parent: QWidget | None = None, queue: QueueController | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transcripts.tab")
        self.setAcceptDrops(True)
        self._ctx = ctx
        self._runner = runner
        if queue is None:  # on its own (tests): its own queue, connected already
            queue = QueueController(ctx, runner, self)
            queue.load()
            queue.on_connected()
        self.queue = queue
        self.document = TranscriptDocument(self)
        self.model = ParagraphModel(self)
        self.controller = C(ctx, runner, self)
        self._build()
        self.playback = TranscriptPlayback(player_bar, self.model, self.viewer.view, self,
                                           runner)
        self.review = ReviewControls(self, self.playback)  # speed, loop, doubtful words
        self.names = SpeakerNameList(ctx.paths.data_dir / "speaker_names.json", self.document,
                                     self.speakers, runner, self._report)
        self.viewer.parentWidget().layout().insertWidget(1, self.review.bar)  # type: ignore[union-attr]
        self.strip_editing = StripEditing(self, self.document, self.model, self.playback,
                                          self.review, runner, self._report)
        self.viewer.parentWidget().layout().insertWidget(3, self.strip_editing.strip)  # type: ignore[union-attr]
        self._connect()
        self.draft.restore(self.load_generation)
        self.controller.refresh_recent()

    def edit_history(self) -> QUndoStack:  # what Edit > Undo and Redo act on here
        return self.document.undo_stack

    # -- layout ----------------------------------------------------------------------
    def _build(self) -> None:
        self.source = SourcePanel(self)
        self.speakers = SpeakersPanel(self)
        self.word_panel = WordPanel(self)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 6, 0)
        self.aligner = ScriptAligner(self, self.document, self.controller,
                                     lambda: self.source.media_path)
        self.phrases = PhrasePanel(self.document, self.model, self._report, self)
        self.queue_panel = QueuePanel(self.queue, self)
        for widget in (self.source, self.queue_panel, self.aligner.button, self.speakers,
                       self.word_panel, self.phrases):
            left_layout.addWidget(widget)
        left_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.speakers.list.setMaximumHeight(140)
        bar_width = scroll.verticalScrollBar().sizeHint().width()
        scroll.setMinimumWidth(max(320, left.minimumSizeHint().width() + bar_width + 4))
        self.viewer = ViewerPanel(self.model, self)
        self.error_banner = ErrorBanner("transcripts.error", self)
        self.status = QLabel("", self)
        self.status.setObjectName("transcripts.status")
        self.status.setWordWrap(True)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(6, 0, 0, 0)
        right_layout.addWidget(self.error_banner)
        right_layout.addWidget(self.viewer, 1)
        right_layout.addWidget(self.status)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("transcripts.splitter")
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 5)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)
        self._save_timer = self._timer(SAVE_DELAY_MS, self._save_edits)
        self.draft = TranscriptsDraft(self._ctx, self._runner, self.source, self.document, self)
        self._draft_timer = self.draft.timer

    def set_narrow(self, narrow: bool) -> None:
        """Stacked (app/ui/narrow_screen.py), the transcript's column has the tab's whole
        width, and the screen is short too: its rows of buttons take one line each
        instead of two, leaving that height to the transcript."""
        self.review.rows.set_two_lines(not narrow)
        self.viewer.set_edits_beside_find(narrow)
        set_short_margins(self.layout(), narrow)
        # (Qt leaves a hidden tab's inner layouts as they were: a tab built but not yet
        # shown held the window 50 pixels taller.)
        for widget in (self.review.bar, self.viewer):
            relayout_up(widget)

    def _report(self, text: str) -> None:
        self.status.setText(text)

    def _timer(self, delay_ms: int, slot: object) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(delay_ms)
        timer.timeout.connect(slot)
        return timer

    def _connect(self) -> None:
        s, v, c, d = self.source, self.viewer, self.controller, self.document
        s.fetch_requested.connect(self._on_source_fetch_requested)
        s.transcribe_requested.connect(self.start_transcription)
        s.cancel_requested.connect(lambda: c.cancel(C.TRANSCRIBE))
        s.cancel_requested.connect(lambda: c.cancel(ALIGN_TASK))
        s.media_chosen.connect(self.open_path)
        s.json_chosen.connect(self.open_path)
        s.recent_chosen.connect(self.load_generation)
        s.options.changed.connect(self._draft_timer.start)
        s.id_input.textChanged.connect(self._draft_timer.start)
        self.queue_actions = QueueActions(self)
        c.opened.connect(self._on_controller_opened)
        c.failed.connect(self._on_controller_failed)
        c.upload_progress.connect(s.show_upload)
        c.deleted.connect(self._on_controller_deleted)
        c.exported.connect(lambda path: self.status.setText(f"Exported to {path}"))
        c.export_stopped.connect(lambda path: self.status.setText(
            f"Export stopped: nothing was saved as {path}."))
        self.recording_link = RecordingLink(self)  # Link audio…, and the player's words
        c.recent_loaded.connect(s.set_recent)
        c.generation_added.connect(self._on_controller_generation_added)
        self.task_feedback = TaskFeedback(self._runner, s, self.status, self)
        d.changed.connect(self._on_document_changed)
        v.bind_undo_stack(d.undo_stack)
        self.search = TranscriptSearch(v, self.model, lambda: d.edited, self)
        self.search.match_chosen.connect(self.select_word)
        v.confidence.valueChanged.connect(lambda value: self.model.set_threshold(value / 100))
        v.channel_view.currentIndexChanged.connect(self._on_channel_view_changed)
        v.export.clicked.connect(self.open_export_dialog)
        v.delete.clicked.connect(self.confirm_delete)
        view = v.view
        view.original_text_of = d.original_text
        view.word_clicked.connect(self.select_word)
        view.word_activated.connect(self._on_view_word_activated)
        view.edit_requested.connect(self.word_panel.focus_editor)
        view.play_pause_requested.connect(self.playback.toggle)
        view.pause_requested.connect(self.playback.pause)
        view.step_requested.connect(self._on_view_step_requested)
        view.shuttle_requested.connect(self.playback.shuttle)
        self.speakers.rename_requested.connect(d.rename_speaker)
        self.speakers.merge_requested.connect(self._on_speakers_merge_requested)
        self.word_panel.correct_requested.connect(d.correct_word)
        for keys, slot in ((QKeySequence.StandardKey.Undo, d.undo_stack.undo),
                           (QKeySequence.StandardKey.Redo, d.undo_stack.redo),
                           (QKeySequence.StandardKey.Find, self.viewer.focus_search)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    # -- opening ---------------------------------------------------------------------
    def open_path(self, path: Path | str, parsed: Any = None) -> None:
        """A transcript file (.json) opens; a recording waits to be transcribed with the
        settings shown (used for drops and files named on the command line). `parsed`:
        the file's JSON, already read (the file router has), so it is not read again."""
        path = Path(path)
        self.error_banner.hide()
        if path.suffix.lower() == ".json":
            self.status.setText(f"Opening {path.name}…")
            self.controller.open_json(path, parsed)
            return
        self.source.set_media(path)
        self.source.show_settings(True)
        self.status.setText(f"Ready to transcribe {path.name}: check the settings on the left "
                            "and press Transcribe.")
        self.source.transcribe_button.setFocus()
        self._draft_timer.start()

    def queue_paths(self, paths: list[Path]) -> list[QueueJob]:
        """Queue recordings (a folder: the recordings in it) with the settings shown."""
        return self.queue_actions.queue_paths(paths)

    def load_generation(self, generation: Generation) -> None:
        """Re-open a transcript from History, with the edits made to it."""
        self.error_banner.hide()
        self.status.setText(f"Opening {generation.title}…")
        self.controller.open_generation(generation)

    def start_transcription(self) -> None:
        path = self.source.media_path
        if path is None or self.controller.is_running(C.TRANSCRIBE):
            return
        problems = self.source.options.problems()
        if problems:
            from app.api.transcripts import TranscriptionOptionsError

            self._on_controller_failed(C.TRANSCRIBE, TranscriptionOptionsError(problems))
            return
        self.error_banner.hide()
        if self.controller.transcribe(path, self.source.options.options()):
            self.task_feedback.started(C.TRANSCRIBE)  # at once, not on the next loop turn
            self.status.setText(f"Sending {path.name} to be transcribed…")

    def _on_source_fetch_requested(self, transcription_id: str) -> None:
        self.error_banner.hide()
        self.status.setText(f"Fetching transcript {transcription_id}…")
        self.controller.fetch(transcription_id)

    def _on_controller_opened(self, opened: Opened) -> None:
        self._flush_edits()
        self.recording_link.forget()  # (a link still loading was for the transcript before)
        self.model.colors.reset()
        self.document.open(opened.original, opened.edits, opened.source, opened.edited)
        self.search.reset()
        original = opened.original
        self.viewer.show_transcript(original, opened.source.title,
                                    self.document.is_offline_draft)
        if original.transcription_id:
            self.source.id_input.setText(original.transcription_id)
        prepared = opened.rows if self.model.channel_view == ALL_CHANNELS else None
        self._on_document_changed(save=False, rows=prepared)
        self.select_word(None)
        self.model.set_current_word(None)
        self.playback.set_audio(None, None, None)
        audio = opened.source.audio_path
        if audio is not None and audio.is_file():
            self.controller.load_audio(audio)
        kept = kept_in_history(self._ctx.history, "Kept in History.", "use Export… to keep it")
        self.status.setText(opened_summary(opened, kept))
        self.source.show_settings(False)
        self.viewer.view.setFocus()
        self._draft_timer.start()

    # -- the document ----------------------------------------------------------------
    def _on_document_changed(self, save: bool = True,
                             rows: list[ParagraphRow] | None = None) -> None:
        edited = self.document.edited
        self.model.set_transcript(edited, frozenset(self.document.edits.corrections), rows,
                                  None if rows is not None else self.document.last_patch)
        if self.model.selected_word is not None:  # e.g. after a merge: keep it in view
            self.viewer.view.show_word(self.model.selected_word)
        self.speakers.set_speakers(edited, {sid: self.model.speaker_color(sid)
                                            for sid in (edited.speakers if edited else {})})
        if self.model.selected_word is not None:
            self.select_word(self.model.selected_word, seek=False)
        self.search.refresh()
        if save:
            self._save_timer.start()

    def _save_edits(self) -> None:
        document = self.document
        path, original = document.source.saved_path, document.original
        if original is not None and path is not None:  # the JSON is made in the worker
            edits, source = document.edits, document.source
            self.controller.save(lambda: saved_json(original, edits, source), path)
            self.status.setText("Changes saved.")

    def save_edits_soon(self) -> None:
        self._save_timer.start()

    def _flush_edits(self) -> None:
        if self._save_timer.isActive():
            self._save_timer.stop()
            path = self.document.source.saved_path
            if self.document.is_open and path is not None:
                self.controller.save_now(self.document.to_json(), path)

    def select_word(self, index: int | None, seek: bool = True) -> None:
        edited = self.document.edited
        if index is None or edited is None or not 0 <= index < len(edited.words):
            self.model.set_selected_word(None)
            self.word_panel.show_word(None, None, "")
            return
        word = edited.words[index]
        self.model.set_selected_word(index)
        self.word_panel.show_word(word, self.document.original_text(index),
                                  edited.speaker_name(word.speaker_id))
        if seek:
            if self.playback.has_audio:
                self.playback.seek_to_word(index)
            else:
                self.model.set_current_word(index)
                self.status.setText("No recording linked: use Link audio… to hear this word.")

    def _on_view_word_activated(self, index: int) -> None:
        self.select_word(index, seek=False)
        self.word_panel.focus_editor()

    def _on_view_step_requested(self, direction: int) -> None:
        target = self.playback.step(direction)
        if target is not None:
            self.select_word(target, seek=False)

    def _on_speakers_merge_requested(self, from_id: str, into_id: str) -> None:
        try:
            self.document.merge_speakers(from_id, into_id)
        except ValueError as exc:
            self.status.setText(f"These two cannot be merged: {exc}")

    def _on_channel_view_changed(self, *_args: object) -> None:
        value = self.viewer.channel_view.currentData()
        self.model.set_channel_view(value if isinstance(value, int) else ALL_CHANNELS)

    # -- audio link, export, delete -------------------------------------------------------
    def link_audio(self, path: Path) -> None:
        self.recording_link.link_audio(path)

    def open_export_dialog(self) -> ExportDialog | None:
        document = self.document
        if document.original is None:
            return None
        original = document.original

        def export(request: ExportRequest) -> bool:
            return start_export(self, self.status, self.controller, original,
                                document.edits, request)

        return dialogs.export_dialog(self, document.source, export,
                                     has_timings=original.has_timestamps)

    def confirm_delete(self) -> QMessageBox | None:
        original = self.document.original
        if original is None or not original.transcription_id:
            return None
        transcription_id = original.transcription_id

        def delete() -> None:
            self.status.setText(DELETING)
            self.controller.delete_remote(transcription_id)

        return dialogs.confirm_delete(self, transcription_id, delete)

    def _on_controller_deleted(self, transcription_id: str) -> None:
        self.viewer.delete.setEnabled(False)
        kept = kept_in_history(self._ctx.history, "Your copy on this computer is kept in "
                               "History.", "use Export… to keep a copy")
        self.status.setText(f"Transcript {transcription_id} was deleted from the server. {kept}")

    # -- tasks -----------------------------------------------------------------------
    def _on_controller_failed(self, task: str, exc: object) -> None:
        error = exc if isinstance(exc, BaseException) else Exception(str(exc))
        self.error_banner.show_message(describe(task, error))
        if task == C.AUDIO:
            self.recording_link.forget()  # not readable: the recording it had stays
        if task in BUSY_TASKS or (task.startswith(f"{C.EXPORT}.")
                                  and self.status.text().startswith("Exporting to ")):
            self.status.setText("")  # (the banner says what happened)

    def _on_controller_generation_added(self, generation: Generation) -> None:
        self.generation_saved.emit(generation)
        self.controller.refresh_recent()

    # -- drops and drafts ------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if not paths:
            return
        event.acceptProposedAction()
        if len(paths) == 1 and paths[0].is_file():
            self.open_path(paths[0])
        else:  # several recordings, or a folder: one after another
            self.queue_paths(paths)

    def flush_draft(self) -> None:
        """Save now (on quit), synchronously: the loop may be stopping."""
        self._draft_timer.stop()
        self._flush_edits()
        self.draft.save_now()
