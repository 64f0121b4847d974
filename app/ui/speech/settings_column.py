"""The Speech tab's settings column: everything chosen besides the text.

Voice (search, filters, list, preview), model and output format, the voice settings and the
advanced options (language, seed, text normalisation). The column builds these widgets and
keeps the ones that only concern each other in step (the search and filters narrow the voice
list, the seed box follows its checkbox, the format note follows the format); the tab reads
them, fills the model and language lists and reacts to every change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.formats import DEFAULT_FORMAT, TTS_FORMATS, OutputFormat
from app.ui.icons import icon
from app.ui.speech.seed_box import WideSeedBox
from app.ui.speech.voice_model import (
    VoiceFilterModel,
    VoiceListModel,
    VoiceRole,
    as_voice,
    list_voices_in,
)
from app.ui.speech.voice_settings_panel import VoiceSettingsPanel
from app.ui.widgets.fit import let_combos_shrink

if TYPE_CHECKING:
    from app.domain.wire import Model, Voice

# (label key, "no filter" text) for the combos above the voice list.
_VOICE_FILTERS = (("language", "Any language"), ("gender", "Any gender"),
                  ("accent", "Any accent"), ("category", "Any type"))
_NORMALIZATIONS = (("Automatic", "auto"), ("Always spell out numbers etc.", "on"),
                   ("Read text as written", "off"))


_INT64 = 2 ** 63 - 1


def select_combo(combo: QComboBox, value: object) -> None:
    """Select the item whose data is `value`; leave the combo as it is if none has it.
    Items hold words or whole numbers: a value read from a damaged draft (a list, or a
    number past 64 bits, which made findData raise OverflowError and stopped the window
    opening) is one no item has."""
    fits = isinstance(value, str) or (isinstance(value, int) and -_INT64 <= value <= _INT64)
    if not fits:
        return
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)


class SpeechSettingsColumn(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        for box in (self._build_voice_box(), self._build_output_box(),
                    self._build_voice_settings(), self._build_advanced_box()):
            layout.addWidget(box)
        layout.addStretch(1)
        let_combos_shrink(self)

        # The voice the user chose: a search or filter only narrows the list and never
        # changes it (clearing a search that matched nothing used to pick the first voice).
        self.chosen_voice_id: str | None = None
        self._narrowing = False
        self.voice.currentIndexChanged.connect(self._on_voice_index_changed)
        self.voice_search.textChanged.connect(
            lambda text: self._narrow(lambda: self.voice_proxy.set_search(text)))
        for key, combo in self.voice_filters.items():
            combo.currentIndexChanged.connect(
                lambda _i, k=key, c=combo: self._narrow(
                    lambda: self.voice_proxy.set_label_filter(k, c.currentData())))
        self.seed_fixed.toggled.connect(self.seed.setEnabled)
        self.output_format.currentIndexChanged.connect(self._show_format_notes)

    # -- layout ----------------------------------------------------------------------
    def _build_voice_box(self) -> QGroupBox:
        voice_box = QGroupBox("Voice", self)
        voice_form = QVBoxLayout(voice_box)
        self.voice_search = QLineEdit(voice_box)
        self.voice_search.setObjectName("speech.voice_search")
        self.voice_search.setPlaceholderText("Search voices by name, accent, use…")
        self.voice_search.setClearButtonEnabled(True)
        # Two by two: four combos in a row made the column (and the window) too wide.
        filters = QGridLayout()
        self.voice_filters: dict[str, QComboBox] = {}
        for number, (key, label) in enumerate(_VOICE_FILTERS):
            combo = QComboBox(voice_box)
            combo.setObjectName(f"speech.filter_{key}")
            combo.addItem(label, "")
            combo.setToolTip(f"Show only voices with this {key}")
            self.voice_filters[key] = combo
            filters.addWidget(combo, number // 2, number % 2)
        self.voice_model = VoiceListModel(self)
        self.voice_proxy = VoiceFilterModel(self)
        self.voice_proxy.setSourceModel(self.voice_model)
        self.voice = QComboBox(voice_box)
        self.voice.setObjectName("speech.voice")
        list_voices_in(self.voice, self.voice_proxy)
        self.voice.setAccessibleName("Voice")
        self.preview_button = QPushButton(icon("play"), "Preview", voice_box)
        self.preview_button.setObjectName("speech.voice_preview")
        self.preview_button.setToolTip("Hear a short sample of this voice")
        voice_row = QHBoxLayout()
        voice_row.addWidget(self.voice, 1)
        voice_row.addWidget(self.preview_button)
        voice_form.addWidget(self.voice_search)
        voice_form.addLayout(filters)
        voice_form.addLayout(voice_row)
        return voice_box

    def _build_output_box(self) -> QGroupBox:
        output_box = QGroupBox("Model and output", self)
        output_form = QFormLayout(output_box)
        self.model = QComboBox(output_box)
        self.model.setObjectName("speech.model")
        self.model.setAccessibleName("Model")
        self.model_info = QLabel(output_box)
        self.model_info.setObjectName("speech.model_info")
        self.model_info.setWordWrap(True)
        self.output_format = QComboBox(output_box)
        self.output_format.setObjectName("speech.format")
        self.output_format.setAccessibleName("Output format")
        for fmt in TTS_FORMATS:
            self.output_format.addItem(fmt.label, fmt.value)
        self.format_note = QLabel(output_box)
        self.format_note.setObjectName("speech.format_note")
        self.format_note.setWordWrap(True)
        output_form.addRow("Model", self.model)
        output_form.addRow("", self.model_info)
        output_form.addRow("Format", self.output_format)
        output_form.addRow("", self.format_note)
        return output_box

    def _build_voice_settings(self) -> VoiceSettingsPanel:
        self.voice_settings = VoiceSettingsPanel(self)
        return self.voice_settings

    def _build_advanced_box(self) -> QGroupBox:
        advanced = QGroupBox("Advanced", self)
        advanced_form = QFormLayout(advanced)
        # A narrow column puts a field under its label instead of widening the window.
        advanced_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.language = QComboBox(advanced)
        self.language.setObjectName("speech.language")
        self.language.setToolTip("Force a language (only some models use it)")
        self.seed_fixed = QCheckBox("Repeatable (fixed seed)", advanced)
        self.seed_fixed.setObjectName("speech.seed_fixed")
        self.seed = WideSeedBox(advanced)  # the API's whole range, 0 … 4,294,967,295
        self.seed.setObjectName("speech.seed")
        self.seed.setEnabled(False)
        self.seed.setToolTip("The same seed and settings give (nearly) the same result")
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed_fixed)
        seed_row.addWidget(self.seed, 1)
        self.normalization = QComboBox(advanced)
        self.normalization.setObjectName("speech.normalization")
        for label, value in _NORMALIZATIONS:
            self.normalization.addItem(label, value)
        advanced_form.addRow("Language", self.language)
        advanced_form.addRow("Seed", seed_row)
        advanced_form.addRow("Text normalisation", self.normalization)
        return advanced

    # -- voices ----------------------------------------------------------------------
    def set_voices(self, voices: list[Voice]) -> None:
        """List these voices, and offer the filter values they have."""
        self.voice_model.set_voices(voices)
        for key, combo in self.voice_filters.items():
            first = combo.itemText(0)
            combo.clear()
            combo.addItem(first, "")
            for value in self.voice_model.label_values(key):
                combo.addItem(value.replace("_", " ").capitalize(), value)

    def select_voice(self, voice_id: str | None) -> None:
        row = self._row_of(voice_id)
        if row >= 0:
            self.voice.setCurrentIndex(row)
            return
        if self.voice.count():
            self.voice.setCurrentIndex(self._row_for_system_language())

    def show_voice(self, voice_id: str) -> bool:
        """Choose this voice, clearing the search and filters when they hide it; False,
        and the choice left as it was, when it is not among the voices at all."""
        if self.voice_model.row_of(voice_id) < 0:
            return False
        if self._row_of(voice_id) < 0:
            self.chosen_voice_id = voice_id  # (chosen again as the list widens)
            self.voice_search.clear()
            for combo in self.voice_filters.values():
                combo.setCurrentIndex(0)
        self.voice.setCurrentIndex(self._row_of(voice_id))
        return True

    def _row_of(self, voice_id: str | None) -> int:
        if voice_id:
            for row in range(self.voice_proxy.rowCount()):
                index = self.voice_proxy.index(row, 0)
                voice = as_voice(self.voice_proxy.data(index, VoiceRole))
                if voice is not None and voice.voice_id == voice_id:
                    return row
        return -1

    def _on_voice_index_changed(self, _row: int) -> None:
        voice = as_voice(self.voice.currentData(VoiceRole))
        if not self._narrowing and voice is not None:
            self.chosen_voice_id = voice.voice_id

    def _narrow(self, change: Callable[[], None]) -> None:
        """Narrow the list; the chosen voice stays chosen while it is listed, and nothing
        is chosen for the user while it is not (they pick one, or clear the search)."""
        self._narrowing = True
        try:
            change()
            row = self._row_of(self.chosen_voice_id)
            if row >= 0 or self.chosen_voice_id is not None:
                self.voice.setCurrentIndex(row)
            count = self.voice_proxy.rowCount()
            self.voice.setPlaceholderText("No voice matches" if count == 0 else
                                          f"Pick a voice ({count} match)")
        finally:
            self._narrowing = False

    def narrowed_to_nothing(self) -> bool:
        """The search or filters hide every voice (there are voices)."""
        return self.voice_proxy.rowCount() == 0 and self.voice_model.rowCount() > 0

    def in_scroll_area(self, parent: QWidget) -> QScrollArea:
        """The column in a scroll area that never scrolls sideways: as wide as the
        column's widest row needs."""
        scroll = QScrollArea(parent)
        scroll.setObjectName("speech.settings_scroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(self)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(self.minimumSizeHint().width()
                               + scroll.verticalScrollBar().sizeHint().width() + 4)
        # Past about 90 characters a row only stretches its sliders and boxes: on a
        # 2560-wide screen with a 15 pt font the column took 1,364 px and the text box,
        # what the tab is for, 814. The text gets the rest of the room.
        widest = self.fontMetrics().averageCharWidth() * 90
        scroll.setMaximumWidth(max(scroll.minimumWidth(), widest))
        return scroll

    def why_no_voice(self) -> str:
        """Why there is no voice and model to generate with, and what to do."""
        if self.narrowed_to_nothing():
            return ("No voice matches the search or filters: clear them (or change them) "
                    "to choose a voice.")
        if as_voice(self.voice.currentData(VoiceRole)) is None and self.voice_model.rowCount():
            return "Pick one of the voices that match the search, or clear the search."
        return ("Pick a voice and a model first (they are still loading, or the server did "
                "not send any).")

    def _row_for_system_language(self) -> int:
        """With no remembered voice, start with one that speaks the user's language."""
        wanted = QLocale.system().name().split("_")[0].lower() or "en"
        for candidate in (wanted, "en"):
            for row in range(self.voice_proxy.rowCount()):
                voice = as_voice(self.voice_proxy.data(self.voice_proxy.index(row, 0),
                                                       VoiceRole))
                language = voice.language.lower() if voice is not None else ""
                if language.startswith(candidate):
                    return row
        return 0

    # -- model, format and seed ------------------------------------------------------
    def show_model(self, model: Model, fallback_language: object) -> None:
        """The model's description and languages, the voice settings it can use, and its
        languages to choose from (keeping the chosen one, else `fallback_language`)."""
        languages = ", ".join(lang.name for lang in model.languages[:8])
        more = len(model.languages) - 8
        if more > 0:
            languages += f" and {more} more"
        self.model_info.setText(model.description or "")
        self.model_info.setToolTip(f"Languages: {languages}" if languages else "")
        self.voice_settings.set_model_capabilities(model.can_use_style,
                                                   model.can_use_speaker_boost)
        current_language = self.language.currentData()
        self.language.blockSignals(True)
        self.language.clear()
        self.language.addItem("Automatic", "")
        for lang in model.languages:
            self.language.addItem(f"{lang.name} ({lang.language_id})", lang.language_id)
        select_combo(self.language, current_language or fallback_language)
        self.language.blockSignals(False)

    def current_format(self) -> OutputFormat:
        value = self.output_format.currentData()
        return OutputFormat.parse(value) if value else DEFAULT_FORMAT

    def _show_format_notes(self, *_args: object) -> None:
        fmt = self.current_format()
        notes = []
        if fmt.minimum_plan:
            notes.append(f"Needs the {fmt.minimum_plan} plan or higher on ElevenLabs.")
        if not fmt.can_stream:
            notes.append("WAV cannot be streamed: playback starts when the file is complete.")
        if fmt.is_headerless:
            notes.append("Raw samples without a header, for telephony or developers; most "
                         "players cannot open this file.")
        self.format_note.setText(" ".join(notes))
        self.format_note.setVisible(bool(notes))

    def set_seed(self, seed: object) -> None:
        """A whole number fixes the seed to it; anything else (None) lets it vary."""
        self.seed_fixed.setChecked(isinstance(seed, int))
        if isinstance(seed, int):
            self.seed.setValue(seed)

    # -- drafts ----------------------------------------------------------------------
    def draft(self) -> dict[str, object]:
        """The column's part of the tab's draft (the voice and model are the tab's: they
        fall back to the saved draft's while the catalog has not arrived)."""
        return {
            "output_format": self.current_format().value,
            "voice_settings": self.voice_settings.values().model_dump(mode="json"),
            "language": self.language.currentData() or "",
            "seed": self.seed.value() if self.seed_fixed.isChecked() else None,
            "normalization": self.normalization.currentData(),
        }

    def restore_draft(self, draft: Mapping[str, object]) -> None:
        """Show a saved draft's format, voice settings, seed and normalisation. The voice,
        model and language wait for the catalog, which lists what can be chosen."""
        select_combo(self.output_format, str(draft.get("output_format") or ""))
        saved_settings = draft.get("voice_settings")
        if isinstance(saved_settings, dict):
            # (A draft from an older version may hold values out of today's range.)
            self.voice_settings.set_saved_values(saved_settings)
        self.set_seed(draft.get("seed"))
        select_combo(self.normalization, draft.get("normalization"))
