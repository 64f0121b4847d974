"""Writing a file in pieces that the user can stop: all or nothing.

Slow saves (an hour of audio copied out of History, a 3-hour transcript exported) run in
a worker thread, which cannot be killed: it checks `stop` between pieces and once more
before the file gets its name, so Cancel ends the work at once with `ExportStopped`, no
file under the chosen name and no partial file left (see app/library/atomic.py)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from app.library.atomic import AtomicFileWriter
from app.library.bounded_read import open_regular_file

PIECE = 1 << 20


class ExportStopped(Exception):
    """The user stopped an export: nothing was written under the chosen name."""


def check(stop: threading.Event | None, dest: Path) -> None:
    """Raise `ExportStopped` if the user has stopped the work."""
    if stop is not None and stop.is_set():
        raise ExportStopped(f"Stopped: nothing was saved as {dest}.")


class RenderPace:
    """The `Step` of a stoppable render (app/domain/render_steps.py): raises
    `ExportStopped` between two pieces once `stop` is set, and passes how far it got
    to `progress` only when the percentage changes (a Word document has thousands of
    paragraphs; a report each would flood the window's thread)."""

    def __init__(self, stop: threading.Event | None, dest: Path,
                 progress: Callable[[int, int], None] | None = None) -> None:
        self._stop = stop
        self._dest = dest
        self._progress = progress
        self._shown: tuple[int, int] | None = None

    def __call__(self, done: int, total: int) -> None:
        check(self._stop, self._dest)
        if self._progress is None or total <= 0:
            return
        shown = (min(done, total) * 100 // total, total)
        if shown != self._shown:
            self._shown = shown
            self._progress(min(done, total), total)


def write_pieces(dest: Path, pieces: Iterable[bytes], *, total: int = 0,
                 stop: threading.Event | None = None,
                 progress: Callable[[int, int], None] | None = None) -> Path:
    """Write `pieces` to `dest` atomically, checking `stop` before each piece and before
    the rename. `progress(done, total)` is called from the worker thread after each."""
    check(stop, dest)
    with AtomicFileWriter(dest) as writer:
        for piece in pieces:
            check(stop, dest)
            writer.write(piece)
            if progress is not None:
                progress(writer.bytes_written, total)
        check(stop, dest)  # (the last piece is no reason to keep it)
    return dest


def write_bytes(dest: Path, data: bytes, *, stop: threading.Event | None = None) -> Path:
    """`data` to `dest` in pieces of a MiB, stoppable between them."""
    view = memoryview(data)
    return write_pieces(dest, (bytes(view[i:i + PIECE]) for i in range(0, len(view), PIECE)),
                        total=len(data), stop=stop)


def copy_file(source: Path, dest: Path, *, stop: threading.Event | None = None,
              progress: Callable[[int, int], None] | None = None) -> Path:
    """Copy `source` to `dest` in pieces of a MiB, stoppable between them. Raises
    OSError when `source` is not an ordinary file: a folder, or a named pipe (which an
    ordinary open would wait on for ever) put where the audio was; NotRegularFileError's
    words name it."""
    with os.fdopen(open_regular_file(source), "rb") as reader:
        total = os.fstat(reader.fileno()).st_size
        return write_pieces(dest, iter(lambda: reader.read(PIECE), b""), total=total,
                            stop=stop, progress=progress)
