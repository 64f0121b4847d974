"""Re-opening a History entry in the Speech tab: its text, voice, model, format and
settings put back, and the status saying what could not be (a voice or model this server
does not offer), never another voice in its place without a word."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from app.ui.speech.settings_column import select_combo
from app.ui.widgets.undoable_text import BRING_BACK, replace_text_undoably

if TYPE_CHECKING:
    from app.library.history import Generation
    from app.ui.speech.speech_tab import SpeechTab

log = logging.getLogger(__name__)


def saved_settings(generation: Generation) -> dict[str, Any]:
    """The entry's request settings, or {} when they are unreadable (not JSON, or not an
    object)."""
    try:
        settings = json.loads(generation.settings_json or "{}")
    except ValueError:
        settings = None
    if not isinstance(settings, dict):
        log.warning("history entry %s has unreadable settings", generation.id)
        return {}
    return settings


def reopen_entry(tab: SpeechTab, generation: Generation) -> None:
    replaced = replace_text_undoably(tab.text, generation.text)
    select_combo(tab.model, generation.model_id)
    missing: list[str] = []
    if generation.model_id and tab.model.count() \
            and tab.model.findData(generation.model_id) < 0:
        missing.append(f"model “{generation.model_id}”")
    column = tab.settings_column
    if not generation.voice_id or not column.voice_model.rowCount():
        tab.select_voice(generation.voice_id)  # (the voices are not listed yet)
    elif not column.show_voice(generation.voice_id):
        # Never another voice in its place without a word: Generate would speak the
        # text in a voice the entry never had.
        missing.append(f"voice “{generation.voice_name or generation.voice_id}”")
    select_combo(tab.output_format, generation.output_format)
    settings = saved_settings(generation)
    voice_settings = settings.get("voice_settings")
    # Value by value: one out of today's range (an entry imported from the account's
    # history) shows its default instead of leaving every slider, and the seed, as the
    # previous entry had them.
    tab.voice_settings.set_saved_values(
        voice_settings if isinstance(voice_settings, dict) else {})
    column.set_seed(settings.get("seed"))
    language = settings.get("language_code")
    select_combo(tab.language, language if isinstance(language, str) else "")
    select_combo(tab.normalization, settings.get("apply_text_normalization"))
    # (what could not be put back comes first: it changes what Generate would do)
    after = f" {BRING_BACK}" if replaced else ""
    if missing:
        verb = "are" if len(missing) > 1 else "is"
        tab.status.setText(f"Re-opened from History, but its {' and '.join(missing)} "
                           f"{verb} not offered by this server: choose another, then press "
                           f"Generate.{after}")
    else:
        tab.status.setText(f"Re-opened from History. Press Generate to make it again.{after}")


__all__ = ["reopen_entry", "saved_settings"]
