"""Autosaved drafts: what the user was typing survives a crash or a quit.

One small JSON file per draft name, written atomically, so an interrupted save leaves the
previous draft intact rather than an empty or truncated one. A draft that cannot be read
is renamed aside (never overwritten by the next autosave) and the user is told where.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import time
from pathlib import Path
from typing import Any

from app.library.atomic import PARTIAL_SUFFIX, atomic_write_text
from app.library.file_locks import OwnedFile
from app.library.kept_aside import aside_path
from app.library.notices import LibraryNotice, NoticeBoard
from app.library.small_json import read_small_json

log = logging.getLogger(__name__)

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
# A save takes milliseconds; a partial file older than this was left by a crash (and one
# younger may belong to another copy of the app saving right now).
STALE_PARTIAL_S = 60.0
# A draft holds what a tab had open: a text of 20 MB (the most a text file opens) is
# under 60 MB as JSON. Larger is damage, kept aside unread instead of read whole.
DRAFT_LIMIT = 256 * 1024 * 1024


class DraftStore:
    def __init__(self, directory: Path | str, notices: NoticeBoard | None = None) -> None:
        self.directory = Path(directory)
        self.notices = notices if notices is not None else NoticeBoard()
        # Drafts that could not be read nor moved aside: never written over this session.
        self._protected: set[str] = set()
        self.remove_stale_partials()

    def remove_stale_partials(self, now: float | None = None) -> int:
        """Delete unfinished saves left by a crash; returns how many were removed."""
        now = time.time() if now is None else now
        removed = 0
        for partial in self.directory.glob(f".*{PARTIAL_SUFFIX}"):
            # Locked: a live process is saving it right now, however old it looks.
            with OwnedFile(partial) as free, contextlib.suppress(OSError):
                if free and now - partial.stat().st_mtime > STALE_PARTIAL_S:
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
        path = self._path(name)
        if name in self._protected:
            raise OSError(f"the draft {path} could not be read or moved aside; "
                          "it is not written over")
        text = json.dumps(payload, ensure_ascii=False, indent=1)
        atomic_write_text(path, text)

    def load(self, name: str) -> dict[str, Any] | None:
        """The saved draft, or None when there is none or it cannot be read (then it is
        kept aside, and a notice says where)."""
        path = self._path(name)
        try:
            data = read_small_json(path, DRAFT_LIMIT)
        except (FileNotFoundError, NotADirectoryError):  # no draft (or no drafts folder)
            return None
        except (OSError, ValueError) as exc:
            log.warning("draft %s is unreadable", path, exc_info=True)
            self._keep_aside(name, path, exc)
            return None
        if not isinstance(data, dict):
            self._keep_aside(name, path, ValueError("not a draft"))
            return None
        return data

    def _keep_aside(self, name: str, path: Path, error: BaseException) -> None:
        aside = aside_path(path, "unreadable", keep_suffix=True)
        try:
            os.replace(path, aside)
        except OSError:
            self._protected.add(name)
            self.notices.post(LibraryNotice(
                title=f"The {name} draft could not be read",
                text=(f"What was saved in {path} could not be read ({error}), and it could "
                      "not be moved aside; it is left untouched and new typing is not "
                      "autosaved over it."),
                next_step="Copy the file somewhere safe, then restart XI Studio.",
                path=path))
            return
        log.warning("kept the unreadable draft aside as %s", aside)
        self.notices.post(LibraryNotice(
            title=f"The {name} draft could not be read",
            text=(f"The text saved from last time could not be read, so it was kept aside "
                  f"as {aside} and this tab starts empty."),
            next_step="Open that file in a text editor to copy out what you need.",
            path=aside))

    def clear(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)
