"""“Align to a script…”: exact word times for a text the editor already has.

The dialog takes the recording (the open transcript's, or one chosen) and the script:
the corrected transcript as it stands, or a text file. The work runs as the task
`transcripts.align` (cancellable like the others): the recording and the text go to
`POST /v1/forced-alignment` (the cloud with a key, or the local engine offline), the
answer becomes a transcript (app/domain/alignment.py) with the open transcript's
speakers carried over by position, and opens in the tab like any other.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.api.alignment import AlignmentInputError, AlignmentService
from app.api.errors import ApiProtocolError
from app.domain.alignment import alignment_to_transcript, script_from_words
from app.domain.text_file import NotTextError
from app.domain.transcript import Transcript
from app.domain.transcript_edit import TranscriptEdits
from app.domain.transcript_parse import parse_transcript
from app.library.text_files import read_text_file
from app.ui.keyboard import enter_pays_only_when_aimed
from app.ui.transcripts.transcript_document import TranscriptDocument, TranscriptSource
from app.ui.transcripts.transcripts_controller import Opened, TranscriptsController

ALIGN_TASK = "transcripts.align"
_MEDIA_FILTER = "Audio or video (*.wav *.mp3 *.flac *.ogg *.opus *.m4a *.aac *.mp4 *.webm " \
                "*.mov *.mkv);;All files (*)"
_TEXT_FILTER = "Text (*.txt *.md *.srt *.vtt);;All files (*)"


def _named(widget: QWidget, name: str, accessible: str) -> None:
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)


def transcript_script(transcript: Transcript) -> tuple[str, list[str | None]]:
    """The corrected transcript's words as a script, and each word's speaker."""
    words = [(w.text.strip(), w.speaker_id) for w in transcript.words
             if w.kind == "word" and w.text.strip()]
    return script_from_words(words), [speaker for _, speaker in words]


def read_script_file(path: Path) -> str:
    """The text of a script file, read as every text the app opens is (UTF-8, UTF-16
    with its byte order mark, Windows-1252). Raises AlignmentInputError for a file that
    is not text: its bytes were once read with replacement characters and the letters
    they happened to spell were aligned as the script. Blocking: run it in a worker."""
    try:
        return read_text_file(path)
    except NotTextError as exc:
        raise AlignmentInputError(f"The script {path.name} is not text ({exc}).") from exc
    except OSError as exc:
        raise AlignmentInputError(f"The script {path.name} cannot be read "
                                  f"({exc.strerror or exc}).") from exc


class AlignScriptDialog(QDialog):
    """Which recording, which script. `recording` and `script_path` can be set by code."""

    def __init__(self, recording: Path | None, has_transcript: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Align to a script")
        _named(self, "transcripts.align_dialog", "Align to a script")
        self.recording = recording
        self.script_path: Path | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Exact word times for a text you already have (an approved "
                                "script, a narration). The words are kept as written.", self))
        row = QHBoxLayout()
        self.recording_label = QLabel(self)
        _named(self.recording_label, "transcripts.align_recording_label", "Recording")
        choose_recording = QPushButton("Recording…", self)
        _named(choose_recording, "transcripts.align_choose_recording", "Choose the recording")
        choose_recording.clicked.connect(self._choose_recording)
        row.addWidget(self.recording_label, 1)
        row.addWidget(choose_recording)
        layout.addLayout(row)
        self.use_transcript = QRadioButton("The corrected transcript, as it is now", self)
        _named(self.use_transcript, "transcripts.align_use_transcript",
               "Use the corrected transcript as the script")
        self.use_file = QRadioButton("A text file…", self)
        _named(self.use_file, "transcripts.align_use_file", "Use a text file as the script")
        group = QButtonGroup(self)
        group.addButton(self.use_transcript)
        group.addButton(self.use_file)
        self.use_transcript.setEnabled(has_transcript)
        (self.use_transcript if has_transcript else self.use_file).setChecked(True)
        layout.addWidget(self.use_transcript)
        file_row = QHBoxLayout()
        file_row.addWidget(self.use_file)
        self.script_label = QLabel("no file chosen", self)
        _named(self.script_label, "transcripts.align_script_label", "Script file")
        choose_script = QPushButton("Choose…", self)
        _named(choose_script, "transcripts.align_choose_script", "Choose the script file")
        choose_script.clicked.connect(self._choose_script)
        file_row.addWidget(self.script_label, 1)
        file_row.addWidget(choose_script)
        layout.addLayout(file_row)
        if has_transcript:
            layout.addWidget(QLabel("Speakers of the open transcript carry over by position.",
                                    self))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.align_button = self.buttons.addButton("Align",
                                                   QDialogButtonBox.ButtonRole.AcceptRole)
        _named(self.align_button, "transcripts.align_start", "Align")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.use_file.toggled.connect(self.refresh)
        # Align may be paid: Enter aligns only from Align itself. The focus starts on the
        # script choice, what the user settles first (it started on Align, so the Enter
        # meant for the dialog's first field aligned at once). With no recording yet, it
        # starts on choosing one, the top line (it started on the script below it).
        enter_pays_only_when_aimed(self, self.align_button)
        if recording is None:
            choose_recording.setFocus()
        else:
            (self.use_transcript if has_transcript else self.use_file).setFocus()
        self.refresh()

    def set_script_path(self, path: Path) -> None:
        self.script_path = path
        self.use_file.setChecked(True)
        self.refresh()

    def set_recording(self, path: Path) -> None:
        self.recording = path
        self.refresh()

    def refresh(self, *_args: object) -> None:
        self.recording_label.setText(self.recording.name if self.recording
                                     else "no recording chosen")
        if self.script_path is not None:
            self.script_label.setText(self.script_path.name)
        ready = self.recording is not None and (
            self.use_transcript.isChecked() or self.script_path is not None)
        self.align_button.setEnabled(ready)

    def _choose_recording(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Recording to align", "", _MEDIA_FILTER)
        if name:
            self.set_recording(Path(name))

    def _choose_script(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Script to align", "", _TEXT_FILTER)
        if name:
            self.set_script_path(Path(name))


class ScriptAligner:
    """The button, the dialog and the task; the result opens through the controller."""

    def __init__(self, parent: QWidget, document: TranscriptDocument,
                 controller: TranscriptsController, media_path: object) -> None:
        self._parent = parent
        self._document = document
        self._controller = controller
        self._media_path = media_path  # () -> Path | None: the recording chosen in the tab
        self.button = QPushButton("Align to a script…", parent)
        _named(self.button, "transcripts.align_script",
               "Align to a script: exact word times for a known text")
        self.button.setToolTip("Exact word times for a text you already have: the corrected "
                               "transcript or a text file")
        self.button.clicked.connect(self.open_dialog)
        self.dialog: AlignScriptDialog | None = None

    def _recording(self) -> Path | None:
        audio = self._document.source.audio_path if self._document.is_open else None
        chosen = self._media_path()  # type: ignore[operator]
        return audio or (chosen if isinstance(chosen, Path) else None)

    def open_dialog(self) -> AlignScriptDialog:
        dialog = AlignScriptDialog(self._recording(), self._document.edited is not None,
                                   self._parent)
        dialog.accepted.connect(lambda: self._start(dialog))
        dialog.setModal(True)
        dialog.show()
        self.dialog = dialog
        return dialog

    def _start(self, dialog: AlignScriptDialog) -> None:
        recording = dialog.recording
        if recording is None:
            return
        edited = self._document.edited
        speakers: list[str | None] = []
        names: dict[str, str] = {}
        text: str | None = None
        if edited is not None:
            script, speakers = transcript_script(edited)
            names = {s.id: s.name for s in edited.speakers.values()}
            if dialog.use_transcript.isChecked():
                text = script
        script_path = None if text is not None else dialog.script_path
        self._controller.start_task(
            ALIGN_TASK, lambda: self._align(recording, text, script_path, speakers, names))

    async def _align(self, recording: Path, text: str | None, script_path: Path | None,
                     speakers: list[str | None], names: dict[str, str]) -> None:
        if text is None and script_path is not None:
            text = await asyncio.to_thread(read_script_file, script_path)
        service = AlignmentService(self._controller.client)
        try:
            result, info = await service.create(recording, text or "",
                                                self._controller.upload_progress.emit)
        except ApiProtocolError as exc:
            if exc.info is not None:  # the server aligned (and charged), then sent junk
                await self._controller.record_alignment_cost(recording, text or "", None,
                                                             exc.info)
            raise
        try:
            raw = alignment_to_transcript(result, speakers=speakers, speaker_names=names)
            original = await asyncio.to_thread(parse_transcript, raw)
        except Exception:
            await self._controller.record_alignment_cost(recording, text or "", None, info)
            raise
        title = f"{recording.stem} (aligned)"
        source = TranscriptSource(audio_path=recording, title=title)
        opened = Opened(original, TranscriptEdits(), source, info, how="aligned")
        await self._controller.record_alignment_cost(recording, text or "",
                                                     original.duration_ms or None, info)
        await self._controller.keep_and_open(opened, raw)


__all__ = ["ALIGN_TASK", "AlignScriptDialog", "ScriptAligner", "read_script_file",
           "transcript_script"]
