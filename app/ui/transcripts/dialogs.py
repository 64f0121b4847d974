"""The tab's small non-modal dialogs (opened with `open()`, never `exec()`: a nested
event loop inside a coroutine would stall qasync)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app.ui.transcripts.export_dialog import ExportDialog, ExportRequest
from app.ui.transcripts.source_panel import MEDIA_FILTER
from app.ui.transcripts.transcript_document import TranscriptSource
from app.ui.widgets.file_dialogs import ask_folder_path, ask_open_path, ask_open_paths


def choose_recording(parent: QWidget, on_chosen: Callable[[Path], None]) -> QFileDialog:
    return ask_open_path(parent, "transcripts.link_dialog",
                         "Choose the recording of this transcript", "",
                         lambda path: on_chosen(Path(path)), MEDIA_FILTER)


def choose_recordings(parent: QWidget, on_chosen: Callable[[list[Path]], object]
                      ) -> QFileDialog:
    return ask_open_paths(parent, "transcripts.queue_add_dialog", "Recordings to transcribe",
                          MEDIA_FILTER.split(";;"),
                          lambda files: on_chosen([Path(f) for f in files]))


def choose_folder(parent: QWidget, on_chosen: Callable[[list[Path]], object]) -> QFileDialog:
    return ask_folder_path(parent, "transcripts.queue_folder_dialog",
                           "A folder of recordings to transcribe", "",
                           lambda folder: on_chosen([Path(folder)]))


def export_dialog(parent: QWidget, source: TranscriptSource,
                  on_request: Callable[[ExportRequest], object],
                  has_timings: bool = True) -> ExportDialog:
    """Suggests a file named after the transcript, beside its recording; subtitles are
    offered only when the transcript has word times."""
    folder = source.audio_path.parent if source.audio_path else Path.home()
    stem = Path(source.title).stem if source.title else "transcript"
    suffix = ".srt" if has_timings else ".txt"
    dialog = ExportDialog(folder / f"{stem}{suffix}", parent, has_timings)
    dialog.export_requested.connect(on_request)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog


def confirm_delete(parent: QWidget, transcription_id: str,
                   on_yes: Callable[[], None]) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Warning, "Delete transcript from the server?",
                      f"Delete transcript {transcription_id} from the server? This cannot "
                      "be undone. Your copy on this computer stays.",
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                      parent)
    box.setObjectName("transcripts.delete_confirm")
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Yes).setText("Delete")

    def answered(result: int) -> None:
        if result == QMessageBox.StandardButton.Yes.value:
            on_yes()

    box.finished.connect(answered)
    box.finished.connect(box.deleteLater)
    box.open()
    return box
