"""The row under the editor: Compose, Cancel, a busy bar with the elapsed time, the plan
file buttons and a status line that says what is happening (or what blocks Compose)."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.icons import icon
from app.ui.keyboard import looks_default_only_when_aimed
from app.ui.widgets.player_bar import format_ms

COMPOSE_TIP = "Compose the song and play it (Ctrl+Enter)"


class ComposeBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.compose_button = QPushButton(icon("generate"), "Compose", self)
        self.compose_button.setObjectName("music.compose")
        looks_default_only_when_aimed(self.compose_button)
        self.compose_button.setToolTip(COMPOSE_TIP)
        self.cancel_button = QPushButton(icon("cancel"), "Cancel", self)
        self.cancel_button.setObjectName("music.cancel")
        self.cancel_button.setToolTip("Stop composing (nothing is saved)")
        self.cancel_button.setVisible(False)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("music.progress")
        self.progress.setRange(0, 0)  # busy: the API does not report progress
        self.progress.setTextVisible(False)
        self.progress.setVisible(False)
        self.elapsed = QLabel(self)
        self.elapsed.setObjectName("music.elapsed")
        self.elapsed.setToolTip("Time since Compose was pressed")
        self.open_button = QPushButton(icon("open"), "Open plan…", self)
        self.open_button.setObjectName("music.open_plan")
        self.open_button.setToolTip("Open a plan saved as a file (.plan.json)")
        self.save_button = QPushButton(icon("save"), "Save plan…", self)
        self.save_button.setObjectName("music.save_plan")
        self.save_button.setToolTip("Save this plan as a file to use again or share")
        self.status = QLabel(self)
        self.status.setObjectName("music.status")
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.compose_button)
        row.addWidget(self.cancel_button)
        row.addWidget(self.progress, 1)
        row.addWidget(self.elapsed)
        row.addStretch(0)  # Compose keeps its size while the busy bar is hidden
        # The plan file buttons share the status line's row: with Compose, Cancel and
        # the busy bar they made the window wider than a laptop screen while composing.
        files = QHBoxLayout()
        files.addWidget(self.status, 1)
        files.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)
        files.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addLayout(files)
        self._started_at = 0.0
        self._clock = QTimer(self)
        self._clock.setInterval(250)
        self._clock.timeout.connect(self._show_elapsed)

    @property
    def busy(self) -> bool:
        return not self.cancel_button.isHidden()

    def set_blocked(self, reason: str | None) -> None:
        """Enable Compose, or disable it and say why (unless composing)."""
        self.compose_button.setEnabled(reason is None and not self.busy)
        self.compose_button.setToolTip(reason or COMPOSE_TIP)

    def started(self, text: str) -> None:
        self._started_at = time.monotonic()
        self._clock.start()
        self._show_elapsed()
        self.cancel_button.setVisible(True)
        self.progress.setVisible(True)
        self.compose_button.setEnabled(False)
        self.status.setText(text)

    def stopped(self, reason: str | None) -> None:
        self._clock.stop()
        self.elapsed.clear()  # a time left standing read as if still composing
        self.cancel_button.setVisible(False)
        self.progress.setVisible(False)
        self.set_blocked(reason)

    def _show_elapsed(self) -> None:
        self.elapsed.setText(format_ms(int((time.monotonic() - self._started_at) * 1000)))
