"""The engine's own speech history: every generation (unless the request asked for
zero retention, `enable_logging=false`) kept in its data folder as audio plus a JSON
record in the shape of `SpeechHistoryItemResponseModel`; memory only without a folder.

    <data>/history/<id>.json   the record
    <data>/history/<id>.<ext>  the audio as it was sent
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from app.domain.formats import OutputFormat
from app.engine.dictionary_store import new_id
from app.library.atomic import atomic_write_bytes, atomic_write_text
from app.library.bounded_read import read_bounded
from app.library.small_json import read_small_json

_PRIVATE = ("extension", "created_ns")
# Far beyond the longest speech the engine makes (40,000 characters as 48 kHz PCM is about
# 260 MB): a file larger than this in its folder is not one it wrote.
MAX_AUDIO_BYTES = 1024 ** 3


def order_key(record: dict[str, Any]) -> int:
    return int(record.get("created_ns") or record["date_unix"] * 10**9)


class HistoryStore:
    def __init__(self, data_dir: Path | None) -> None:
        self._folder = data_dir / "history" if data_dir is not None else None
        self._lock = threading.Lock()
        self._items: dict[str, dict[str, Any]] = {}
        self._audio: dict[str, bytes] = {}  # memory-only engines keep audio here
        if self._folder is not None and self._folder.is_dir():
            for path in self._folder.glob("*.json"):
                try:  # bounded; a list, a record without its id or "[[[…" is skipped
                    record = read_small_json(path)
                except (OSError, ValueError):
                    continue
                item_id = record.get("history_item_id") if isinstance(record, dict) else None
                if isinstance(item_id, str):
                    self._items[item_id] = record

    def add(self, *, text: str, voice_id: str, voice_name: str, model_id: str,
            settings: dict[str, Any], fmt: OutputFormat, audio: bytes) -> dict[str, Any]:
        item_id = new_id()
        record = {
            "history_item_id": item_id, "request_id": None, "voice_id": voice_id,
            "model_id": model_id, "voice_name": voice_name, "voice_category": "premade",
            "text": text, "date_unix": int(time.time()), "character_count_change_from": 0,
            "character_count_change_to": 0, "content_type": fmt.mime_type,
            "state": "created", "settings": settings, "source": "TTS",
            "output_format": fmt.value, "extension": fmt.file_extension,
            "created_ns": time.time_ns(),  # orders items made within one second
        }
        with self._lock:
            if self._folder is not None:
                self._folder.mkdir(parents=True, exist_ok=True)
                # Atomic, audio first: a full disk leaves neither a half audio file nor
                # a record pointing at one (the record is what makes the item exist).
                atomic_write_bytes(self._folder / f"{item_id}.{fmt.file_extension}", audio)
                atomic_write_text(self._folder / f"{item_id}.json",
                                  json.dumps(record, ensure_ascii=False))
            else:
                self._audio[item_id] = audio
            self._items[item_id] = record
        return record

    @staticmethod
    def public(record: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in record.items() if k not in _PRIVATE}

    def all(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._items.values())

    def get(self, item_id: str) -> dict[str, Any] | None:
        with self._lock:
            return self._items.get(item_id)

    def audio(self, item_id: str) -> bytes | None:
        with self._lock:
            record = self._items.get(item_id)
            if record is None:
                return None
            if self._folder is None:
                return self._audio.get(item_id)
            path = self._folder / f"{item_id}.{record['extension']}"
        try:  # an ordinary file only, bounded: a pipe put there hung the request for ever
            return read_bounded(path, MAX_AUDIO_BYTES)
        except OSError:
            return None

    def delete(self, item_id: str) -> bool:
        with self._lock:
            record = self._items.pop(item_id, None)
            self._audio.pop(item_id, None)
            if record is None:
                return False
            if self._folder is not None:
                for name in (f"{item_id}.json", f"{item_id}.{record['extension']}"):
                    (self._folder / name).unlink(missing_ok=True)
            return True


__all__ = ["HistoryStore", "order_key"]
