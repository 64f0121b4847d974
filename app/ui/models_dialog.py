"""The Offline models window (Settings > Offline models): the models panel and a Close
button. Closing it stops what the panel is doing but keeps a partial download."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from app.audio.player import Player
from app.library.models.store import ModelStore
from app.ui.models_panel import ModelsPanel


class ModelsDialog(QDialog):
    def __init__(self, store: ModelStore | None = None, parent: QWidget | None = None,
                 player: Player | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("models.dialog")
        self.setWindowTitle("Offline models")
        self.resize(820, 460)
        self.panel = ModelsPanel(store, self, player=player)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.setObjectName("models.close")
        buttons.rejected.connect(self.reject)
        # Enter in the list closes the window. Without a default of its own, Qt made the
        # first button after the list the default, and that was Install: Enter started
        # a download of hundreds of megabytes. A button with the focus still takes Enter.
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel, 1)
        layout.addWidget(buttons)

    def reject(self) -> None:
        self.panel.stop_for_close()
        super().reject()
