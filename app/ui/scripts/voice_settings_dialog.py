"""Voice settings of one block, or of one speaker (the cast's defaults for all of that
speaker's blocks), with the Speech tab's sliders.

A block uses its own settings when it has them, otherwise its speaker's; a speaker uses
their own, otherwise the voice's defaults. The dialog shows what is in force, lets the
user give the block (or speaker) settings of its own or drop them, and answers through a
callback (window-modal, opened with `open()`, never from inside a coroutine). The tab
turns the answer into an undoable edit; blocks whose takes were made with other settings
are then marked stale by the script itself (settings are part of a take's fingerprint).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from app.domain import script_edit
from app.ui.scripts import cast_edits
from app.ui.speech.voice_settings_panel import VoiceSettingsPanel

if TYPE_CHECKING:
    from app.ui.scripts.scripts_tab import ScriptsTab

# (settings or None: "no settings of its own")
Answer = Callable[[dict[str, Any] | None], object]


class VoiceSettingsDialog(QDialog):
    def __init__(self, title: str, intro: str, own_label: str,
                 own: Mapping[str, Any] | None, inherited: Mapping[str, Any] | None,
                 on_chosen: Answer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scripts.voice_settings_dialog")
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self._on_chosen = on_chosen
        text = QLabel(intro, self)
        text.setObjectName("scripts.voice_settings_intro")
        text.setWordWrap(True)
        self.own = QCheckBox(own_label, self)
        self.own.setObjectName("scripts.voice_settings_own")
        self.own.setAccessibleName(own_label)
        self.panel = VoiceSettingsPanel(self, name_prefix="scripts.settings")
        self.panel.set_saved_values(dict(own if own is not None else inherited or {}))
        self.own.setChecked(own is not None)
        self.panel.setEnabled(own is not None)
        self.own.toggled.connect(self.panel.setEnabled)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setObjectName("scripts.voice_settings_ok")
        ok.setAccessibleName("Use these settings")
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("scripts.voice_settings_cancel")
        buttons.accepted.connect(self._on_ok_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.own)
        layout.addWidget(self.panel)
        layout.addWidget(buttons)
        self.finished.connect(self.deleteLater)

    def chosen(self) -> dict[str, Any] | None:
        if not self.own.isChecked():
            return None
        return self.panel.values().model_dump(mode="json", exclude_none=True)

    def _on_ok_clicked(self) -> None:
        chosen = self.chosen()
        self.accept()
        self._on_chosen(chosen)


def block_dialog(number: int, speaker: str, own: Mapping[str, Any] | None,
                 speaker_settings: Mapping[str, Any] | None, on_chosen: Answer,
                 parent: QWidget | None = None) -> VoiceSettingsDialog:
    return VoiceSettingsDialog(
        f"Voice settings of block {number}",
        f"Block {number} is spoken by {speaker}. Without settings of its own it uses "
        f"{speaker}'s (set from the cast). Changing them marks the block stale: its takes "
        "stay, and a new take is made with the new settings.",
        "Settings of its own for this block", own, speaker_settings, on_chosen, parent)


def speaker_dialog(speaker: str, blocks: int, own: Mapping[str, Any] | None,
                   on_chosen: Answer, parent: QWidget | None = None) -> VoiceSettingsDialog:
    return VoiceSettingsDialog(
        f"Voice settings of {speaker}",
        f"These settings apply to {speaker}'s {blocks} block{'s' if blocks != 1 else ''}, "
        "except blocks with settings of their own. Without them the voice's defaults are "
        "used. Blocks already made with other settings are marked stale.",
        f"Settings of its own for {speaker}", own, None, on_chosen, parent)


class VoiceSettingsEditing(QObject):
    """Opens the dialog from a block (its panel's button) or a cast row, and makes the
    answer an undoable edit of the tab's script."""

    def __init__(self, tab: ScriptsTab) -> None:
        super().__init__(tab)
        self._tab = tab
        self.dialog: VoiceSettingsDialog | None = None  # the one open (for tests)
        tab.block_panel.settings_requested.connect(self.open_for_block)
        tab.cast.settings_requested.connect(self.open_for_speaker)

    def open_for_block(self, block_id: str) -> None:
        script = self._tab.document.script
        block = script.block(block_id)
        cast = script.cast_for(block.speaker)
        number = script.index_of(block_id) + 1

        def chosen(settings: dict[str, Any] | None) -> None:
            if settings != (dict(block.settings) if block.settings is not None else None):
                self._tab._edit(f"Voice settings of block {number}",
                                lambda s: script_edit.set_block_settings(s, block_id, settings))

        self._show(block_dialog(number, block.speaker, block.settings,
                                cast.settings if cast else None, chosen, self._tab))

    def open_for_speaker(self, speaker: str) -> None:
        script = self._tab.document.script
        cast = script.cast_for(speaker)
        own = cast.settings if cast else None
        count = sum(1 for b in script.blocks if b.speaker.casefold() == speaker.casefold())

        def chosen(settings: dict[str, Any] | None) -> None:
            if settings != (dict(own) if own is not None else None):
                self._tab._edit(f"Voice settings of {speaker}",
                                cast_edits.set_speaker_settings(speaker, settings))

        self._show(speaker_dialog(speaker, count, own, chosen, self._tab))

    def _show(self, dialog: VoiceSettingsDialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        dialog.open()


__all__ = ["VoiceSettingsDialog", "VoiceSettingsEditing", "block_dialog", "speaker_dialog"]
