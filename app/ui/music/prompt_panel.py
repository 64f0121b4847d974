"""Prompt mode: describe the song in words, choose its length, instrumental or not."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.music_plan import MUSIC_LENGTH_MAX_MS, MUSIC_LENGTH_MIN_MS, PROMPT_MAX_CHARS
from app.domain.music_plan_checks import errors_only
from app.domain.music_request import validate_prompt
from app.ui.widgets.problem_text import show_as_problem

DEFAULT_LENGTH_S = 30.0


class PromptPanel(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("music.prompt_page")
        self.prompt = QPlainTextEdit(self)
        self.prompt.setObjectName("music.prompt")
        self.prompt.setAccessibleName("Describe the music")
        self.prompt.setPlaceholderText(
            "Describe the music: genre, mood, instruments, tempo, what the song is about. "
            "For example: “A warm lo-fi beat with mellow piano and vinyl crackle, for "
            "studying.”")
        self.counter = QLabel(self)
        self.counter.setObjectName("music.prompt_count")
        self.counter.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.auto_length = QCheckBox("Let the model choose the length", self)
        self.auto_length.setObjectName("music.auto_length")
        self.length = QDoubleSpinBox(self)
        self.length.setObjectName("music.length")
        self.length.setAccessibleName("Song length in seconds")
        self.length.setRange(MUSIC_LENGTH_MIN_MS / 1000, MUSIC_LENGTH_MAX_MS / 1000)
        self.length.setDecimals(0)
        self.length.setSingleStep(5)
        self.length.setSuffix(" s")
        self.length.setValue(DEFAULT_LENGTH_S)
        self.length.setToolTip(f"From {MUSIC_LENGTH_MIN_MS // 1000} seconds to "
                               f"{MUSIC_LENGTH_MAX_MS // 60_000} minutes")
        self.length_text = QLabel(self)
        self.instrumental = QCheckBox("Instrumental only (no singing)", self)
        self.instrumental.setObjectName("music.instrumental")
        self.to_plan = QPushButton("Plan it section by section…", self)
        self.to_plan.setObjectName("music.prompt_to_plan")
        self.to_plan.setToolTip("Let the server write a section plan from this description, "
                                "to fine-tune before composing")
        # The length on one row, its two choices under it: in one row they made the
        # window wider than a laptop screen.
        row = QHBoxLayout()
        row.addWidget(QLabel("Length", self))
        row.addWidget(self.length)
        row.addWidget(self.length_text)
        row.addStretch(1)
        choices = QVBoxLayout()
        choices.addWidget(self.auto_length)
        choices.addWidget(self.instrumental)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.prompt, 1)
        counts = QHBoxLayout()
        counts.addWidget(self.to_plan)
        counts.addStretch(1)
        counts.addWidget(self.counter)
        layout.addLayout(counts)
        layout.addLayout(row)
        layout.addLayout(choices)
        self.prompt.textChanged.connect(self._on_changed)
        self.length.valueChanged.connect(self._on_changed)
        self.auto_length.toggled.connect(self._on_changed)
        self.instrumental.toggled.connect(self._on_changed)
        self._on_changed()

    def text(self) -> str:
        return self.prompt.toPlainText()

    def music_length_ms(self) -> int | None:
        return None if self.auto_length.isChecked() else round(self.length.value() * 1000)

    def set_values(self, prompt: str, music_length_ms: int | None, instrumental: bool) -> None:
        self.prompt.setPlainText(prompt)
        self.auto_length.setChecked(music_length_ms is None)
        if music_length_ms is not None:
            self.length.setValue(music_length_ms / 1000)
        self.instrumental.setChecked(instrumental)

    def request_fields(self) -> dict[str, Any]:
        return {"prompt": self.text(), "music_length_ms": self.music_length_ms(),
                "force_instrumental": self.instrumental.isChecked()}

    def blocking_error(self) -> str | None:
        """Why this prompt cannot be sent, in plain words (None when it can)."""
        errors = errors_only(validate_prompt(self.text(), self.music_length_ms()))
        return f"{errors[0].message}." if errors else None

    def draft(self) -> dict[str, Any]:
        return {"prompt": self.text(), "music_length_ms": round(self.length.value() * 1000),
                "auto_length": self.auto_length.isChecked(),
                "instrumental": self.instrumental.isChecked()}

    def restore_draft(self, draft: dict[str, Any]) -> None:
        length = draft.get("music_length_ms")
        self.set_values(str(draft.get("prompt") or ""), None if draft.get("auto_length") else
                        length if isinstance(length, int) else round(DEFAULT_LENGTH_S * 1000),
                        bool(draft.get("instrumental")))

    def _on_changed(self, *_args: object) -> None:
        count = len(self.text())
        over = count > PROMPT_MAX_CHARS
        self.counter.setText(f"{count:,} / {PROMPT_MAX_CHARS:,} characters"
                             + (" — too long, please shorten it" if over else ""))
        show_as_problem(self.counter, over)
        self.length.setEnabled(not self.auto_length.isChecked())
        seconds = int(self.length.value())
        self.length_text.setText(f"({seconds // 60}:{seconds % 60:02d})")
        self.changed.emit()
