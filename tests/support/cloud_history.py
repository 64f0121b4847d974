"""The account's speech history for the cloud test server (tests/support/cloud_server.py).

Items are made by `seed(server, count)` (no request recorded), kept per server in memory
and cleared by a reset. Pages run newest first (or `sort_direction=asc`) and continue
after `start_after_history_item_id`, as the API's do; `voice_id`, `model_id` and
`search` (in the text) filter. Audio is a short tone (MP3); several items download as
a zip of MP3 files, one item as its MP3.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.support.cloud_server import CloudServer, Reply

HISTORY_OPERATIONS = (
    "get_speech_history", "get_speech_history_item_by_id", "delete_speech_history_item",
    "get_audio_full_from_speech_history_item", "download_speech_history_items",
)
VOICES = (("JBFqnCBsd6RMkjVDRZzb", "George"), ("EXAVITQu4vr4xnSDxMaL", "Sarah"))
MODELS = ("eleven_multilingual_v2", "eleven_flash_v2_5")
START_UNIX = 1_760_000_000


def _items(server: CloudServer) -> list[dict[str, Any]]:
    return server._stt_music_state().setdefault("history", [])


def seed(server: CloudServer, count: int) -> list[dict[str, Any]]:
    """`count` generations, oldest first, alternating voices and models."""
    made = []
    for i in range(count):
        voice_id, voice_name = VOICES[i % 2]
        text = f"History item number {i}."
        made.append({
            "history_item_id": f"hist{i:05d}{uuid.uuid4().hex[:11]}", "request_id": None,
            "voice_id": voice_id, "model_id": MODELS[(i // 2) % 2], "voice_name": voice_name,
            "voice_category": "premade", "text": text, "date_unix": START_UNIX + 60 * i,
            "character_count_change_from": 1000 + i * 30,
            "character_count_change_to": 1000 + i * 30 + len(text),
            "content_type": "audio/mpeg", "state": "created", "source": "TTS",
            "output_format": "mp3_44100_128",
            "settings": {"stability": 0.4, "similarity_boost": 0.7, "style": 0.0,
                         "use_speaker_boost": True, "speed": 1.0},
        })
    with server.lock:
        _items(server).extend(made)
    return made


def _audio() -> bytes:
    from tests.support.cloud_server import encode_tone

    return encode_tone("mp3_44100_128", 0.5, 330.0)


def history_reply(server: CloudServer, op_id: str, path: str, one: dict[str, str],
                  body: dict[str, Any]) -> Reply:
    from tests.support.cloud_server import Reply, error_reply

    with server.lock:
        items = list(_items(server))
    if op_id == "get_speech_history":
        found = sorted(items, key=lambda i: i["date_unix"],
                       reverse=one.get("sort_direction", "desc") != "asc")
        for key in ("voice_id", "model_id"):
            if one.get(key):
                found = [i for i in found if i[key] == one[key]]
        if one.get("search"):
            found = [i for i in found if one["search"].lower() in (i["text"] or "").lower()]
        after = one.get("start_after_history_item_id")
        if after:
            ids = [i["history_item_id"] for i in found]
            if after not in ids:
                return error_reply(400, "invalid_start_after_history_item_id",
                                   "start_after_history_item_id is not in this history.")
            found = found[ids.index(after) + 1:]
        size = int(one.get("page_size", "100"))
        page = found[:size]
        return server._ok({"history": page, "has_more": len(found) > size,
                           "last_history_item_id": page[-1]["history_item_id"] if page
                           else None, "scanned_until": None})
    if op_id == "download_speech_history_items":
        chosen = [i for i in items if i["history_item_id"] in body["history_item_ids"]]
        if len(chosen) != len(set(body["history_item_ids"])):
            return error_reply(404, "history_item_not_found", "Some history items were not "
                               "found.")
        if len(chosen) == 1:
            return Reply(200, {"content-type": "audio/mpeg"}, _audio())
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for entry in chosen:
                archive.writestr(f"{entry['history_item_id']}.mp3", _audio())
        return Reply(200, {"content-type": "application/zip"}, buffer.getvalue())
    history_item_id = path.split("/")[3]
    item = next((i for i in items if i["history_item_id"] == history_item_id), None)
    if item is None:
        return error_reply(404, "history_item_not_found",
                           f"History item {history_item_id} was not found.")
    if op_id == "get_speech_history_item_by_id":
        return server._ok(item)
    if op_id == "get_audio_full_from_speech_history_item":
        return Reply(200, {"content-type": "audio/mpeg"}, _audio())
    with server.lock:  # delete_speech_history_item
        _items(server).remove(item)
    return server._ok({"status": "ok"})
