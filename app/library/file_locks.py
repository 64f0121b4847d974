"""Advisory file locks that die with the process that holds them.

A writer locks the file it is writing; a start-up clean-up only touches files it can lock
itself, so it never deletes (or adopts) what a running copy of the app is still writing.
POSIX: `flock`, per open file, released by the kernel when the process ends. Windows: a
file open for writing cannot be deleted or renamed by anyone else anyway, so the lock is
a no-op there and the clean-up's delete simply fails for a file in use.
"""

from __future__ import annotations

import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

# POSIX only: a file may be renamed while open (and locked). On Windows an open file cannot
# be renamed, so a writer must not keep one open across its commit.
LOCKS_OUTLIVE_RENAME = fcntl is not None


def lock_exclusive(fd: int) -> None:
    """Lock `fd`'s file for this process (non-blocking: a new file is never contended)."""
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


class OwnedFile:
    """`with OwnedFile(path) as free:` — free is True when no live process holds `path`
    locked; the lock is then ours until the block ends (so a writer cannot start on it)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def __enter__(self) -> bool:
        try:
            self._fd = os.open(self.path, os.O_RDONLY)
        except OSError:
            return False
        if fcntl is None:
            return True
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def __exit__(self, *_exc: object) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
