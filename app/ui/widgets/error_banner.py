"""An inline banner that says what happened and what to do next, with optional retry."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from app.ui.errors import UserMessage
from app.ui.icons import icon


class ErrorBanner(QFrame):
    retry_requested = Signal()

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        selector = object_name.replace(".", "\\.")  # QSS needs the dot escaped
        self.setStyleSheet(
            f"QFrame#{selector} {{ background: palette(alternate-base);"
            " border: 1px solid #c0392b; border-radius: 4px; }"
        )
        self._icon = QLabel(self)
        self._icon.setPixmap(icon("warning").pixmap(24, 24))
        self._icon.installEventFilter(self)  # re-drawn in a new palette's colours
        self._text = QLabel(self)
        self._text.setObjectName(f"{object_name}.text")
        self._text.setWordWrap(True)
        self._retry = QPushButton("Try again", self)
        self._retry.setObjectName(f"{object_name}.retry")
        self._dismiss = QPushButton("Dismiss", self)
        self._dismiss.setObjectName(f"{object_name}.dismiss")
        layout = QHBoxLayout(self)
        layout.addWidget(self._icon)
        layout.addWidget(self._text, 1)
        layout.addWidget(self._retry)
        layout.addWidget(self._dismiss)
        self._retry.clicked.connect(self._on_retry_clicked)
        self._dismiss.clicked.connect(self.hide)
        self.hide()

    def show_message(self, message: UserMessage) -> None:
        self._text.setText(f"<b>{message.title}.</b> {message.text}<br>{message.next_step}")
        self._retry.setText(message.retry_label)
        self._retry.setVisible(message.can_retry)
        self.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._icon and event.type() == QEvent.Type.ApplicationPaletteChange:
            self._icon.setPixmap(icon("warning").pixmap(24, 24))
        return super().eventFilter(watched, event)

    def text(self) -> str:
        return self._text.text()

    def _on_retry_clicked(self) -> None:
        self.hide()
        self.retry_requested.emit()
