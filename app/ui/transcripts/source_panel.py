"""Where a transcript comes from: an id, an audio or video file to transcribe, a saved
transcript file, or the list of recent ones. Also the Transcribe button, its progress
and Cancel."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal, SignalInstance
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.library.history import Generation
from app.ui.icons import icon
from app.ui.transcripts.options_panel import OptionsPanel
from app.ui.widgets.file_dialogs import ask_open_path

MEDIA_FILTER = ("Audio and video (*.mp3 *.wav *.m4a *.aac *.flac *.ogg *.opus *.webm *.mp4 "
                "*.mov *.mkv *.avi *.wma *.aiff *.aif);;All files (*)")
JSON_FILTER = "Transcripts (*.json);;All files (*)"


class SourcePanel(QWidget):
    fetch_requested = Signal(str)
    transcribe_requested = Signal()
    cancel_requested = Signal()
    json_chosen = Signal(object)  # Path
    media_chosen = Signal(object)  # Path
    recent_chosen = Signal(object)  # Generation

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.media_path: Path | None = None
        self._busy = False

        get_box = QGroupBox("Get a transcript", self)
        self.id_input = QLineEdit(get_box)
        self.id_input.setObjectName("transcripts.id_input")
        self.id_input.setPlaceholderText("Transcription id")
        self.id_input.setClearButtonEnabled(True)
        self.fetch_button = QPushButton(icon("open"), "Fetch", get_box)
        self.fetch_button.setObjectName("transcripts.fetch")
        self.fetch_button.setToolTip("Download a transcript made earlier, by its id")
        self.choose_button = QPushButton(icon("open"), "Recording…", get_box)
        self.choose_button.setObjectName("transcripts.choose_file")
        self.choose_button.setToolTip("Pick an audio or video recording to transcribe")
        self.open_json_button = QPushButton(icon("transcript"), "Transcript file…", get_box)
        self.open_json_button.setObjectName("transcripts.open_json")
        self.open_json_button.setToolTip("Open a transcript saved as JSON (one channel or "
                                         "several)")
        self.recent = QComboBox(get_box)
        self.recent.setObjectName("transcripts.recent")
        self.recent.setToolTip("Transcripts you made or opened before")
        self.recent.addItem("Recent transcripts…", None)

        id_row = QHBoxLayout()
        id_row.addWidget(self.id_input, 1)
        id_row.addWidget(self.fetch_button)
        open_row = QHBoxLayout()
        open_row.addWidget(self.choose_button, 1)
        open_row.addWidget(self.open_json_button, 1)
        get_layout = QVBoxLayout(get_box)
        get_layout.addLayout(id_row)
        get_layout.addLayout(open_row)
        get_layout.addWidget(self.recent)

        self.file_label = QLabel("No recording chosen yet.", self)
        self.file_label.setObjectName("transcripts.file_label")
        self.file_label.setWordWrap(True)
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.options = OptionsPanel(self)
        self.options.setTitle("")  # the fold button below names it
        self.settings_toggle = QToolButton(self)
        self.settings_toggle.setObjectName("transcripts.settings_toggle")
        self.settings_toggle.setText("Transcription settings")
        self.settings_toggle.setCheckable(True)
        self.settings_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.settings_toggle.setAutoRaise(True)
        self.settings_toggle.toggled.connect(self.show_settings)
        self.transcribe_button = QPushButton(icon("generate"), "Transcribe", self)
        self.transcribe_button.setObjectName("transcripts.transcribe")
        self.transcribe_button.setEnabled(False)
        self.cancel_button = QPushButton(icon("cancel"), "Cancel", self)
        self.cancel_button.setObjectName("transcripts.cancel")
        self.cancel_button.setVisible(False)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("transcripts.progress")
        self.progress.setRange(0, 1000)
        self.progress.setVisible(False)
        self.elapsed = QLabel(self)
        self.elapsed.setObjectName("transcripts.elapsed")

        actions = QHBoxLayout()
        actions.addWidget(self.transcribe_button)
        actions.addWidget(self.cancel_button)
        actions.addWidget(self.elapsed)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(get_box)
        layout.addWidget(self.file_label)
        layout.addWidget(self.settings_toggle)
        layout.addWidget(self.options)
        layout.addLayout(actions)
        layout.addWidget(self.progress)

        self.fetch_button.clicked.connect(self._on_fetch_clicked)
        self.id_input.returnPressed.connect(self._on_fetch_clicked)
        self.id_input.textChanged.connect(self._update)
        self.choose_button.clicked.connect(self._on_choose_clicked)
        self.open_json_button.clicked.connect(self._on_open_json_clicked)
        self.transcribe_button.clicked.connect(self.transcribe_requested)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.recent.activated.connect(self._on_recent_activated)
        self.options.changed.connect(self._update)
        self._started_at = 0.0
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._on_clock_timeout)
        self.show_settings(True)
        self._update()

    # -- state -----------------------------------------------------------------------
    def show_settings(self, visible: bool) -> None:
        """Fold the settings away while reviewing; unfold them to transcribe."""
        self.settings_toggle.blockSignals(True)
        self.settings_toggle.setChecked(visible)
        self.settings_toggle.blockSignals(False)
        self.settings_toggle.setArrowType(Qt.ArrowType.DownArrow if visible
                                          else Qt.ArrowType.RightArrow)
        self.options.setVisible(visible)

    def set_media(self, path: Path | None) -> None:
        self.media_path = path
        self.file_label.setText(f"Recording: <b>{path.name}</b>" if path else
                                "No recording chosen yet.")
        self.file_label.setToolTip(str(path) if path else "")
        self._update()

    @property
    def is_busy(self) -> bool:
        return self._busy

    def set_busy(self, busy: bool) -> None:
        self.cancel_button.setVisible(busy)
        self.progress.setVisible(busy)
        if busy:
            self.progress.setRange(0, 1000)
            self.progress.setValue(0)
        for widget in (self.fetch_button, self.choose_button, self.open_json_button,
                       self.recent, self.options):
            widget.setEnabled(not busy)
        self._busy = busy
        if busy:
            self._started_at = time.monotonic()
            self._clock.start()
            self._on_clock_timeout()
        else:
            self._clock.stop()
            self.elapsed.clear()
        self._update()

    def _on_clock_timeout(self) -> None:
        seconds = int(time.monotonic() - self._started_at)
        self.elapsed.setText(f"{seconds // 60}:{seconds % 60:02d} elapsed")

    def show_upload(self, sent: int, total: int) -> None:
        if total > 0 and sent < total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(sent * 1000 / total))
            self.progress.setFormat(f"Uploading… %p% of {total / 1e6:.1f} MB")
        else:
            self.progress.setRange(0, 0)  # a busy bar while the server works
            self.progress.setFormat("Transcribing…")

    def set_recent(self, items: list[Generation]) -> None:
        self.recent.blockSignals(True)
        self.recent.clear()
        self.recent.addItem("Recent transcripts…" if items else "No recent transcripts", None)
        for generation in items:
            when = generation.created.astimezone().strftime("%d %b %H:%M")
            self.recent.addItem(f"{generation.title} · {when}", generation)
        self.recent.blockSignals(False)

    def _update(self, *_args: object) -> None:
        busy = self._busy
        self.fetch_button.setEnabled(not busy and bool(self.id_input.text().strip()))
        problems = self.options.problems()
        self.transcribe_button.setEnabled(not busy and self.media_path is not None)
        tip = "Send the recording to be transcribed" if not problems else \
            "Fix the settings first: " + " ".join(problems)
        self.transcribe_button.setToolTip(tip if self.media_path else
                                          "Choose an audio or video file first")

    # -- dialogs (non-modal) ---------------------------------------------------------
    def _on_fetch_clicked(self) -> None:
        text = self.id_input.text().strip()
        if text:
            self.fetch_requested.emit(text)

    def _open_dialog(self, title: str, filter_text: str, signal: SignalInstance
                     ) -> QFileDialog:
        start = str(self.media_path.parent) if self.media_path else ""
        return ask_open_path(self, "transcripts.file_dialog", title, start,
                             lambda path: signal.emit(Path(path)), filter_text)

    def _on_choose_clicked(self) -> None:
        self._open_dialog("Choose a recording to transcribe", MEDIA_FILTER, self.media_chosen)

    def _on_open_json_clicked(self) -> None:
        self._open_dialog("Open a transcript", JSON_FILTER, self.json_chosen)

    def _on_recent_activated(self, row: int) -> None:
        generation = self.recent.itemData(row)
        if isinstance(generation, Generation):
            self.recent_chosen.emit(generation)
        self.recent.setCurrentIndex(0)
