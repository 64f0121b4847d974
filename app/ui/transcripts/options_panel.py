"""The transcription settings: model, language, speakers, timestamps, sounds, key terms...

`options()` turns the form into `TranscriptionOptions`; `problems()` says in plain words
what the service would refuse (checked live, so the Transcribe button can explain itself).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QLocale, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from app.domain.stt_options import ExportFormat, TranscriptionOptions
from app.ui.widgets.problem_text import show_as_problem

MODELS = (("scribe_v2", "Scribe v2 (newest, most accurate)"),
          ("scribe_v1", "Scribe v1"))
# Languages people most often pick; anything else can be typed as an ISO code.
LANGUAGES = ("en", "es", "fr", "de", "it", "pt", "nl", "pl", "sv", "da", "fi", "no", "cs",
             "el", "tr", "ru", "uk", "ar", "he", "hi", "ja", "ko", "zh", "id", "vi", "th")
GRANULARITIES = (("word", "Per word"), ("character", "Per character"), ("none", "None"))
EXTRA_FORMATS = (("srt", "SRT"), ("txt", "Text"), ("html", "HTML"), ("docx", "Word"),
                 ("pdf", "PDF"), ("segmented_json", "Segments JSON"))


def language_name(code: str) -> str:
    """"en" or "eng" -> "English"; the code itself when Qt does not know it."""
    language = QLocale.codeToLanguage(code.strip())
    if language == QLocale.Language.AnyLanguage:
        return code
    return QLocale.languageToString(language)


class OptionsPanel(QGroupBox):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Transcription settings", parent)
        self.setObjectName("transcripts.options")
        self.model = QComboBox(self)
        self.model.setObjectName("transcripts.model")
        for model_id, label in MODELS:
            self.model.addItem(label, model_id)
        self.language = QComboBox(self)
        self.language.setObjectName("transcripts.language")
        self.language.setEditable(True)
        self.language.setToolTip("The spoken language, or Automatic. You can also type a "
                                 "2- or 3-letter code such as 'en' or 'yue'.")
        self.language.addItem("Automatic", "")
        for code in LANGUAGES:
            self.language.addItem(f"{language_name(code)} ({code})", code)
        self.diarize = QCheckBox("Tell speakers apart", self)
        self.diarize.setObjectName("transcripts.diarize")
        self.num_speakers = QSpinBox(self)
        self.num_speakers.setObjectName("transcripts.num_speakers")
        self.num_speakers.setRange(0, 32)
        self.num_speakers.setSpecialValueText("Any number")
        self.num_speakers.setToolTip("At most how many people speak (leave at 'Any number' "
                                     "to let the service decide)")
        self.threshold = QDoubleSpinBox(self)
        self.threshold.setObjectName("transcripts.diarization_threshold")
        self.threshold.setRange(0.0, 0.4)
        self.threshold.setSingleStep(0.05)
        self.threshold.setDecimals(2)
        self.threshold.setSpecialValueText("Automatic")
        self.threshold.setToolTip("Diarization threshold. Higher: fewer speakers found (one "
                                  "voice is less often split in two). Only used when the "
                                  "number of speakers is left open. 0.1 to 0.4.")
        self.granularity = QComboBox(self)
        self.granularity.setObjectName("transcripts.granularity")
        for value, label in GRANULARITIES:
            self.granularity.addItem(label, value)
        self.tag_events = QCheckBox("Mark sounds such as (laughter)", self)
        self.tag_events.setObjectName("transcripts.tag_events")
        self.tag_events.setChecked(True)
        self.keyterms = QLineEdit(self)
        self.keyterms.setObjectName("transcripts.keyterms")
        self.keyterms.setPlaceholderText("Names, terms; comma between")
        self.keyterms.setToolTip("Names or special terms to listen for, separated by commas "
                                 "(each under 50 characters and at most 5 words)")
        self.no_verbatim = QCheckBox("Leave out filler words (um, uh)", self)
        self.no_verbatim.setObjectName("transcripts.no_verbatim")
        self.multichannel = QCheckBox("One speaker per channel (multichannel audio)", self)
        self.multichannel.setObjectName("transcripts.multichannel")
        self.formats: dict[str, QCheckBox] = {}
        formats_row = QGridLayout()
        for n, (value, label) in enumerate(EXTRA_FORMATS):
            box = QCheckBox(label, self)
            box.setObjectName(f"transcripts.format_{value}")
            self.formats[value] = box
            formats_row.addWidget(box, n // 2, n % 2)
        self.problems_label = QLabel(self)
        self.problems_label.setObjectName("transcripts.options_problems")
        self.problems_label.setWordWrap(True)
        show_as_problem(self.problems_label)  # readable red on light and dark
        self.problems_label.hide()

        form = QFormLayout(self)
        form.addRow("Model", self.model)
        form.addRow("Language", self.language)
        form.addRow(self.diarize)
        form.addRow("At most", self.num_speakers)
        form.addRow("Threshold", self.threshold)
        form.addRow("Timestamps", self.granularity)
        form.addRow(self.tag_events)
        form.addRow(self.no_verbatim)
        form.addRow(self.multichannel)
        form.addRow("Key terms", self.keyterms)
        form.addRow("Also save as", formats_row)
        form.addRow(self.problems_label)

        for widget in (self.model, self.language, self.granularity):
            widget.currentIndexChanged.connect(self._on_changed)
        self.language.editTextChanged.connect(self._on_changed)
        for box in (self.diarize, self.tag_events, self.no_verbatim, self.multichannel,
                    *self.formats.values()):
            box.toggled.connect(self._on_changed)
        self.num_speakers.valueChanged.connect(self._on_changed)
        self.threshold.valueChanged.connect(self._on_changed)
        self.keyterms.textChanged.connect(self._on_changed)
        self._on_changed()

    # -- reading ---------------------------------------------------------------------
    def language_code(self) -> str | None:
        text = self.language.currentText().strip()
        index = self.language.findText(text)
        if index >= 0:
            return self.language.itemData(index) or None
        if text.lower() in ("", "automatic", "auto"):
            return None
        return text.split("(")[-1].rstrip(")").strip() if "(" in text else text

    def keyterm_list(self) -> tuple[str, ...]:
        return tuple(t.strip() for t in self.keyterms.text().split(",") if t.strip())

    def options(self) -> TranscriptionOptions:
        diarize = self.diarize.isChecked()
        speakers = self.num_speakers.value() or None
        threshold = self.threshold.value() or None
        return TranscriptionOptions(
            model_id=self.model.currentData(),
            language_code=self.language_code(),
            tag_audio_events=self.tag_events.isChecked(),
            num_speakers=speakers if diarize else None,
            timestamps_granularity=self.granularity.currentData(),
            diarize=diarize,
            diarization_threshold=threshold if diarize and speakers is None else None,
            additional_formats=tuple(ExportFormat(value)  # type: ignore[arg-type]
                                     for value, box in self.formats.items() if box.isChecked()),
            use_multi_channel=self.multichannel.isChecked(),
            keyterms=self.keyterm_list(),
            no_verbatim=self.no_verbatim.isChecked(),
        )

    def problems(self) -> list[str]:
        return self.options().validate()

    def _on_changed(self, *_args: object) -> None:
        diarize = self.diarize.isChecked()
        self.num_speakers.setEnabled(diarize)
        self.threshold.setEnabled(diarize and self.num_speakers.value() == 0)
        v2 = self.model.currentData() == "scribe_v2"
        self.no_verbatim.setEnabled(v2 or self.no_verbatim.isChecked())
        problems = self.problems()
        self.problems_label.setText("\n".join(problems))
        self.problems_label.setVisible(bool(problems))
        self.changed.emit()

    # -- drafts ----------------------------------------------------------------------
    def to_draft(self) -> dict[str, Any]:
        return {
            "model_id": self.model.currentData(),
            "language": self.language.currentText(),
            "diarize": self.diarize.isChecked(),
            "num_speakers": self.num_speakers.value(),
            "threshold": self.threshold.value(),
            "granularity": self.granularity.currentData(),
            "tag_events": self.tag_events.isChecked(),
            "keyterms": self.keyterms.text(),
            "no_verbatim": self.no_verbatim.isChecked(),
            "multichannel": self.multichannel.isChecked(),
            "formats": [v for v, box in self.formats.items() if box.isChecked()],
        }

    def restore_draft(self, draft: dict[str, Any]) -> None:
        def pick(combo: QComboBox, value: object) -> None:
            if isinstance(value, str):  # (findData of 10**30 raised OverflowError)
                index = combo.findData(value)
                if index >= 0:
                    combo.setCurrentIndex(index)

        pick(self.model, draft.get("model_id"))
        pick(self.granularity, draft.get("granularity"))
        if isinstance(draft.get("language"), str):
            self.language.setCurrentText(draft["language"])
        for box, key in ((self.diarize, "diarize"), (self.tag_events, "tag_events"),
                         (self.no_verbatim, "no_verbatim"), (self.multichannel, "multichannel")):
            if isinstance(draft.get(key), bool):
                box.setChecked(draft[key])
        # Brought into the boxes' range here: setValue(10**30) raised OverflowError (and
        # float() of a 400-digit number too), and the tab could not be opened.
        speakers, threshold = draft.get("num_speakers"), draft.get("threshold")
        if isinstance(speakers, int):
            self.num_speakers.setValue(min(max(speakers, 0), self.num_speakers.maximum()))
        if isinstance(threshold, int | float) and threshold == threshold:  # (not NaN)
            self.threshold.setValue(min(max(threshold, 0.0), self.threshold.maximum()))
        if isinstance(draft.get("keyterms"), str):
            self.keyterms.setText(draft["keyterms"])
        chosen = draft.get("formats")
        if isinstance(chosen, list):
            for value, box in self.formats.items():
                box.setChecked(value in chosen)
