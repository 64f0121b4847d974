"""Settings > Offline models > Details…: a model's licence and its card from the hub
(`MODEL_CARD` for a Piper voice, `README.md` for Whisper), fetched in a worker thread
(cached after the first time), cancelled when the window closes."""

from __future__ import annotations

import contextlib
import html
import threading
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTextBrowser, QVBoxLayout, QWidget

from app.library.models.catalogue import ModelEntry, human_size
from app.library.models.extras import fetch_card
from app.library.models.progress import InstallControl
from app.library.models.store import ModelStore


class _Bridge(QObject):
    done = Signal(object)


class ModelCardDialog(QDialog):
    def __init__(self, entry: ModelEntry, store: ModelStore,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entry = entry
        self.setObjectName("models.card_dialog")
        self.setWindowTitle(f"{entry.title}: details")
        self.resize(640, 480)
        facts = QLabel(
            f"<b>{entry.title}</b> ({entry.name})<br>Licence: {html.escape(entry.licence_text)}<br>"
            f"Language: {entry.language} · quality: {entry.quality} · "
            f"{human_size(entry.size)}<br>From {entry.repo} at revision {entry.revision}",
            self)
        facts.setObjectName("models.card_facts")
        facts.setWordWrap(True)
        facts.setAccessibleName("Model facts")
        self.card = QTextBrowser(self)
        self.card.setObjectName("models.card_text")
        self.card.setAccessibleName("Model card")
        self.card.setAccessibleDescription("The model card published on the model hub")
        self.card.setOpenExternalLinks(True)
        self.card.setPlainText("Getting the model card from the hub…")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.setObjectName("models.card_close")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(facts)
        layout.addWidget(self.card, 1)
        layout.addWidget(buttons)
        self.loaded = False
        self._control = InstallControl()
        self._bridge = _Bridge(self)
        self._bridge.done.connect(self._show)
        threading.Thread(target=self._fetch, args=(store,), name="model-card",
                         daemon=True).start()

    def _fetch(self, store: ModelStore) -> None:
        result: Any
        try:
            result = fetch_card(self.entry, store, control=self._control)
        except Exception as exc:  # shown in plain words
            result = exc
        with contextlib.suppress(RuntimeError):  # the window was closed meanwhile
            self._bridge.done.emit(result)

    def _show(self, result: Any) -> None:
        if isinstance(result, Exception):
            if not self._control.cancelled:
                self.card.setPlainText(f"{result}\n\nThe licence above is XI Studio's record "
                                       "of it.")
            return
        self.loaded = True
        self.card.setMarkdown(_without_front_matter(result))

    def done(self, code: int) -> None:
        self._control.cancel()
        super().done(code)


def _without_front_matter(text: str) -> str:
    """A hub README starts with YAML between `---` lines (licence, tags): not prose."""
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end != -1:
            return text[end + 4:].lstrip("\n")
    return text
