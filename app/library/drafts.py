"""Autosaved drafts: what the user was typing survives a crash or a quit.

One small JSON file per draft name, written atomically, so an interrupted save leaves the
previous draft intact rather than an empty or truncated one.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import time
from pathlib import Path
from typing import Any

from app.library.atomic import PARTIAL_SUFFIX, atomic_write_text

log = logging.getLogger(__name__)

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
# A save takes milliseconds; a partial file older than this was left by a crash (and one
# younger may belong to another copy of the app saving right now).
STALE_PARTIAL_S = 60.0


class DraftStore:
    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)
        self.remove_stale_partials()

    def remove_stale_partials(self, now: float | None = None) -> int:
        """Delete unfinished saves left by a crash; returns how many were removed."""
        now = time.time() if now is None else now
        removed = 0
        for partial in self.directory.glob(f".*{PARTIAL_SUFFIX}"):
            with contextlib.suppress(OSError):
                if now - partial.stat().st_mtime > STALE_PARTIAL_S:
                    partial.unlink()
                    removed += 1
        if removed:
            log.info("removed %d unfinished draft save(s)", removed)
        return removed

    def _path(self, name: str) -> Path:
        # Names come from code, not users; refusing odd ones keeps them inside the folder.
        if not _NAME.match(name):
            raise ValueError(f"not a draft name: {name!r}")
        return self.directory / f"{name}.json"

    def save(self, name: str, payload: dict[str, Any]) -> None:
        text = json.dumps(payload, ensure_ascii=False, indent=1)
        atomic_write_text(self._path(name), text)

    def load(self, name: str) -> dict[str, Any] | None:
        """The saved draft, or None when there is none or it cannot be read."""
        path = self._path(name)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            log.warning("draft %s is unreadable; starting empty", path, exc_info=True)
            return None
        return data if isinstance(data, dict) else None

    def clear(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)
