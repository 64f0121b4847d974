"""Compose with one of the account's finetunes (and how strongly). The list is fetched
when asked for (Find my finetunes), so opening the tab sends nothing; the choice shows
only where the account has trained finetunes of the chosen model."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QWidget,
)

from app.domain.music_finetunes import (
    STRENGTH_DEFAULT,
    STRENGTH_MAX,
    STRENGTH_MIN,
    Finetune,
    usable_with,
)
from app.ui.widgets.button_width import keep_to_its_text


class FinetunePicker(QGroupBox):
    load_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Finetune", parent)
        self.setObjectName("music.finetune_box")
        self._all: list[Finetune] = []
        self.choice = QComboBox(self)
        self.choice.setObjectName("music.finetune")
        self.choice.setAccessibleName("Finetune")
        self.choice.setToolTip("Compose in the style of one of your finetunes")
        self.strength = QDoubleSpinBox(self)
        self.strength.setObjectName("music.finetune_strength")
        self.strength.setAccessibleName("Finetune strength")
        self.strength.setRange(STRENGTH_MIN, STRENGTH_MAX)
        self.strength.setSingleStep(0.1)
        self.strength.setValue(STRENGTH_DEFAULT)
        self.strength.setToolTip("How strongly the finetune shapes the song (1 = full; "
                                 "lower leaves more to your styles)")
        self.load_button = QPushButton("Find my finetunes", self)
        self.load_button.setObjectName("music.finetune_load")
        self.load_button.setAccessibleName("Find my finetunes")
        self.load_button.setToolTip("Ask the server which finetunes your account has")
        self.note = QLabel(self)
        self.note.setObjectName("music.finetune_note")
        self.note.setWordWrap(True)
        keep_to_its_text(self.load_button)  # (1,100 px wide on a wide screen)
        form = QFormLayout(self)
        form.addRow(self.load_button)
        form.addRow("Style", self.choice)
        form.addRow("Strength", self.strength)
        form.addRow(self.note)
        self._form = form
        self.choice.currentIndexChanged.connect(self._update)
        self.load_button.clicked.connect(self.load_requested)
        self._loaded = False
        self.set_model_id("music_v1")

    def set_finetunes(self, finetunes: list[Finetune], model_id: str) -> None:
        self._all = list(finetunes)
        self._loaded = True
        self.set_model_id(model_id)

    def set_model_id(self, model_id: str) -> None:
        chosen = self.choice.currentData()
        self.choice.clear()
        self.choice.addItem("None", None)
        for finetune in usable_with(self._all, model_id):
            self.choice.addItem(finetune.name, finetune.id)
        index = self.choice.findData(chosen)
        self.choice.setCurrentIndex(max(0, index))
        has = self.choice.count() > 1  # only where the account has them
        for widget in (self.choice, self.strength):
            widget.setVisible(has)
            label = self._form.labelForField(widget)
            if label is not None:
                label.setVisible(has)
        self.note.setVisible(self._loaded and not has)
        self.note.setText("Your account has no trained finetunes of this model.")
        self._update()

    def _update(self) -> None:
        self.strength.setEnabled(self.choice.currentData() is not None)

    def fields(self) -> dict[str, Any]:
        """For the compose request: the finetune chosen and its strength, if any."""
        finetune_id = self.choice.currentData() if self.choice.count() > 1 else None
        if not finetune_id:
            return {}
        return {"finetune_id": finetune_id, "finetune_strength": round(self.strength.value(), 2)}


__all__ = ["FinetunePicker"]
