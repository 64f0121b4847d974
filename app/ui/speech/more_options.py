"""The Speech tab's "More options" (collapsed until opened): the rest of the request —
zero-retention mode, the deprecated latency hint and PVC-as-IVC switch, Japanese text
normalisation where the model speaks Japanese — and "Use this voice's saved settings".
It also enables the Language box only for models that take a language.

Remembered in its own draft (`speech-more-options`); the tab reads `extras()`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.speech_extras import (
    ZERO_RETENTION_NOTE,
    SpeechExtras,
    model_normalizes_japanese,
    model_takes_language,
)
from app.ui.errors import describe_error
from app.ui.speech.settings_column import select_combo
from app.ui.speech.side_draft import SideDraft

if TYPE_CHECKING:
    from app.ui.app_context import AppContext
    from app.ui.qt_async import TaskRunner
    from app.ui.speech.speech_tab import SpeechTab

DRAFT_NAME = "speech-more-options"
VOICE_SETTINGS_TASK = "speech.voice_saved_settings"
_LATENCIES = (("Default", None), ("0 · best quality", 0), ("1", 1), ("2", 2),
              ("3 · fastest", 3), ("4 · fastest, numbers not spelled out", 4))


class MoreOptions(QObject):
    def __init__(self, tab: SpeechTab, ctx: AppContext, runner: TaskRunner) -> None:
        super().__init__(tab)
        self._tab = tab
        self._ctx = ctx
        self._runner = runner
        self._draft = SideDraft(DRAFT_NAME, ctx.drafts, runner, self)
        self._build()
        self._restore(SpeechExtras.from_json(self._draft.load()))
        tab.model.currentIndexChanged.connect(self._on_model_changed)
        self._on_model_changed()
        for box in (self.zero_retention, self.use_pvc_as_ivc, self.language_normalization):
            box.toggled.connect(self._on_changed)
        self.latency.currentIndexChanged.connect(self._on_changed)
        self.toggle.toggled.connect(self.content.setVisible)
        self.use_voice_settings.clicked.connect(self._on_use_voice_settings_clicked)

    def _build(self) -> None:
        column = self._tab.settings_column
        self.toggle = QToolButton(column)
        self.toggle.setObjectName("speech.more_options_toggle")
        self.toggle.setText("More options")
        self.toggle.setAccessibleName("Show more options")
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.toggled.connect(lambda on: self.toggle.setArrowType(
            Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow))
        self.content = QWidget(column)
        self.content.setObjectName("speech.more_options")
        self.content.hide()
        self.use_voice_settings = QPushButton("Use this voice's saved settings", self.content)
        self.use_voice_settings.setObjectName("speech.use_voice_settings")
        self.use_voice_settings.setToolTip("Start from the settings saved with the voice "
                                           "on the server")
        self.language_normalization = QCheckBox("Normalise Japanese text (slower)",
                                                self.content)
        self.language_normalization.setObjectName("speech.language_normalization")
        self.zero_retention = QCheckBox("Zero-retention mode (Enterprise accounts)",
                                        self.content)
        self.zero_retention.setObjectName("speech.zero_retention")
        self.zero_retention.setToolTip(ZERO_RETENTION_NOTE)
        self.zero_retention_note = QLabel(ZERO_RETENTION_NOTE, self.content)
        self.zero_retention_note.setObjectName("speech.zero_retention_note")
        self.zero_retention_note.setWordWrap(True)
        self.zero_retention_note.hide()
        self.zero_retention.toggled.connect(self.zero_retention_note.setVisible)
        self.use_pvc_as_ivc = QCheckBox("Professional clone as instant clone (deprecated)",
                                        self.content)
        self.use_pvc_as_ivc.setObjectName("speech.use_pvc_as_ivc")
        self.use_pvc_as_ivc.setToolTip("Speak a Professional Voice Clone with its faster "
                                       "instant-clone model. ElevenLabs marks this "
                                       "deprecated.")
        self.latency = QComboBox(self.content)
        self.latency.setObjectName("speech.latency")
        self.latency.setAccessibleName("Streaming latency (deprecated)")
        self.latency.setToolTip("Trade quality for a faster first sound. ElevenLabs marks "
                                "this setting deprecated; Default is best.")
        for label, value in _LATENCIES:
            self.latency.addItem(label, value)
        self.status = QLabel(self.content)
        self.status.setObjectName("speech.more_options_status")
        self.status.setWordWrap(True)
        form = QFormLayout(self.content)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.use_voice_settings)
        form.addRow(self.language_normalization)
        form.addRow(self.zero_retention)
        form.addRow(self.zero_retention_note)
        form.addRow(self.use_pvc_as_ivc)
        form.addRow("Latency (deprecated)", self.latency)
        form.addRow(self.status)
        layout = column.layout()
        assert isinstance(layout, QVBoxLayout)
        at = max(0, layout.count() - 1)  # before the stretch
        layout.insertWidget(at, self.toggle)
        layout.insertWidget(at + 1, self.content)

    # -- the request ---------------------------------------------------------------------
    def extras(self) -> SpeechExtras:
        return SpeechExtras(
            enable_logging=not self.zero_retention.isChecked(),
            optimize_streaming_latency=self.latency.currentData(),
            use_pvc_as_ivc=self.use_pvc_as_ivc.isChecked(),
            apply_language_text_normalization=(self.language_normalization.isEnabled()
                                               and self.language_normalization.isChecked()))

    def _restore(self, extras: SpeechExtras) -> None:
        self.zero_retention.setChecked(not extras.enable_logging)
        self.use_pvc_as_ivc.setChecked(extras.use_pvc_as_ivc)
        self.language_normalization.setChecked(extras.apply_language_text_normalization)
        select_combo(self.latency, extras.optimize_streaming_latency)

    def _on_changed(self, *_args: object) -> None:
        self._draft.save(self.extras().to_json() | {
            "apply_language_text_normalization": self.language_normalization.isChecked()})

    def _on_model_changed(self, *_args: object) -> None:
        model = self._tab.current_model()
        takes_language = model is None or model_takes_language(model.model_id)
        language = self._tab.language
        language.setEnabled(takes_language)
        language.setToolTip("Force a language" if takes_language else
                            f"{model.name if model else 'This model'} finds the language in "
                            "the text itself; it takes no language setting.")
        japanese = model is not None and model_normalizes_japanese(
            lang.language_id for lang in model.languages)
        self.language_normalization.setEnabled(japanese)
        self.language_normalization.setToolTip(
            "Reads Japanese numbers, dates and symbols more naturally; adds latency." if
            japanese else "Only for models that speak Japanese.")

    # -- the voice's own settings --------------------------------------------------------
    def _on_use_voice_settings_clicked(self) -> None:
        voice = self._tab.current_voice()
        if voice is None:
            self.status.setText("Pick a voice first.")
            return

        async def load() -> None:
            try:
                settings = await self._ctx.voices.voice_settings(voice.voice_id)
            except Exception as exc:  # shown in plain words
                self.status.setText(describe_error(exc).as_text())
                return
            self._tab.voice_settings.set_values(settings)
            self.status.setText(f"Now using {voice.name}'s saved settings; change them as "
                                "you like.")

        if self._runner.start(VOICE_SETTINGS_TASK, load) is not None:
            self.status.setText(f"Reading {voice.name}'s saved settings…")
