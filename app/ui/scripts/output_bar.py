"""The script's model and audio format, on the tab's title line.

They apply to the whole script, so they sit at the top, always in view: in the cast's
scrolling column (where they were) a laptop with History open showed three speakers and
the Model box only after scrolling. The bar only shows and asks; the tab turns a choice
into an undoable edit of the script.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from app.domain.formats import TTS_FORMATS
from app.domain.script import Script

if TYPE_CHECKING:
    from app.domain.wire import Model

# Enough for "Eleven Multilingual v2" and "MP3 · 44.1 kHz · 128 kbps" at a laptop's
# width; longer names are shortened with "…" (the whole name is in the list and tooltip).
MODEL_CHARS = 17
FORMAT_CHARS = 17


class ScriptOutputBar(QWidget):
    model_chosen = Signal(str)  # model id
    format_chosen = Signal(str)  # output format value

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scripts.output_bar")
        self.model = QComboBox(self)
        self.model.setObjectName("scripts.model")
        self.model.setAccessibleName("Model for the whole script")
        self._listed = False  # whether the server's models have been put in the list
        self.output_format = QComboBox(self)
        self.output_format.setObjectName("scripts.format")
        self.output_format.setAccessibleName("Audio format of the takes")
        for fmt in TTS_FORMATS:
            self.output_format.addItem(fmt.label, fmt.value)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for text, combo, chars in (("&Model", self.model, MODEL_CHARS),
                                   ("Fo&rmat", self.output_format, FORMAT_CHARS)):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(chars)
            label = QLabel(text, self)
            label.setBuddy(combo)
            layout.addWidget(label)
            layout.addWidget(combo)
        self.model.activated.connect(lambda _i: self.model_chosen.emit(self.model.currentData()))
        self.output_format.activated.connect(
            lambda _i: self.format_chosen.emit(self.output_format.currentData()))

    def set_models(self, models: list[Model]) -> None:
        self.model.clear()
        self._listed = True
        for model in models:
            self.model.addItem(model.name or model.model_id, model.model_id)

    def show_script(self, script: Script) -> None:
        if script.model_id and self.model.findData(script.model_id) < 0:
            # Not offered by this server (offline voices, say): still say which it is.
            # Before the server has listed its models, that would not be known yet.
            name = readable_model_id(script.model_id)
            self.model.addItem(f"{name} (not listed by this server)"
                               if self._listed else name,
                               script.model_id)
        _select(self.model, script.model_id)
        _select(self.output_format, script.output_format)


def readable_model_id(model_id: str) -> str:
    """A model's id in words, for when the server has not named it:
    'eleven_multilingual_v2' -> 'Eleven Multilingual v2', 'eleven_flash_v2_5' ->
    'Eleven Flash v2.5'."""
    words: list[str] = []
    for word in (w for w in model_id.replace("-", "_").split("_") if w):
        if word.isdigit() and words and re.fullmatch(r"v[\d.]+", words[-1]):
            words[-1] += f".{word}"  # 'v2', '5' -> 'v2.5'
        else:
            words.append(word if re.fullmatch(r"v[\d.]+|\d.*", word) else word.capitalize())
    return " ".join(words) or model_id


def _select(combo: QComboBox, value: str | None) -> None:
    """Show `value` without emitting a choice (the script changed, not the user)."""
    if value and combo.currentIndex() >= 0 \
            and combo.currentData(Qt.ItemDataRole.UserRole) == value:
        return  # already shown (the script changes once per take while a queue runs)
    index = combo.findData(value, Qt.ItemDataRole.UserRole) if value else -1
    blocked = combo.blockSignals(True)
    combo.setCurrentIndex(index)
    combo.blockSignals(blocked)
