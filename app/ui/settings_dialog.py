"""Settings: API key (checked with the server, kept in the system keychain), server
address, sound output device and default format."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.api.client import ApiClient, ClientConfig, is_insecure_base_url
from app.api.errors import MissingPermissionsError
from app.api.voices import VoicesService
from app.audio.devices import list_input_devices, list_output_devices
from app.domain.formats import TTS_FORMATS
from app.library.secrets import KeyStore
from app.ui.app_context import AppContext
from app.ui.errors import describe_error, restricted_key_text
from app.ui.qt_async import TaskRunner

DEFAULT_BASE_URL = "https://api.elevenlabs.io"


async def check_key(base_url: str, key: str) -> None:
    """Ask the server whether it accepts the key (raises the API's error if not)."""
    client = ApiClient(ClientConfig(base_url=base_url, api_key=key, max_retries=0))
    try:
        await VoicesService(client).list_models()
    finally:
        await client.aclose()


class SettingsDialog(QDialog):
    key_changed = Signal()  # the key was saved or removed: reconnect
    settings_saved = Signal()
    models_changed = Signal()  # an offline model was installed or removed

    CHECK = "settings.check_key"

    def __init__(self, ctx: AppContext, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settings.dialog")
        self.setWindowTitle("Settings")
        self.setMinimumWidth(520)
        self._ctx = ctx
        self._runner = runner
        self._storing: asyncio.Future[None] | None = None  # the keychain write, once begun

        self.api_key = QLineEdit(self)
        self.api_key.setObjectName("settings.api_key")
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setPlaceholderText("Paste your ElevenLabs API key")
        self.key_status = QLabel(self)
        self.key_status.setObjectName("settings.key_status")
        self.key_status.setWordWrap(True)
        self.save_key = QPushButton("Check and save key", self)
        self.save_key.setObjectName("settings.save_key")
        self.remove_key = QPushButton("Remove key", self)
        self.remove_key.setObjectName("settings.remove_key")
        key_buttons = QHBoxLayout()
        key_buttons.addWidget(self.save_key)
        key_buttons.addWidget(self.remove_key)
        key_buttons.addStretch(1)

        self.base_url = QLineEdit(ctx.settings.base_url, self)
        self.base_url.setObjectName("settings.base_url")
        self.base_url.setToolTip("Leave as it is unless you use a regional ElevenLabs server")
        self.base_url_note = QLabel(self)
        self.base_url_note.setObjectName("settings.base_url_note")
        self.base_url_note.setWordWrap(True)
        self.output_device = self._device_choice(
            "settings.output_device", "Where XI Studio plays sound",
            lambda: [device.name for device in list_output_devices()],
            ctx.settings.output_device)
        self.input_device = self._device_choice(
            "settings.input_device", "The microphone Transcripts → Record… records from",
            lambda: [device.name for device in list_input_devices()],
            ctx.settings.input_device)
        self.default_format = QComboBox(self)
        self.default_format.setObjectName("settings.default_format")
        for fmt in TTS_FORMATS:
            self.default_format.addItem(fmt.label, fmt.value)
        index = self.default_format.findData(ctx.settings.default_output_format)
        self.default_format.setCurrentIndex(max(0, index))

        form = QFormLayout()
        form.addRow("API key", self.api_key)
        form.addRow("", key_buttons)
        form.addRow("", self.key_status)
        form.addRow("Server address", self.base_url)
        form.addRow("", self.base_url_note)
        form.addRow("Sound output", self.output_device)
        form.addRow("Microphone", self.input_device)
        form.addRow("Default format", self.default_format)
        self.offline_models = QPushButton("Offline voices and transcripts…", self)
        self.offline_models.setObjectName("settings.offline_models")
        self.offline_models.setAccessibleName("Offline models")
        self.offline_models.clicked.connect(self._open_models)
        form.addRow("Offline models", self.offline_models)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.setObjectName("settings.buttons")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

        self.save_key.clicked.connect(self._on_save_key_clicked)
        self.remove_key.clicked.connect(self._on_remove_key_clicked)
        self.buttons.accepted.connect(self._on_accepted)
        self.buttons.rejected.connect(self.reject)
        self.base_url.textChanged.connect(self._on_base_url_changed)
        self._show_key_state()
        self._on_base_url_changed(self.base_url.text())

    def _device_choice(self, name: str, tip: str, names: Callable[[], list[str]],
                       saved: str | None) -> QComboBox:
        """System default, then the devices by name. A saved one unplugged since stays
        chosen (it may come back) and is marked so."""
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setToolTip(tip)
        combo.addItem("System default", None)
        try:
            for device in names():
                combo.addItem(device, device)
        except Exception:  # no audio system at all: the default entry stays
            pass
        if saved is not None and combo.findData(saved) < 0:
            combo.addItem(f"{saved} (not connected)", saved)
        combo.setCurrentIndex(max(0, combo.findData(saved)))
        return combo

    def _open_models(self) -> None:
        from app.ui.models_dialog import ModelsDialog

        self.models_dialog = ModelsDialog(parent=self, player=self._ctx.player)
        self.models_dialog.panel.models_changed.connect(self.models_changed)
        self.models_dialog.open()  # window-modal, without blocking the event loop

    def _show_key_state(self) -> None:
        store = self._ctx.key_store
        try:
            key = store.get()
        except ValueError as exc:  # ELEVENLABS_API_KEY holds something that is not a key
            self.key_status.setText(str(exc))
            self.remove_key.setEnabled(False)
            return
        if not key:
            self.key_status.setText("No key: XI Studio uses its free offline voices. Add a key "
                                    "to use your ElevenLabs voices and models.")
            self.remove_key.setEnabled(False)
            return
        where = {"environment": "from the ELEVENLABS_API_KEY environment variable",
                 "keychain": "in the system keychain",
                 "session": "for this session only (no system keychain)"}.get(
                     store.source or "", "")
        self.key_status.setText(f"Key {KeyStore.masked(key)} is stored {where}.")
        self.remove_key.setEnabled(store.source != "environment")

    def _on_base_url_changed(self, text: str) -> None:
        url = text.strip()
        if not url.startswith(("http://", "https://")):
            self.base_url_note.setText("The address must start with https://")
        elif is_insecure_base_url(url):
            self.base_url_note.setText("Refused: this address is not encrypted (http://), so your "
                                       "key could be read on the network. Use https://.")
        else:
            self.base_url_note.setText("")
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(
            not self.base_url_note.text()
        )

    def _on_save_key_clicked(self) -> None:
        key = self.api_key.text().strip()
        if not key:
            self.key_status.setText("Paste a key first.")
            return
        problem = KeyStore.problem(key)  # says what is wrong, never shows the key
        if problem:
            self.key_status.setText(f"{problem} The key was not saved.")
            return
        self.save_key.setEnabled(False)
        self.key_status.setText("Checking the key with ElevenLabs…")
        self._runner.start(self.CHECK, lambda: self._check_and_store(key))

    async def _check_and_store(self, key: str) -> None:
        base_url = self.base_url.text().strip() or DEFAULT_BASE_URL
        restricted: MissingPermissionsError | None = None
        try:
            try:
                await check_key(base_url, key)
            except MissingPermissionsError as exc:
                restricted = exc  # a genuine key, only restricted: it can be saved
        except Exception as exc:
            message = describe_error(exc)
            self.key_status.setText(f"{message.title}. {message.text} The key was not saved.")
            self.save_key.setEnabled(True)
            return
        # From here the key is being written to the keychain, which cannot be stopped
        # half way: Escape (Cancel) now lets the write finish and the app be told of the
        # key really stored. Cancelling it left the key saved while the app, never told,
        # went on with the old one (or none).
        self._storing = asyncio.ensure_future(self._store(key, base_url, restricted))
        await asyncio.shield(self._storing)

    async def _store(self, key: str, base_url: str,
                     restricted: MissingPermissionsError | None) -> None:
        try:
            result = await asyncio.to_thread(self._ctx.key_store.set, key)
        except Exception as exc:
            message = describe_error(exc)
            self.key_status.setText(f"{message.title}. {message.text} The key was not saved.")
            return
        finally:
            self.save_key.setEnabled(True)
        self.api_key.clear()
        # The key was checked against this server: use both together from now on.
        if base_url != self._ctx.settings.base_url:
            self._ctx.settings.base_url = base_url
            await asyncio.to_thread(self._ctx.save_settings)
        self._show_key_state()
        if not getattr(result, "persisted", True):
            self.key_status.setText(self.key_status.text() + " " + getattr(result, "message", ""))
        if restricted is not None:
            self.key_status.setText(self.key_status.text() + " " + restricted_key_text(restricted))
        self.key_changed.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter in the key field checks and saves the key. It reached Save, the dialog's
        # default, which closed the dialog and dropped the key just pasted.
        if (event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and self.focusWidget() is self.api_key and self.api_key.text().strip()):
            if self.save_key.isEnabled():
                self._on_save_key_clicked()
            return
        super().keyPressEvent(event)

    def done(self, result: int) -> None:
        # Cancel or Escape while the key is being checked: stop, so nothing is saved
        # after the user said no (the check went on, then saved the key and the server
        # address typed here, and set the app's work going again with them).
        if result == QDialog.DialogCode.Rejected:
            self._runner.cancel(self.CHECK)
        super().done(result)

    def _on_remove_key_clicked(self) -> None:
        self._ctx.key_store.delete()
        self._show_key_state()
        self.key_changed.emit()

    def _on_accepted(self) -> None:
        settings = self._ctx.settings
        new_url = self.base_url.text().strip() or DEFAULT_BASE_URL
        url_changed = new_url != settings.base_url
        settings.base_url = new_url
        settings.output_device = self.output_device.currentData()
        settings.input_device = self.input_device.currentData()
        settings.default_output_format = self.default_format.currentData()
        self._ctx.save_settings()
        self.settings_saved.emit()
        if url_changed:
            self.key_changed.emit()
        self.accept()
