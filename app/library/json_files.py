"""Telling what a JSON file a person opened holds (a music plan, a transcript), its size
checked before it is read whole. Blocking: call it off the window's thread (a 3-hour
transcript is ~7 MB, and `json.loads` of it holds the interpreter for 60-100 ms)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.domain import json_io
from app.domain.music_plan_json import JsonKind, classify_json
from app.library.bounded_read import NotRegularFileError, TooLargeError, read_bounded

# Far above any transcript (3 hours: ~7 MB) or plan (a few KB): past this, a file is not
# one of them, and reading it whole could take gigabytes of memory.
MAX_JSON_FILE_BYTES = 200 * 1024 * 1024


class JsonFileError(Exception):
    """Plain words for a JSON file that cannot be opened."""


def json_file_kind(path: Path) -> JsonKind:
    """"plan", "transcript" or "unknown". Raises JsonFileError (too big, unreadable,
    not JSON or damaged)."""
    return read_json_file(path)[0]


def read_json_file(path: Path) -> tuple[JsonKind, Any]:
    """(what the file holds, its parsed JSON): read once, so the tab that opens it is
    handed the parsed content instead of reading (up to 200 MB) a second time. Raises
    JsonFileError as `json_file_kind` does."""
    try:
        data = read_bounded(path, MAX_JSON_FILE_BYTES)
    except TooLargeError as exc:
        raise JsonFileError(f"{path.name} is larger than 200 MB: too big to be a "
                            "transcript or a music plan, so it was not opened.") from exc
    except NotRegularFileError as exc:
        raise JsonFileError(f"{exc}.") from exc
    except OSError as exc:
        raise JsonFileError(f"{path.name} could not be opened: {exc.strerror or exc}") from exc
    try:  # UTF-8 (a BOM is fine), UTF-16 or -32, as json.loads finds them
        parsed = json_io.loads(data)
    except (ValueError, RecursionError) as exc:  # (too deeply nested: not a plan)
        raise JsonFileError(f"{path.name} is not a readable JSON file (it may be damaged or "
                            "cut short).") from exc
    return classify_json(parsed), parsed
