"""The Speech tab's text side: the text box, its count lines, the Generate, Cancel and
Save as… buttons with the progress bar, the status line and the error banner, and how
they look while a generation runs; the tab (speech_tab.py) reacts to them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.ui.icons import icon
from app.ui.keyboard import looks_default_only_when_aimed
from app.ui.widgets.error_banner import ErrorBanner
from app.ui.widgets.wrapping_label import WrappingLabel

TEXT_MIN_CHARS = 46  # the text box's least width, in average characters


class SpeechTextColumn(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("speech.text_column")
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("speech.text")
        self.text.setPlaceholderText(
            "Type or paste what you want to hear. Long texts are split at sentence ends "
            "and joined into one seamless file."
        )
        self.text.setAccessibleName("Text to speak")
        # About 46 characters a line at least: beside the settings on a 853 px laptop
        # it was 190 px, a few words a line. Where the two columns cannot both have
        # that, the tab stacks them (app/ui/narrow_screen.py), the text first.
        self.text.setMinimumWidth(TEXT_MIN_CHARS * self.text.fontMetrics().averageCharWidth())
        # These grow with the text (a count of 12,000 characters, "sent in 2 parts",
        # credits left): wrapped, they never widen the window.
        self.char_count = WrappingLabel(self)
        self.char_count.setObjectName("speech.char_count")
        self.estimate = WrappingLabel(self)
        self.estimate.setObjectName("speech.estimate")
        self.estimate.setAlignment(Qt.AlignmentFlag.AlignRight)

        self.generate_button = QPushButton(icon("generate"), "Generate", self)
        self.generate_button.setObjectName("speech.generate")
        self.generate_button.setToolTip("Generate speech and play it (Ctrl+Enter)")
        looks_default_only_when_aimed(self.generate_button)
        self.generate_button.setEnabled(False)
        self.cancel_button = QPushButton(icon("cancel"), "Cancel", self)
        self.cancel_button.setObjectName("speech.cancel")
        self.cancel_button.setVisible(False)
        self.save_button = QPushButton(icon("save"), "Save as…", self)
        self.save_button.setObjectName("speech.save_as")
        self.save_button.setEnabled(False)
        self.save_button.setToolTip("Save the last generated audio to a file of your choice")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("speech.progress")
        self.progress.setVisible(False)
        self.progress.setTextVisible(True)
        self.status = QLabel("Connecting…", self)
        self.status.setObjectName("speech.status")
        self.status.setWordWrap(True)
        self.error_banner = ErrorBanner("speech.error", self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.error_banner)
        layout.addWidget(self.text, 1)
        counts = QHBoxLayout()
        counts.addWidget(self.char_count, 1)
        counts.addWidget(self.estimate, 1)
        layout.addLayout(counts)
        # Wide enough to press, never a bar: with the text column given the room of a
        # 2560-wide screen the two buttons were 857 px each.
        # (Expanding, so they still share a narrow row; kept to the row's two ends.)
        widest = self.fontMetrics().averageCharWidth() * 32
        for button in (self.generate_button, self.save_button):
            button.setMaximumWidth(max(widest, button.sizeHint().width()))
            policy = button.sizePolicy()
            policy.setHorizontalPolicy(QSizePolicy.Policy.Expanding)
            button.setSizePolicy(policy)
        actions = QHBoxLayout()
        actions.addWidget(self.generate_button, 0, Qt.AlignmentFlag.AlignLeft)
        actions.addWidget(self.cancel_button)
        actions.addWidget(self.progress, 1)
        actions.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addLayout(actions)
        layout.addWidget(self.status)

    def show_generating(self, parts: int) -> None:
        """A generation of `parts` requests started: Cancel and the progress show."""
        self.generate_button.setEnabled(False)
        self.cancel_button.setVisible(True)
        self.progress.setVisible(True)
        self.progress.setRange(0, parts if parts > 1 else 0)  # busy bar for one part
        self.progress.setValue(0)
        self.progress.setFormat(f"Part %v of {parts}" if parts > 1 else "")
        self.status.setText("Generating… the audio starts playing as soon as it arrives."
                            if parts == 1 else
                            f"Long text: generating {parts} parts and joining them seamlessly…")

    def show_generation_ended(self) -> None:
        """Finished, failed or stopped: Cancel and the progress go (the tab decides
        whether Generate is on again)."""
        self.cancel_button.setVisible(False)
        self.progress.setVisible(False)
