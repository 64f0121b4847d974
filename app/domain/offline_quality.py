"""How good an offline transcript is, in the words shown above it.

The local engine marks what it recognised (`xi_studio_engine`, app/engine/stt_routes.py)
and says which recogniser made it: PocketSphinx gives a rough draft, an installed Whisper
model a transcript close to the cloud's.
"""

from __future__ import annotations

from typing import Any

OFFLINE_MARK_KEY = "xi_studio_engine"
DRAFT_TEXT = "Offline draft: recognition is approximate"
DRAFT_TIP = ("Made on this computer by the offline engine. Add an ElevenLabs key in Settings "
             "for an accurate transcript, or install a Whisper model in Settings > Offline "
             "models for a much better offline one.")


def offline_note(source_json: dict[str, Any]) -> tuple[str, str] | None:
    """(label, tooltip) for a transcript made offline; None for a cloud transcript."""
    mark = source_json.get(OFFLINE_MARK_KEY)
    if not isinstance(mark, dict):
        return None
    if mark.get("approximate", True) is False:
        title = str(mark.get("model_title") or mark.get("model") or "Whisper")
        return (f"Offline ({title})",
                f"Made on this computer by {title}, without sending the audio anywhere. "
                "It is close to a cloud transcript; check names and numbers.")
    note = mark.get("note")
    return DRAFT_TEXT, DRAFT_TIP + (f"\n{note}" if isinstance(note, str) and note else "")
