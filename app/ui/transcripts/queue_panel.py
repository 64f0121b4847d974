"""The Transcripts tab's queue: recordings waiting, running, done, failed or cancelled,
each with its own progress, Cancel, Retry, Remove, and settings that can be changed
until it starts. A finished one opens as a transcript (Open, Enter or a double-click).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.stt_options import TranscriptionOptions
from app.services.transcription_queue import QueueJob
from app.ui.shortcuts import keys as shortcut_keys
from app.ui.transcripts.options_panel import OptionsPanel
from app.ui.transcripts.queue_controller import QueueController
from app.ui.transcripts.queue_model import ProgressDelegate, QueueModel

EMPTY_TEXT = ("Drop several recordings or a folder on this tab (or Add files…) to "
              "transcribe them one after another.")


def show_options(panel: OptionsPanel, options: TranscriptionOptions) -> None:
    """Set an options panel to `options` (what the panel can show of them)."""
    index = panel.model.findData(options.model_id)
    if index >= 0:
        panel.model.setCurrentIndex(index)
    language = panel.language.findData(options.language_code or "")
    if language >= 0:
        panel.language.setCurrentIndex(language)
    else:
        panel.language.setCurrentText(options.language_code or "")
    panel.diarize.setChecked(options.diarize)
    panel.num_speakers.setValue(options.num_speakers or 0)
    panel.threshold.setValue(options.diarization_threshold or 0.0)
    granularity = panel.granularity.findData(options.timestamps_granularity)
    if granularity >= 0:
        panel.granularity.setCurrentIndex(granularity)
    panel.tag_events.setChecked(options.tag_audio_events)
    panel.no_verbatim.setChecked(options.no_verbatim)
    panel.multichannel.setChecked(options.use_multi_channel)
    panel.keyterms.setText(", ".join(options.keyterms))
    chosen = {f.format for f in options.additional_formats}
    for value, box in panel.formats.items():
        box.setChecked(value in chosen)


class JobSettingsDialog(QDialog):
    """The settings of one waiting job (non-modal; opened with open())."""

    def __init__(self, job: QueueJob, on_saved: Callable[[TranscriptionOptions], object],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transcripts.queue_settings_dialog")
        self.setWindowTitle(f"Settings for {job.title}")
        self.options = OptionsPanel(self)
        self.options.setTitle(f"How {job.title} is transcribed")
        show_options(self.options, job.options)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.setObjectName("transcripts.queue_settings_buttons")
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("transcripts.queue_settings_save")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.options.changed.connect(
            lambda: self.save_button.setEnabled(not self.options.problems()))
        layout = QVBoxLayout(self)
        layout.addWidget(self.options)
        layout.addWidget(buttons)
        self.accepted.connect(lambda: on_saved(self.options.options()))
        self.finished.connect(self.deleteLater)


class QueuePanel(QGroupBox):
    open_requested = Signal(object)  # QueueJob (done)
    add_requested = Signal()
    add_folder_requested = Signal()
    link_requested = Signal()
    record_requested = Signal()

    def __init__(self, controller: QueueController, parent: QWidget | None = None) -> None:
        super().__init__("Queue", parent)
        self.setObjectName("transcripts.queue_box")
        self.controller = controller
        self.model = QueueModel(controller, self)
        self.summary = QLabel(EMPTY_TEXT, self)
        self.summary.setObjectName("transcripts.queue_summary")
        self.summary.setWordWrap(True)
        self.table = QTableView(self)
        self.table.setObjectName("transcripts.queue")
        self.table.setModel(self.model)
        self.table.setItemDelegate(ProgressDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        # The recording's name takes what the narrow column leaves (ending in "…"):
        # fixed widths for it and the status left Settings too little on a 1440x900
        # screen, and the table scrolled sideways with its header cut at "Sett".
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.table.setColumnWidth(1, 110)
        self.table.setColumnWidth(2, 90)
        self.table.setMinimumHeight(110)
        self.table.setMaximumHeight(200)
        remove = QShortcut(shortcut_keys("queue_remove"), self.table)
        remove.setContext(Qt.ShortcutContext.WidgetShortcut)
        remove.activated.connect(self.remove_selected)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.table.activated.connect(self._on_table_double_clicked)
        self.buttons: dict[str, QPushButton] = {}
        grid = QGridLayout()
        for n, (name, text, tip) in enumerate((
                ("add", "Add files…", "Add recordings to the queue, transcribed with the "
                 "settings above"),
                ("add_folder", "Add folder…", "Add every recording in a folder"),
                ("record", "Record…", "Record from the microphone, then transcribe it "
                 "(Ctrl+R)"),
                ("link", "From a link…", "Transcribe a recording on the web (needs an "
                 "ElevenLabs key)"),
                ("open", "Open", "Open the finished transcript (Enter, double-click)"),
                ("settings", "Settings…", "Change how the chosen waiting recording is "
                 "transcribed"),
                ("cancel", "Cancel", "Stop the chosen recordings (nothing is kept of them)"),
                ("retry", "Retry", "Try the chosen failed or cancelled recordings again"),
                ("remove", "Remove", "Take the chosen recordings off the list (Delete); "
                 "finished transcripts stay in History"))):
            button = QPushButton(text, self)
            button.setObjectName(f"transcripts.queue_{name}")
            button.setToolTip(tip)
            self.buttons[name] = button
            grid.addWidget(button, n // 3, n % 3)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        layout.addLayout(grid)
        b = self.buttons
        b["add"].clicked.connect(self.add_requested)
        b["add_folder"].clicked.connect(self.add_folder_requested)
        b["link"].clicked.connect(self.link_requested)
        b["record"].clicked.connect(self.record_requested)
        b["open"].clicked.connect(self._on_open_clicked)
        b["settings"].clicked.connect(self.edit_settings)
        b["cancel"].clicked.connect(lambda: self._each(controller.queue.cancel))
        b["retry"].clicked.connect(lambda: self._each(controller.queue.retry))
        b["remove"].clicked.connect(self.remove_selected)
        self.table.selectionModel().selectionChanged.connect(self._update)
        for signal in (controller.job_changed, controller.job_removed):
            signal.connect(self._update)
        controller.loaded.connect(self._update)
        self._update()

    # -- the chosen jobs -------------------------------------------------------------
    def selected_jobs(self) -> list[QueueJob]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [job for job in (self.model.job_at(row) for row in rows) if job is not None]

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _each(self, action: Callable[[str], bool]) -> None:
        for job in self.selected_jobs():
            action(job.job_id)
        self._update()

    def remove_selected(self) -> None:
        self._each(self.controller.queue.remove)

    def edit_settings(self) -> JobSettingsDialog | None:
        jobs = [job for job in self.selected_jobs() if job.state in ("waiting", "failed",
                                                                     "cancelled")]
        if not jobs:
            return None
        queue = self.controller.queue

        def save(options: TranscriptionOptions) -> None:
            for job in jobs:
                queue.set_options(job.job_id, options)

        dialog = JobSettingsDialog(jobs[0], save, self)
        dialog.open()
        return dialog

    def _on_open_clicked(self) -> None:
        for job in self.selected_jobs()[:1]:
            if job.state == "done":
                self.open_requested.emit(job)

    def _on_table_double_clicked(self, index: object) -> None:
        job = self.model.job_at(getattr(index, "row", lambda: -1)())
        if job is not None and job.state == "done":
            self.open_requested.emit(job)
        elif job is not None and job.state in ("waiting", "failed", "cancelled"):
            self.table.selectRow(self.model.row_of(job.job_id))
            self.edit_settings()

    def _update(self, *_args: object) -> None:
        jobs = self.selected_jobs()
        states = {job.state for job in jobs}
        b = self.buttons
        b["open"].setEnabled(len(jobs) == 1 and "done" in states)
        b["settings"].setEnabled(bool(states & {"waiting", "failed", "cancelled"}))
        b["cancel"].setEnabled(bool(states & {"waiting", "running"}))
        b["retry"].setEnabled(bool(states & {"failed", "cancelled"}))
        b["remove"].setEnabled(bool(jobs))
        counts = self.controller.queue.counts()
        if not self.controller.jobs:
            self.summary.setText(EMPTY_TEXT)
            return
        words = [f"{counts[state]} {label}" for state, label in (
            ("running", "running"), ("waiting", "waiting"), ("done", "done"),
            ("failed", "failed"), ("cancelled", "cancelled")) if counts[state]]
        self.summary.setText(", ".join(words) + ".")
        self.summary.setAlignment(Qt.AlignmentFlag.AlignLeft)
