"""The Speech tab's voices and models: asking the server for them, filling the pickers
(keeping the voice and model already chosen, or the draft's), and saying when there are
none or they could not be loaded. A part of SpeechTab (a mixin over its widgets).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from app.api.errors import NotFoundError
from app.ui.errors import UserMessage, describe_error
from app.ui.speech.settings_column import select_combo

if TYPE_CHECKING:
    from typing import Any

    from PySide6.QtWidgets import QComboBox, QLabel, QPushButton

    from app.domain.wire import Model
    from app.ui.app_context import AppContext
    from app.ui.speech.settings_column import SpeechSettingsColumn
    from app.ui.speech.speech_controller import Catalog, SpeechController
    from app.ui.speech.speech_draft import SpeechDraft
    from app.ui.speech.voice_settings_panel import VoiceSettingsPanel
    from app.ui.widgets.error_banner import ErrorBanner


class SpeechCatalogLoading:
    if TYPE_CHECKING:  # what it uses of the tab (app.ui.speech.speech_tab)
        _ctx: AppContext
        _controller: SpeechController
        _draft: SpeechDraft
        _models: list[Model]
        _restoring: bool
        _retry_preview: bool
        _offline: bool
        catalog_ready: bool
        ready_changed: Any  # a Signal(bool)
        model: QComboBox
        settings_column: SpeechSettingsColumn
        voice_settings: VoiceSettingsPanel
        status: QLabel
        error_banner: ErrorBanner
        generate_button: QPushButton

        def current_voice_id(self) -> str | None: ...
        def select_voice(self, voice_id: str | None) -> None: ...
        def _on_model_changed(self, *_args: object) -> None: ...
        def _update_counts(self) -> None: ...

    def load_catalog(self, offline: bool) -> None:
        self.catalog_ready = False
        self.generate_button.setEnabled(False)
        self.status.setText("Loading voices and models…")
        self._offline = offline
        self._controller.load_catalog()

    def _on_controller_catalog_loaded(self, catalog: Catalog) -> None:
        self.error_banner.hide()  # an earlier failure to load is stale now
        self._restoring = True
        try:
            self._models = catalog.models
            current_model = self.model.currentData() or self._draft.value("model_id") \
                or self._ctx.settings.last_model_id
            self.model.clear()
            for model in catalog.models:
                self.model.addItem(model.name or model.model_id, model.model_id)
            select_combo(self.model, current_model)
            current_voice = self.current_voice_id() or self._draft.value("voice_id") \
                or self._ctx.settings.last_voice_id
            self.settings_column.set_voices(catalog.voices)
            self.select_voice(current_voice if isinstance(current_voice, str) else None)
            self.voice_settings.set_defaults(catalog.default_settings)
            draft_settings = self._draft.value("voice_settings")
            if not draft_settings:
                self.voice_settings.reset_to_defaults()
        finally:
            self._restoring = False
        self._on_model_changed()
        self.catalog_ready = bool(catalog.models and catalog.voices)
        if not catalog.voices:
            self.status.setText("No voices are available on this server.")
        elif not catalog.models:
            # Generate stays disabled: never "press Generate" beside a button that is off.
            self.status.setText("This server offers no model that speaks text, so nothing "
                                "can be generated. Check the server address in Settings.")
        else:
            self.status.setText(f"{len(catalog.voices)} voices ready. Type some text and press "
                                "Generate (Ctrl+Enter).")
        self._update_counts()
        self.ready_changed.emit(True)

    def _on_controller_catalog_failed(self, exc: object) -> None:
        message = describe_error(exc if isinstance(exc, BaseException) else Exception(str(exc)))
        if isinstance(exc, NotFoundError):  # not a voice the user picked: the wrong server
            message = UserMessage("Voices and models were not found", message.text,
                                  "Check the server address in Settings, then try again.")
        # Loading the catalog only reads: trying again is always safe.
        self._retry_preview = False
        self.error_banner.show_message(dataclasses.replace(message, can_retry=True))
        self.status.setText("Voices could not be loaded.")
        self.ready_changed.emit(True)
