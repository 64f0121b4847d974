"""The five voice settings as labelled sliders and a toggle, with a reset to the API's defaults."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QFormLayout, QGroupBox, QPushButton, QWidget
from superqt import QLabeledDoubleSlider

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


class VoiceSettingsPanel(QGroupBox):
    settings_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Voice settings", parent)
        self.setObjectName("speech.voice_settings")
        self._defaults = VoiceSettings()
        self._sliders: dict[str, QLabeledDoubleSlider] = {}
        form = QFormLayout(self)
        for field, label, name, low, high, tip in _SLIDERS:
            slider = QLabeledDoubleSlider(Qt.Orientation.Horizontal, self)
            slider.setObjectName(name)
            slider.setRange(low, high)
            slider.setSingleStep(0.01)  # type: ignore[arg-type]  # superqt stubs say int
            slider.setDecimals(2)
            slider.setToolTip(tip)
            slider.setAccessibleName(label)
            slider.valueChanged.connect(self.settings_changed)
            self._sliders[field] = slider
            form.addRow(label, slider)
        self.speaker_boost = QCheckBox("Speaker boost", self)
        self.speaker_boost.setObjectName("speech.speaker_boost")
        self.speaker_boost.setToolTip(
            "Makes the voice more like the speaker; adds a little latency.")
        self.speaker_boost.toggled.connect(self.settings_changed)
        form.addRow("", self.speaker_boost)
        self.reset = QPushButton("Reset to defaults", self)
        self.reset.setObjectName("speech.reset_settings")
        self.reset.clicked.connect(self.reset_to_defaults)
        form.addRow("", self.reset)
        self.set_values(self._defaults)

    def slider(self, field: str) -> QLabeledDoubleSlider:
        return self._sliders[field]

    def set_defaults(self, defaults: VoiceSettings) -> None:
        """Defaults come from GET /v1/voices/settings/default."""
        self._defaults = defaults

    def reset_to_defaults(self) -> None:
        self.set_values(self._defaults)

    def set_values(self, settings: VoiceSettings) -> None:
        fallback = VoiceSettings()
        for field, slider in self._sliders.items():
            value = getattr(settings, field)
            slider.setValue(float(value if value is not None else getattr(fallback, field)))
        boost = settings.use_speaker_boost
        self.speaker_boost.setChecked(bool(True if boost is None else boost))

    def values(self) -> VoiceSettings:
        """The settings to send; those the model cannot use are left out (None)."""
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
