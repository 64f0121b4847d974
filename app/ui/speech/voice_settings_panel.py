"""The five voice settings as labelled sliders and a toggle, with a reset to the API's defaults."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QSlider,
    QWidget,
)

from app.domain.voice_defaults import DEFAULT_VOICE_SETTINGS
from app.ui.widgets.button_width import keep_to_its_text

if TYPE_CHECKING:
    from app.domain.wire import VoiceSettings

# (field, label, object name, minimum, maximum, tooltip)
_SLIDERS = (
    ("stability", "Stability", "speech.stability", 0.0, 1.0,
     "Lower: more expressive and varied. Higher: steadier, more monotone."),
    ("similarity_boost", "Similarity", "speech.similarity", 0.0, 1.0,
     "How closely the result should match the original voice."),
    ("style", "Style exaggeration", "speech.style", 0.0, 1.0,
     "Amplifies the voice's style. Above 0 it takes a little longer."),
    ("speed", "Speed", "speech.speed", 0.7, 1.2,
     "Speaking rate: 1.0 is normal, 0.7 slower, 1.2 faster."),
)


class LabeledDoubleSlider(QWidget):
    """A slider over a decimal range with an editable number beside it.

    (superqt's QLabeledDoubleSlider did this, but importing superqt took ~0.25 s of
    start-up: it loads qtpy and every Qt wrapper.)
    """

    valueChanged = Signal(float)

    def __init__(self, orientation: Qt.Orientation, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._slider = QSlider(orientation, self)
        self._box = QDoubleSpinBox(self)
        self._box.setKeyboardTracking(False)  # typed values apply on Return or focus out
        self._box.setButtonSymbols(QDoubleSpinBox.ButtonSymbols.NoButtons)
        self._box.setAlignment(Qt.AlignmentFlag.AlignRight)
        self._scale = 100
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._slider, 1)
        layout.addWidget(self._box)
        self._slider.valueChanged.connect(self._on_slider_value_changed)
        self._box.valueChanged.connect(self._on_box_value_changed)

    def setRange(self, low: float, high: float) -> None:
        self._box.setRange(low, high)
        self._slider.setRange(round(low * self._scale), round(high * self._scale))

    def setDecimals(self, decimals: int) -> None:
        self._scale = 10 ** decimals
        self._box.setDecimals(decimals)
        self.setRange(self._box.minimum(), self._box.maximum())

    def setSingleStep(self, step: float) -> None:
        self._box.setSingleStep(step)
        self._slider.setSingleStep(max(1, round(step * self._scale)))

    def value(self) -> float:
        return float(self._box.value())

    def accepts(self, value: object) -> bool:
        """Whether `value` is a number within this slider's range."""
        return (isinstance(value, int | float) and not isinstance(value, bool)
                and self._box.minimum() <= value <= self._box.maximum())

    def setValue(self, value: float) -> None:
        self._box.setValue(value)

    def setToolTip(self, text: str) -> None:
        super().setToolTip(text)
        self._slider.setToolTip(text)
        self._box.setToolTip(text)

    def setAccessibleName(self, name: str) -> None:
        super().setAccessibleName(name)
        self._slider.setAccessibleName(name)
        self._box.setAccessibleName(name)

    def _on_slider_value_changed(self, position: int) -> None:
        if round(self._box.value() * self._scale) != position:
            self._box.setValue(position / self._scale)

    def _on_box_value_changed(self, value: float) -> None:
        self._slider.blockSignals(True)
        self._slider.setValue(round(value * self._scale))
        self._slider.blockSignals(False)
        self.valueChanged.emit(value)


