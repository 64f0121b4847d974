"""An inline banner that says what happened and what to do next, with optional retry."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from app.ui.contrast import GRAPHIC_CONTRAST, with_contrast
from app.ui.errors import UserMessage
from app.ui.icons import icon
from app.ui.palette_follow import follow_palette
from app.ui.widgets.problem_text import PROBLEM_RED


def border_colour(palette: QPalette) -> QColor:
    """The banner's red outline, made lighter or darker until it stands out at WCAG's 3:1
    from both the banner's own background and the window around it: the fixed #c0392b
    was 2.6:1 inside and 2.1:1 outside on a dark (Breeze Dark) palette."""
    colour = QColor(PROBLEM_RED)
    for role in (QPalette.ColorRole.AlternateBase, QPalette.ColorRole.Window):
        colour = with_contrast(colour, palette.color(role), GRAPHIC_CONTRAST)
    return colour


class ErrorBanner(QFrame):
    retry_requested = Signal()

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._style_frame()
        self._icon = QLabel(self)
        self._icon.setPixmap(icon("warning").pixmap(24, 24))
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
        follow_palette(self, self._follow_palette)
        self.hide()

    def _style_frame(self) -> None:
        selector = self.objectName().replace(".", "\\.")  # QSS needs the dot escaped
        # Colours named from the application's palette, not "palette(alternate-base)":
        # Qt resolved that once, so after a live switch to dark the banner stayed light
        # under the dark palette's light text. (And the style sheet's background
        # changes the banner's own palette: the application's is the one to read.)
        palette = QGuiApplication.palette()
        background = palette.color(QPalette.ColorRole.AlternateBase).name()
        border = border_colour(palette).name()
        self.setStyleSheet(
            f"QFrame#{selector} {{ background: {background};"
            f" border: 1px solid {border}; border-radius: 4px; }}"
        )

    def _follow_palette(self) -> None:
        self._style_frame()
        self._icon.setPixmap(icon("warning").pixmap(24, 24))  # in the new palette's colours

    def show_message(self, message: UserMessage) -> None:
        self._text.setText(f"<b>{message.title}.</b> {message.text}<br>{message.next_step}")
        self._retry.setText(message.retry_label)
        self._retry.setVisible(message.can_retry)
        self.show()

    def text(self) -> str:
        return self._text.text()

    def _on_retry_clicked(self) -> None:
        self.hide()
        self.retry_requested.emit()
