"""Voice details: a voice's description, labels, languages and sample, in a small window
opened by the "Details…" button beside the Speech tab's voice picker.

The voice is fetched fresh (`GET /v1/voices/{id}`), so fields the voice list leaves out
(`verified_languages`) are shown; a failure falls back to what the list already had.
Samples play through the app's player (the main window's `play_file`).
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.api.responses import AUDIO_TYPES
from app.library.atomic import atomic_write_bytes
from app.ui.errors import describe_error
from app.ui.icons import icon
from app.ui.qt_async import TaskRunner

if TYPE_CHECKING:
    from app.domain.wire import Voice
    from app.ui.app_context import AppContext

_LABEL_ORDER = ("gender", "age", "accent", "language", "descriptive", "use_case")


def labels_text(labels: dict[str, str]) -> str:
    """'Gender: male · Age: middle aged · …', the known labels first."""
    keys = [k for k in _LABEL_ORDER if labels.get(k)] + sorted(
        k for k in labels if k not in _LABEL_ORDER and labels[k])
    return " · ".join(f"{k.replace('_', ' ').capitalize()}: {labels[k].replace('_', ' ')}"
                      for k in keys)


def languages_of(voice: Voice) -> list[dict[str, Any]]:
    """`verified_languages` (a field the API added later: read leniently)."""
    extra = voice.model_extra or {}
    found = extra.get("verified_languages") or []
    return [v for v in found if isinstance(v, dict) and v.get("language")]


def language_line(entry: dict[str, Any]) -> str:
    place = entry.get("locale") or entry.get("language")
    accent = entry.get("accent")
    model = entry.get("model_id")
    words = f"{place}" + (f", {accent} accent" if accent else "")
    return words + (f" (with {model})" if model else "")


class VoiceDetailsDialog(QDialog):
    play_requested = Signal(object, str, str)  # path, title, output format

    LOAD, PLAY = "voice_details.load", "voice_details.play"

    def __init__(self, ctx: AppContext, voice: Voice, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("voice_details")
        self.setWindowTitle(f"Voice: {voice.name}")
        self.setAccessibleName("Voice details")
        self._ctx = ctx
        self.voice = voice
        self.runner = TaskRunner(self)
        self.name = self._label("voice_details.name")
        self.description = self._label("voice_details.description")
        self.labels = self._label("voice_details.labels")
        self.languages = self._label("voice_details.languages")
        self.sample = QComboBox(self)
        self.sample.setObjectName("voice_details.sample")
        self.sample.setAccessibleName("Which sample to play")
        self.play_button = QPushButton(icon("play"), "Play sample", self)
        self.play_button.setObjectName("voice_details.play")
        self.play_button.setAccessibleName("Play sample")
        self.status = self._label("voice_details.status")
        close = QPushButton("Close", self)
        close.setObjectName("voice_details.close")
        close.setAccessibleName("Close voice details")
        close.clicked.connect(self.close)

        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Description", self.description)
        form.addRow("Labels", self.labels)
        form.addRow("Languages", self.languages)
        sample_row = QHBoxLayout()
        sample_row.addWidget(self.sample, 1)
        sample_row.addWidget(self.play_button)
        form.addRow("Sample", sample_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.setMinimumWidth(460)

        self.play_button.clicked.connect(self._on_play)
        self.runner.task_failed.connect(self._on_failed)
        self.runner.reports(self.LOAD, self.PLAY)
        self.show_voice(voice)

    def _label(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def start(self) -> None:
        self.runner.start(self.LOAD, self._load)

    async def _load(self) -> None:
        self.status.setText("Fetching the voice's details…")
        fresh = await self._ctx.voices.get_voice(self.voice.voice_id)
        self.show_voice(fresh)
        self.status.setText("")

    def show_voice(self, voice: Voice) -> None:
        self.voice = voice
        self.name.setText(f"{voice.name} ({voice.category})")
        self.description.setText(voice.description or "No description.")
        self.labels.setText(labels_text(voice.labels) or "No labels.")
        languages = languages_of(voice)
        self.languages.setText("\n".join(language_line(v) for v in languages)
                               or voice.language or "Not stated.")
        self.sample.clear()
        if voice.preview_url:
            self.sample.addItem("The voice's own sample", voice.preview_url)
        for entry in languages:
            url = entry.get("preview_url")
            if url and self.sample.findData(url) < 0:
                self.sample.addItem(f"In {entry.get('locale') or entry['language']}", url)
        has_sample = self.sample.count() > 0
        if not has_sample:
            self.sample.addItem("This voice has no sample.", None)
        self.sample.setEnabled(has_sample)
        self.play_button.setEnabled(has_sample)

    def _on_play(self) -> None:
        url = self.sample.currentData()
        if url:
            self.runner.restart(self.PLAY, lambda: self._play(str(url)))

    async def _play(self, url: str) -> None:
        self.status.setText("Fetching the sample…")
        data = await self._ctx.client.fetch_public(url, expect=AUDIO_TYPES)
        folder = self._ctx.paths.cache_dir / "voice-samples"
        path = folder / f"{hashlib.sha256(url.encode()).hexdigest()[:16]}.mp3"

        # Atomic: a sample cut short (full disk, closed window) must never sit under the
        # final name, where the next Play would trust and play it.
        await asyncio.to_thread(atomic_write_bytes, path, data)
        self.status.setText("Playing the sample.")
        self.play_requested.emit(path, f"Sample: {self.voice.name}", "")

    def _on_failed(self, name: str, exc: object) -> None:
        if not isinstance(exc, BaseException):
            return
        message = describe_error(exc)
        if name == self.LOAD:
            self.status.setText(f"Showing what the voice list had. {message.title}.")
        else:
            self.status.setText(f"The sample could not be played. {message.as_text()}")

    def done(self, result: int) -> None:
        # Not closeEvent: Escape (reject) closes a dialog without one, which left the
        # details loading (or the sample fetching) for a window already closed.
        self.runner.cancel_all()
        super().done(result)


def _layout_holding(layout: QLayout, widget: QWidget) -> QLayout | None:
    if layout.indexOf(widget) >= 0:
        return layout
    for index in range(layout.count()):
        item = layout.itemAt(index)
        child = item.layout() if item is not None else None
        found = _layout_holding(child, widget) if child is not None else None
        if found is not None:
            return found
    return None


def add_details_button(preview: QPushButton, tab: Any, ctx: AppContext) -> QPushButton:
    """Put "Details…" right after the voice Preview button (wherever the layout puts
    that); it opens the details of the voice `tab.current_voice()` at the time."""
    host = preview.parentWidget() or tab
    button = QPushButton(icon("info"), "Details…", host)
    button.setObjectName("speech.voice_details")
    button.setAccessibleName("Voice details")
    button.setToolTip("The voice's description, labels, languages and sample")
    outer = host.layout()
    row = _layout_holding(outer, preview) if outer is not None else None
    if isinstance(row, QBoxLayout):
        row.insertWidget(row.indexOf(preview) + 1, button)
    elif outer is not None:
        outer.addWidget(button)
    # Made after the tab's other controls, it was reached by Tab after them all (after the
    # seed and normalisation, far below); it sits beside Preview, so it follows Preview.
    QWidget.setTabOrder(preview, button)

    def open_details() -> None:
        voice = tab.current_voice()
        if voice is not None:
            show_voice_details(tab, ctx, voice)

    button.clicked.connect(open_details)
    return button


def show_voice_details(parent: QWidget, ctx: AppContext, voice: Voice) -> VoiceDetailsDialog:
    dialog = VoiceDetailsDialog(ctx, voice, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    play_file = getattr(parent.window(), "play_file", None)
    if play_file is not None:
        dialog.play_requested.connect(play_file)
    dialog.show()
    dialog.start()
    return dialog


__all__ = ["VoiceDetailsDialog", "add_details_button", "show_voice_details"]
