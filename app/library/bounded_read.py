"""Reading a file whole when it is known to be small (settings, drafts, plans, lexicons,
scripts): never more than `limit` bytes are read, whatever the file claims or turns into,
so a damaged file of gigabytes (or a link to an endless device) cannot take the
machine's memory. Blocking: call it off the window's thread.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

#: Settings, drafts and plans are kilobytes; a typed draft of a whole book is a few MB.
DEFAULT_LIMIT = 20 * 1024 * 1024


class TooLargeError(OSError):
    """The file is larger than the reader accepts (an OSError: it cannot be read)."""


class NotRegularFileError(OSError):
    """The path is a device, a pipe or a socket, not a saved file (an OSError: it is not
    read). A link named chapter.txt to /dev/zero gives bytes forever; a named pipe blocks
    until something writes to it."""


def not_regular_message(path: Path) -> str:
    return (f"{path.name} is not an ordinary saved file (it is a device, a pipe or a "
            "socket), so XI Studio does not read it")


def check_regular_file(path: Path) -> None:
    """Raises OSError unless `path` (links followed) is an ordinary file: asks the file
    system only, nothing is opened, so it never blocks on a pipe."""
    _refuse_unless_regular(os.stat(path).st_mode, path)


def _refuse_unless_regular(mode: int, path: Path) -> None:
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if not stat.S_ISREG(mode):
        raise NotRegularFileError(not_regular_message(path))


def open_regular_file(path: Path) -> int:
    """A descriptor open for reading on `path`, an ordinary file. Opened without waiting
    (a named pipe would otherwise block the open itself until a writer comes), then
    checked with fstat on what was opened, so a file swapped for a pipe after a check
    by name is refused too. The caller closes it."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        _refuse_unless_regular(os.fstat(fd).st_mode, path)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_bounded(path: Path, limit: int = DEFAULT_LIMIT) -> bytes:
    """The file's bytes. Raises OSError (missing, a folder, unreadable),
    NotRegularFileError (a device, a pipe) or TooLargeError (over `limit` bytes; at most
    `limit` + 1 are ever read)."""
    with os.fdopen(open_regular_file(path), "rb") as file:
        # The size first (nothing read), then at most one byte past the limit: a device
        # or a file still growing says it is smaller than what it gives.
        too_large = os.fstat(file.fileno()).st_size > limit
        data = b"" if too_large else file.read(limit + 1)
    if too_large or len(data) > limit:
        raise TooLargeError(f"{path.name} is larger than {limit // (1024 * 1024)} MB, far "
                            "larger than this kind of file ever is")
    return data
