"""Reading a small JSON file the app keeps or a person chose (settings, drafts, a music
plan, a queue marker), bounded (app.library.bounded_read): a damaged file of gigabytes
cannot take the machine's memory. Blocking; small files only.

`json.loads` raises RecursionError, not ValueError, for lists nested a few thousand deep:
readers that caught ValueError let it through (a settings file of "[[[[…" stopped the app
at start). Here it is a ValueError like any other damaged file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.library.bounded_read import DEFAULT_LIMIT, read_bounded


def loads_small(data: bytes) -> Any:
    """JSON from bytes in UTF-8 (with or without a byte order mark), UTF-16 or UTF-32.
    Raises ValueError (not JSON, not text, or nested too deep)."""
    try:
        return json.loads(data)
    except RecursionError as exc:
        raise ValueError("its lists are nested thousands deep") from exc


def read_small_json(path: Path, limit: int = DEFAULT_LIMIT) -> Any:
    """The parsed file. Raises OSError (cannot be read, or too large) or ValueError
    (damaged)."""
    return loads_small(read_bounded(path, limit))