class VoiceSettingsPanel(QGroupBox):
    settings_changed = Signal()

    def __init__(self, parent: QWidget | None = None, name_prefix: str = "speech") -> None:
        """`name_prefix` starts the objectNames (`speech.stability`, ...), so a second
        panel (the Scripts tab's settings dialog) has names of its own."""
        super().__init__("Voice settings", parent)
        self.setObjectName(f"{name_prefix}.voice_settings")
        # The server's defaults once known; until then the API's documented ones (the
        # wire models load with the first answer, after the window shows).
        self._defaults: VoiceSettings | None = None
        self._sliders: dict[str, LabeledDoubleSlider] = {}
        form = QFormLayout(self)
        for field, label, name, low, high, tip in _SLIDERS:
            slider = LabeledDoubleSlider(Qt.Orientation.Horizontal, self)
            slider.setObjectName(name.replace("speech.", f"{name_prefix}.", 1))
            slider.setDecimals(2)
            slider.setRange(low, high)
            slider.setSingleStep(0.01)
            slider.setToolTip(tip)
            slider.setAccessibleName(label)
            slider.valueChanged.connect(self.settings_changed)
            self._sliders[field] = slider
            form.addRow(label, slider)
        self.speaker_boost = QCheckBox("Speaker boost", self)
        self.speaker_boost.setObjectName(f"{name_prefix}.speaker_boost")
        self.speaker_boost.setToolTip(
            "Makes the voice more like the speaker; adds a little latency.")
        self.speaker_boost.toggled.connect(self.settings_changed)
        form.addRow("", self.speaker_boost)
        self.reset = QPushButton("Reset to defaults", self)
        self.reset.setObjectName(f"{name_prefix}.reset_settings")
        self.reset.clicked.connect(self.reset_to_defaults)
        keep_to_its_text(self.reset)  # (a form stretched it 800 px on a wide screen)
        form.addRow("", self.reset)
        self.reset_to_defaults()

    def slider(self, field: str) -> LabeledDoubleSlider:
        return self._sliders[field]

    def set_defaults(self, defaults: VoiceSettings) -> None:
        """Defaults come from GET /v1/voices/settings/default."""
        self._defaults = defaults

    def reset_to_defaults(self) -> None:
        self.set_values(self._defaults)

    def set_values(self, settings: VoiceSettings | None) -> None:
        """Show `settings`; a value it leaves out shows the API's default."""
        for field, slider in self._sliders.items():
            value = getattr(settings, field, None)
            slider.setValue(float(value if value is not None
                                  else DEFAULT_VOICE_SETTINGS[field]))
        boost = getattr(settings, "use_speaker_boost", None)
        self.speaker_boost.setChecked(
            bool(DEFAULT_VOICE_SETTINGS["use_speaker_boost"] if boost is None else boost))

    def set_saved_values(self, saved: Mapping[str, object]) -> None:
        """Values saved by an earlier session (a draft), checked one by one: a value that
        is missing, or out of today's range, shows the default. Plain checks rather than
        the wire model, so a draft restores before the window shows without pydantic."""
        for field, slider in self._sliders.items():
            value = saved.get(field)
            slider.setValue(float(value) if slider.accepts(value)  # type: ignore[arg-type]
                            else float(DEFAULT_VOICE_SETTINGS[field]))
        boost = saved.get("use_speaker_boost")
        self.speaker_boost.setChecked(
            boost if isinstance(boost, bool) else bool(DEFAULT_VOICE_SETTINGS["use_speaker_boost"]))

    def values(self) -> VoiceSettings:
        """The settings to send; those the model cannot use are left out (None)."""
        from app.domain.wire import VoiceSettings

        style = self._sliders["style"]
        return VoiceSettings(
            stability=round(self._sliders["stability"].value(), 2),
            similarity_boost=round(self._sliders["similarity_boost"].value(), 2),
            style=round(style.value(), 2) if style.isEnabled() else None,
            speed=round(self._sliders["speed"].value(), 2),
            use_speaker_boost=self.speaker_boost.isChecked()
            if self.speaker_boost.isEnabled() else None,
        )

    def set_model_capabilities(self, can_use_style: bool, can_use_speaker_boost: bool) -> None:
        self._sliders["style"].setEnabled(can_use_style)
        self.speaker_boost.setEnabled(can_use_speaker_boost)
