"""The cast panel's choices as edits of the script (pure; the tab makes them undoable)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from app.domain.script import CastMember, Script

Edit = Callable[[Script], Script]


def cast_voice(speaker: str, voice_id: str, voice_name: str) -> Edit:
    """Give `speaker` this voice, keeping the speaker's own settings."""
    def change(script: Script) -> Script:
        old = script.cast_for(speaker)
        return script.with_cast_member(CastMember(
            speaker=old.speaker if old else speaker, voice_id=voice_id,
            voice_name=voice_name, settings=old.settings if old else None))

    return change


def set_speaker_settings(speaker: str, settings: dict | None) -> Edit:
    """Give `speaker` default settings for their blocks (None: the voice's defaults)."""
    def change(script: Script) -> Script:
        old = script.cast_for(speaker)
        return script.with_cast_member(CastMember(
            speaker=old.speaker if old else speaker, voice_id=old.voice_id if old else "",
            voice_name=old.voice_name if old else "", settings=settings or None))

    return change


def set_model(model_id: str) -> Edit:
    return lambda script: replace(script, model_id=model_id)


def set_output_format(value: str) -> Edit:
    return lambda script: replace(script, output_format=value)
