"""Reading a file whole when it is known to be small (settings, drafts, plans, lexicons,
scripts): never more than `limit` bytes are read, whatever the file claims or turns into,
so a damaged file of gigabytes (or a link to an endless device) cannot take the
machine's memory. Blocking: call it off the window's thread.
"""

from __future__ import annotations

import os
from pathlib import Path

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
