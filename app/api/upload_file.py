"""A file sent from disk as an upload body, reporting how much has gone (Transcripts and
Music "Your song…" both send files of up to gigabytes: the user sees them go)."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

ProgressCallback = Callable[[int, int], object]
"""Called with (bytes sent so far, bytes in all) as the upload goes."""


def _open_ordinary(path: Path) -> int:
    """A descriptor for reading `path`, refused (OSError naming it) unless an ordinary
    file. Opened without waiting, then asked what was opened: a named pipe opened plainly
    waited for ever for a writer, and said 0 bytes ("empty") once it had one. (The same
    rule as app.library.bounded_read, which this layer may not import.)"""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, f"{path.name} is a folder, not a file")
        if not stat.S_ISREG(mode):
            raise OSError(f"{path.name} is not an ordinary file (a pipe or a device), so "
                          "there is nothing in it to send")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


class UploadFile:
    """A file opened for upload whose reads report progress.

    httpx learns the size from `fileno()` (so it sends a Content-Length), seeks to the
    start before each attempt (a retried request starts counting again) and then calls
    `read` in 64 KB pieces on the event loop's thread, so the callback runs there too.
    """

    def __init__(self, path: Path, progress: ProgressCallback | None = None) -> None:
        self._file: BinaryIO = os.fdopen(_open_ordinary(path), "rb")
        self.total = os.fstat(self._file.fileno()).st_size
        self.sent = 0
        self._progress = progress

    def read(self, size: int = -1) -> bytes:
        data = self._file.read(size)
        self.sent = self._file.tell()
        if self._progress is not None:
            self._progress(self.sent, self.total)
        return data

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        position = self._file.seek(offset, whence)
        self.sent = position
        return position

    def tell(self) -> int:
        return self._file.tell()

    def fileno(self) -> int:
        return self._file.fileno()

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> UploadFile:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


__all__ = ["ProgressCallback", "UploadFile"]
