"""Model and output settings of the Music tab: model, format, seed, details, keep-for-later."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from app.domain.formats import MUSIC_FORMATS, OutputFormat
from app.domain.music_plan import SEED_MAX
from app.ui.music.compose_request import KNOWN_MODELS, default_model, model_label


class OutputBox(QGroupBox):
    changed = Signal()
    model_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Model and output", parent)
        self.setObjectName("music.output_box")
        self.model = QComboBox(self)
        self.model.setObjectName("music.model")
        self.model.setAccessibleName("Music model")
        self.format = QComboBox(self)
        self.format.setObjectName("music.format")
        self.format.setAccessibleName("Output format")
        self.format.addItem("Automatic (best for the model)", "auto")
        for fmt in MUSIC_FORMATS:
            self.format.addItem(fmt.label, fmt.value)
        self.format_note = QLabel(self)
        self.format_note.setWordWrap(True)
        self.seed_fixed = QCheckBox("Repeatable", self)
        self.seed_fixed.setObjectName("music.seed_fixed")
        self.seed = QSpinBox(self)
        self.seed.setObjectName("music.seed")
        self.seed.setRange(0, SEED_MAX)
        self.seed.setEnabled(False)
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed_fixed)
        seed_row.addWidget(self.seed, 1)
        self.detailed = QCheckBox("Song details", self)
        self.detailed.setObjectName("music.detailed")
        self.detailed.setToolTip("Ask for the song's title, genres and section timings too. "
                                 "The song then plays when it is complete instead of while "
                                 "it arrives.")
        self.store = QCheckBox("Allow re-making sections later", self)
        self.store.setObjectName("music.store")
        self.store.setChecked(True)
        self.store.setToolTip("Keeps the song on the server so a later version can keep its "
                              "good sections and re-make only the others.")
        for combo in (self.model, self.format):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(10)
        form = QFormLayout(self)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # never widen
        form.addRow("Model", self.model)
        form.addRow("Format", self.format)
        form.addRow("", self.format_note)
        form.addRow("Seed", seed_row)
        form.addRow(self.detailed)
        form.addRow(self.store)
        self.set_models(list(KNOWN_MODELS))
        self.model.currentIndexChanged.connect(self._on_model_changed)
        self.format.currentIndexChanged.connect(self._on_format_changed)
        self.seed_fixed.toggled.connect(self._on_seed_toggled)
        for signal in (self.seed.valueChanged, self.detailed.toggled, self.store.toggled):
            signal.connect(lambda *_a: self.changed.emit())
        self._plan_mode = True
        self._on_format_changed()

    # -- values ----------------------------------------------------------------------------
    def model_id(self) -> str:
        return str(self.model.currentData() or KNOWN_MODELS[0])

    def output_format(self) -> str:
        return str(self.format.currentData() or "auto")

    def seed_value(self) -> int | None:
        return self.seed.value() if self.seed_fixed.isChecked() and self._plan_mode else None

    def set_models(self, model_ids: list[str], keep: str | None = None) -> None:
        current = keep or self.model.currentData()
        self.model.blockSignals(True)
        self.model.clear()
        for model_id in model_ids:
            self.model.addItem(model_label(model_id), model_id)
        index = self.model.findData(current) if current else -1
        if index < 0:
            index = self.model.findData(default_model(model_ids))
        self.model.setCurrentIndex(max(0, index))
        self.model.blockSignals(False)
        if self.model.currentData() != current:
            self._on_model_changed()

    def select(self, combo: QComboBox, value: object) -> None:
        index = combo.findData(value)
        if index >= 0:
            combo.setCurrentIndex(index)
        elif combo is self.model and isinstance(value, str) and value.startswith("music_"):
            combo.addItem(model_label(value), value)
            combo.setCurrentIndex(combo.count() - 1)

    def set_plan_mode(self, plan_mode: bool) -> None:
        self._plan_mode = plan_mode
        self.seed_fixed.setEnabled(plan_mode)
        self.seed.setEnabled(plan_mode and self.seed_fixed.isChecked())
        tip = "" if plan_mode else "A seed works only with a plan (the API's rule)."
        self.seed_fixed.setToolTip(tip or "The same seed and plan give (nearly) the same song")

    def values(self) -> dict[str, Any]:
        return {"model_id": self.model_id(), "output_format": self.output_format(),
                "seed": self.seed.value() if self.seed_fixed.isChecked() else None,
                "detailed": self.detailed.isChecked(), "store": self.store.isChecked()}

    def set_values(self, values: dict[str, Any]) -> None:
        if isinstance(values.get("model_id"), str):
            self.select(self.model, values["model_id"])
        if isinstance(values.get("output_format"), str):
            self.select(self.format, values["output_format"])
        seed = values.get("seed")
        # Only a seed the box holds: a damaged draft's 10**30 raised OverflowError in
        # setValue, and the Music tab could not be opened.
        if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= SEED_MAX:
            seed = None
        self.seed_fixed.setChecked(seed is not None)
        if seed is not None:
            self.seed.setValue(seed)
        self.detailed.setChecked(bool(values.get("detailed")))
        if isinstance(values.get("store"), bool):
            self.store.setChecked(values["store"])

    # -- reactions -------------------------------------------------------------------------
    def _on_model_changed(self, *_args: object) -> None:
        self._on_format_changed()
        self.model_changed.emit(self.model_id())

    def _on_seed_toggled(self, on: bool) -> None:
        self.seed.setEnabled(on and self._plan_mode)
        self.changed.emit()

    def _on_format_changed(self, *_args: object) -> None:
        value = self.output_format()
        notes = []
        if value == "auto":
            from app.api.music import resolve_output_format

            notes.append(f"Will be {resolve_output_format(value, self.model_id()).label}.")
        else:
            fmt = OutputFormat.parse(value)
            if fmt.minimum_plan:
                notes.append(f"Needs the {fmt.minimum_plan} plan or higher on ElevenLabs.")
            if fmt.is_headerless:
                notes.append("Raw samples without a header; most players cannot open it.")
        self.format_note.setText(" ".join(notes))
        self.changed.emit()
