"""Speaker names that carry over between transcripts of one show (one folder of
recordings): the names given last, in the order the speakers first speak, kept in one
small JSON file in the app's data folder. Plain file I/O: call it off the event loop."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from app.library.atomic import atomic_write_text
from app.library.small_json import read_small_json

MAX_NAMES = 30


def show_key(recording: Path | None) -> str | None:
    """The show a recording belongs to: its folder (None without a recording)."""
    return None if recording is None else str(recording.expanduser().resolve().parent)


class SpeakerNameBook:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def _read(self) -> dict[str, list[str]]:
        try:
            data = read_small_json(self.path)
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {k: [n for n in v if isinstance(n, str) and n.strip()]
                for k, v in data.items() if isinstance(k, str) and isinstance(v, list)}

    def names(self, show: str | None) -> list[str]:
        if show is None:
            return []
        with self._lock:
            return self._read().get(show, [])

    def remember(self, show: str | None, names: list[str]) -> list[str]:
        """Put `names` first (in their order), the show's other names after them."""
        if show is None:
            return []
        with self._lock:
            data = self._read()
            merged: list[str] = []
            for name in [*names, *data.get(show, [])]:
                name = name.strip()
                if name and name not in merged:
                    merged.append(name)
            data[show] = merged[:MAX_NAMES]
            atomic_write_text(self.path, json.dumps(data, ensure_ascii=False, indent=1))
            return data[show]


__all__ = ["SpeakerNameBook", "show_key"]
