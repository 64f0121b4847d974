"""Writes that either complete or leave nothing: no half file ever has the final name.

A crash, a cancelled generation or a full disk must never leave a truncated settings
file or an audio file that looks finished. Data goes to a hidden temporary file in the
same folder (so the rename stays on one file system), is fsynced, then `os.replace`d.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from app.library.file_locks import LOCKS_OUTLIVE_RENAME, lock_exclusive

PARTIAL_SUFFIX = ".partial"


def _partial_path_for(final: Path) -> Path:
    return final.with_name(f".{final.name}.{os.urandom(4).hex()}{PARTIAL_SUFFIX}")


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every platform allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class AtomicFileWriter:
    """Streams bytes to `.<name>.<random>.partial`; `commit()` publishes them under the name.

    Writes may come from different worker threads (one at a time); a lock keeps the
    state consistent. Leaving the `with` block normally commits, an exception aborts.

    The partial file is locked (an OS file lock, which dies with the process) while it is
    written, so another copy of the app starting meanwhile knows it is not a crash's
    leftover. With `hold_after_commit` the lock outlives the rename (it belongs to the file,
    not its name) until `release()`: the history releases it once the file has its row.
    """

    def __init__(self, final_path: Path | str, *, hold_after_commit: bool = False) -> None:
        self.final_path = Path(final_path)
        self.final_path.parent.mkdir(parents=True, exist_ok=True)
        self.partial_path = _partial_path_for(self.final_path)
        self._file: BinaryIO | None = open(self.partial_path, "xb")  # noqa: SIM115 - kept open
        self._lock = threading.Lock()
        self._committed = False
        self.bytes_written = 0
        # A second descriptor of the same open file keeps its lock after the first closes.
        self._hold_fd: int | None = (os.dup(self._file.fileno())
                                     if hold_after_commit and LOCKS_OUTLIVE_RENAME else None)
        try:
            lock_exclusive(self._file.fileno())
        except OSError:
            self._discard()
            raise

    def release(self) -> None:
        """Let go of a lock kept after commit (no effect without one)."""
        with self._lock:
            self._close_hold()

    def _close_hold(self) -> None:
        if self._hold_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._hold_fd)
            self._hold_fd = None

    @property
    def closed(self) -> bool:
        return self._file is None

    def write(self, data: bytes) -> int:
        with self._lock:
            if self._file is None:
                raise ValueError(f"writer for {self.final_path} is already closed")
            written = self._file.write(data)
            self.bytes_written += written
            return written

    def commit(self) -> Path:
        """Flush, fsync and rename into place; returns the final path."""
        with self._lock:
            if self._committed:
                return self.final_path
            if self._file is None:
                raise ValueError(f"writer for {self.final_path} was aborted")
            try:
                self._file.flush()
                os.fsync(self._file.fileno())
                self._file.close()
                self._file = None
                os.replace(self.partial_path, self.final_path)
            except BaseException:
                self._discard()
                raise
            self._committed = True
        _fsync_dir(self.final_path.parent)
        return self.final_path

    def abort(self) -> None:
        """Throw the partial file away. Safe to call twice, or after commit (no effect)."""
        with self._lock:
            if not self._committed:
                self._discard()

    def _discard(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None
        with contextlib.suppress(FileNotFoundError):
            self.partial_path.unlink()
        self._close_hold()

    def __enter__(self) -> AtomicFileWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None and not self.closed:
            self.commit()
        else:
            self.abort()

    def __del__(self) -> None:
        # A writer dropped without commit must not leak an open file; the partial stays
        # for HistoryStore.recover() rather than doing file I/O in a finaliser.
        file = getattr(self, "_file", None)
        if file is not None:
            with contextlib.suppress(Exception):
                file.close()
        hold = getattr(self, "_hold_fd", None)
        if hold is not None:
            with contextlib.suppress(Exception):
                os.close(hold)


def atomic_write_bytes(path: Path | str, data: bytes) -> Path:
    with AtomicFileWriter(path) as writer:
        writer.write(data)
    return writer.final_path


def atomic_write_text(path: Path | str, text: str, encoding: str = "utf-8") -> Path:
    return atomic_write_bytes(path, text.encode(encoding))
