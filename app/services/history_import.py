"""Bringing an item of the account's server history into XI Studio's local History:
its audio (decoded once, to know its length and that it plays) and its settings.

Blocking (decoding, file and database writes): call it in a worker thread. Nothing is
added unless everything worked: a file that cannot be decoded or stored leaves the local
History as it was.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from app.audio.decode import decode_bytes
from app.domain.formats import OutputFormat
from app.library.history import Generation, HistoryStore, NewGeneration

if TYPE_CHECKING:
    from app.domain.history_wire import HistoryItem

IMPORTED_FORMAT = "mp3_44100_128"  # what `/v1/history/{id}/audio` sends


def _format_of(item: HistoryItem) -> OutputFormat:
    try:
        fmt = OutputFormat.parse(item.output_format or IMPORTED_FORMAT)
    except ValueError:
        return OutputFormat.parse(IMPORTED_FORMAT)
    # Only containers that say what they are: the audio endpoint sends MP3 otherwise.
    return fmt if not fmt.is_headerless else OutputFormat.parse(IMPORTED_FORMAT)


def import_history_item(history: HistoryStore, item: HistoryItem, audio: bytes,
                        session_id: str) -> Generation:
    """Store `audio` and add a History row for `item` (raises if anything fails)."""
    fmt = _format_of(item)
    clip = decode_bytes(audio, fmt)  # AudioDecodeError: nothing is written
    settings = dict(item.settings or {})
    text = item.text or ""
    entry_settings = {"voice_settings": {k: settings[k] for k in (
        "stability", "similarity_boost", "style", "use_speaker_boost", "speed")
        if k in settings}, "imported_from": "account history",
        "history_item_id": item.history_item_id}
    writer = history.open_audio_writer(fmt.file_extension)
    with writer:
        writer.write(audio)
    path = writer.final_path
    try:
        return history.add(NewGeneration(
            kind="speech", title=(text[:60] + "…") if len(text) > 60 else (text or "Imported"),
            text=text, voice_id=item.voice_id, voice_name=item.voice_name,
            model_id=item.model_id, output_format=fmt.value,
            settings_json=json.dumps(entry_settings),
            request_ids=[item.request_id] if item.request_id else [],
            character_cost=item.characters_used or None, duration_ms=clip.duration_ms,
            file_path=path, session_id=session_id,
            extra_json=json.dumps({"history_item_id": item.history_item_id,
                                   "date_unix": item.date_unix})))
    except BaseException:
        path.unlink(missing_ok=True)
        raise


__all__ = ["import_history_item"]
