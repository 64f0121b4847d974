"""Reading a small JSON file the app keeps or a person chose (settings, drafts, a music
plan, a queue marker), bounded: never more than `limit` bytes are read, whatever the file
claims or turns into, so a damaged file of gigabytes (or a link to an endless device)
cannot take the machine's memory. Blocking; small files only.

`json.loads` raises RecursionError, not ValueError, for lists nested a few thousand deep:
readers that caught ValueError let it through (a settings file of "[[[[…" stopped the app
at start). Here it is a ValueError like any other damaged file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

#: Settings, drafts and plans are kilobytes; a typed draft of a whole book is a few MB.
DEFAULT_LIMIT = 20 * 1024 * 1024


class TooLargeError(OSError):
    """The file is larger than the reader accepts (an OSError: it cannot be read)."""


def read_bounded(path: Path, limit: int = DEFAULT_LIMIT) -> bytes:
    """The file's bytes. Raises OSError (missing, a folder, unreadable) or TooLargeError
    (over `limit` bytes; at most `limit` + 1 are ever read)."""
    with path.open("rb") as file:
        # The size first (nothing read), then at most one byte past the limit: a device
        # or a file still growing says it is smaller than what it gives.
        too_large = os.fstat(file.fileno()).st_size > limit
        data = b"" if too_large else file.read(limit + 1)
    if too_large or len(data) > limit:
        raise TooLargeError(f"{path.name} is larger than {limit // (1024 * 1024)} MB, far "
                            "larger than this kind of file ever is")
    return data


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
