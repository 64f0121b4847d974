"""Export the transcript: subtitles (SRT, WebVTT), plain text or JSON, edits applied.

The dialog is non-modal (opened with `open()`); pressing Export emits `export_requested`
with an `ExportRequest`; the tab renders and writes it (`render_and_write`) in a worker
thread, all or nothing, with a progress window whose Cancel stops it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.render_steps import Step
from app.domain.subtitles import (
    NEEDS_TIMINGS,
    CueRules,
    build_cues,
    to_plain_text,
    to_srt,
    to_vtt,
)
from app.domain.transcript import Transcript
from app.domain.transcript_edit import TranscriptEdits, to_api_json
from app.library.stoppable_write import RenderPace, check, write_bytes
from app.ui.widgets.file_dialogs import ask_save_path

FORMATS = (("srt", "SRT subtitles (.srt)"), ("vtt", "WebVTT subtitles (.vtt)"),
           ("txt", "Plain text (.txt)"), ("json", "Transcript JSON with your edits (.json)"),
           ("docx", "Word document (.docx)"), ("html", "Printable web page (.html)"),
           ("pdf", "PDF for printing (.pdf)"))


@dataclass(frozen=True)
class ExportRequest:
    format: str  # srt, vtt, txt or json
    path: Path
    rules: CueRules = field(default_factory=CueRules)
    text_timestamps: bool = False
    text_speakers: bool = True
    highlight_doubtful: bool = False  # .docx / .html: low-confidence words highlighted
    title: str = "Transcript"


def render_export(original: Transcript, edits: TranscriptEdits,
                  request: ExportRequest, step: Step | None = None) -> str | bytes:
    """The file's text (bytes for .docx). `original` is the server's transcript; edits
    are applied here. `step(done, total)` is called between the pieces (paragraphs,
    subtitles, words) and may raise to stop (app/domain/render_steps.py)."""
    if request.format in ("docx", "html", "pdf"):
        from app.services.transcript_documents import to_docx, to_html

        if request.format == "pdf":
            from app.ui.transcripts.pdf_export import html_to_pdf

            # (Qt lays out and writes the PDF in one go, after the stoppable web page.)
            return html_to_pdf(to_html(
                edits.apply(original), title=request.title,
                timestamps=request.text_timestamps, speakers=request.text_speakers,
                highlight_doubtful=request.highlight_doubtful,
                corrected=frozenset(edits.corrections), step=step), request.title)
        render = to_docx if request.format == "docx" else to_html
        return render(edits.apply(original), title=request.title,
                      timestamps=request.text_timestamps, speakers=request.text_speakers,
                      highlight_doubtful=request.highlight_doubtful,
                      corrected=frozenset(edits.corrections), step=step)
    if request.format == "json":
        return _json_text(to_api_json(original, edits, step), step, len(original.words))
    edited = edits.apply(original)
    if request.format == "txt":
        return to_plain_text(edited, timestamps=request.text_timestamps,
                             speakers=request.text_speakers, step=step)
    cues = build_cues(edited, request.rules, step)
    return to_vtt(cues) if request.format == "vtt" else to_srt(cues)


_JSON_CHUNKS = 20_000  # (a 3-hour transcript is about a million small chunks)


def _json_text(data: dict[str, object], step: Step | None, words: int) -> str:
    """`json.dumps(data, ensure_ascii=False, indent=1)` plus a line end, made in chunks
    so that `step` (at its end: the words are done) can stop it in between."""
    chunks: list[str] = []
    encoder = json.JSONEncoder(ensure_ascii=False, indent=1)
    for n, chunk in enumerate(encoder.iterencode(data), start=1):
        chunks.append(chunk)
        if step is not None and n % _JSON_CHUNKS == 0:
            step(words, words)  # (the words were the pieces: all done)
    return "".join(chunks) + "\n"


def render_and_write(original: Transcript, edits: TranscriptEdits, request: ExportRequest,
                     stop: threading.Event,
                     progress: Callable[[int, int], None] | None = None) -> Path:
    """In a worker thread: the file made and written all or nothing, `stop` checked
    between the rendered pieces and between the written ones; `progress(done, total)`
    hears how far the rendering got (at most about a hundred times)."""
    check(stop, request.path)
    rendered = render_export(original, edits, request,
                             RenderPace(stop, request.path, progress))
    data = rendered if isinstance(rendered, bytes) else rendered.encode("utf-8")
    return write_bytes(request.path, data, stop=stop)


class ExportDialog(QDialog):
    export_requested = Signal(object)  # ExportRequest

    def __init__(self, suggested: Path, parent: QWidget | None = None,
                 has_timings: bool = True) -> None:
        super().__init__(parent)
        self._has_timings = has_timings  # without word times no subtitles can be made
        self.setObjectName("transcripts.export_dialog")
        self.setWindowTitle("Export transcript")
        self._suggested = suggested
        self.format = QComboBox(self)
        self.format.setObjectName("transcripts.export_format")
        for value, label in FORMATS:
            self.format.addItem(label, value)
        self.chars = QSpinBox(self)
        self.chars.setObjectName("transcripts.export_chars")
        self.chars.setRange(10, 200)
        self.chars.setValue(42)
        self.chars.setSuffix(" characters")
        self.lines = QSpinBox(self)
        self.lines.setObjectName("transcripts.export_lines")
        self.lines.setRange(1, 5)
        self.lines.setValue(2)
        self.duration = QDoubleSpinBox(self)
        self.duration.setObjectName("transcripts.export_duration")
        self.duration.setRange(1.0, 30.0)
        self.duration.setValue(7.0)
        self.duration.setSuffix(" s")
        self.cue_speakers = QCheckBox("Start each speaker's subtitle with their name", self)
        self.cue_speakers.setObjectName("transcripts.export_cue_speakers")
        self.cue_events = QCheckBox("Include sounds such as [laughter]", self)
        self.cue_events.setObjectName("transcripts.export_cue_events")
        self.text_speakers = QCheckBox("Speaker names", self)
        self.text_speakers.setObjectName("transcripts.export_text_speakers")
        self.text_speakers.setChecked(True)
        self.text_timestamps = QCheckBox("Times, such as [00:01:23]", self)
        self.text_timestamps.setObjectName("transcripts.export_text_timestamps")
        self.highlight = QCheckBox("Highlight doubtful words (Word, web page, PDF)", self)
        self.highlight.setObjectName("transcripts.export_highlight")
        self.path = QLineEdit(self)
        self.path.setObjectName("transcripts.export_path")
        browse = QPushButton("Choose…", self)
        browse.setObjectName("transcripts.export_browse")
        self.message = QLabel(self)
        self.message.setObjectName("transcripts.export_message")
        self.message.setWordWrap(True)

        subtitles = QWidget(self)
        sub_form = QFormLayout(subtitles)
        sub_form.setContentsMargins(0, 0, 0, 0)
        sub_form.addRow("Longest line", self.chars)
        sub_form.addRow("Lines per subtitle", self.lines)
        sub_form.addRow("Longest subtitle", self.duration)
        sub_form.addRow(self.cue_speakers)
        sub_form.addRow(self.cue_events)
        text = QWidget(self)
        text_form = QFormLayout(text)
        text_form.setContentsMargins(0, 0, 0, 0)
        text_form.addRow("Include", self.text_speakers)
        text_form.addRow("", self.text_timestamps)
        text_form.addRow("", self.highlight)
        json_page = QLabel("The full transcript with every word's timing, your corrections "
                           "and speaker names; the original words are kept too.", self)
        json_page.setWordWrap(True)
        self.pages = QStackedWidget(self)
        for page in (subtitles, text, json_page):
            self.pages.addWidget(page)

        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(browse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.export_button = buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setObjectName("transcripts.export_save")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.addRow("Format", self.format)
        layout.addLayout(form)
        layout.addWidget(self.pages)
        save_to = QLabel("Save to", self)
        save_to.setBuddy(self.path)  # (the field's spoken name: it had none)
        layout.addWidget(save_to)
        layout.addLayout(where)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

        self.format.currentIndexChanged.connect(self._on_format_changed)
        browse.clicked.connect(self._on_browse_clicked)
        buttons.rejected.connect(self.reject)
        self.export_button.clicked.connect(self._on_export_clicked)
        if not has_timings:  # start on a format that works
            self.format.setCurrentIndex(self.format.findData("txt"))
        self._on_format_changed()

    def current_format(self) -> str:
        return str(self.format.currentData())

    def _on_format_changed(self, *_args: object) -> None:
        fmt = self.current_format()
        self.pages.setCurrentIndex({"srt": 0, "vtt": 0, "txt": 1, "json": 2, "docx": 1,
                                 "html": 1, "pdf": 1}[fmt])
        current = Path(self.path.text()) if self.path.text().strip() else self._suggested
        self.path.setText(str(current.with_suffix(f".{fmt}")))
        refused = fmt in ("srt", "vtt") and not self._has_timings
        self.export_button.setEnabled(not refused)
        if refused:
            self.message.setText(NEEDS_TIMINGS)
        elif self.message.text() == NEEDS_TIMINGS:
            self.message.clear()

    def _on_browse_clicked(self) -> None:
        ask_save_path(self, "transcripts.export_browse", "Export transcript as",
                      self.path.text(), self.path.setText)

    def request(self) -> ExportRequest:
        rules = CueRules(max_chars_per_line=self.chars.value(), max_lines=self.lines.value(),
                         max_cue_ms=round(self.duration.value() * 1000),
                         speaker_labels=self.cue_speakers.isChecked(),
                         include_audio_events=self.cue_events.isChecked())
        return ExportRequest(self.current_format(), Path(self.path.text().strip()).expanduser(),
                             rules, self.text_timestamps.isChecked(),
                             self.text_speakers.isChecked(), self.highlight.isChecked(),
                             self._suggested.stem or "Transcript")

    def _on_export_clicked(self) -> None:
        if not self.export_button.isEnabled():
            return
        if not self.path.text().strip():
            self.message.setText("Choose where to save the file first.")
            return
        self.export_requested.emit(self.request())
        self.accept()
