"""What a start finds in the audio folder after a crash, told apart from what another
running copy of the app is still doing.

A writer holds an OS file lock on its `.partial` file while writing, and on the finished
file until its history row exists (see `AtomicFileWriter`); the lock dies with its process.
So a file we can lock belongs to no live process: a partial is a crash's leftover, a
finished file without a row was paid for and must be listed, not lost.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from pathlib import Path

from app.library.atomic import PARTIAL_SUFFIX
from app.library.file_locks import OwnedFile

log = logging.getLogger(__name__)


def remove_dead_partials(audio_dir: Path) -> int:
    """Delete the partial files no live process writes; returns how many."""
    removed = 0
    for partial in audio_dir.glob(f"*{PARTIAL_SUFFIX}"):
        with OwnedFile(partial) as free:
            if not free:
                continue
            with contextlib.suppress(OSError):
                partial.unlink()
                removed += 1
    if removed:
        log.info("removed %d unfinished audio file(s)", removed)
    return removed


def unowned_audio(audio_dir: Path, app_name: re.Pattern[str],
                  listed: set[str]) -> Iterator[Path]:
    """The app's finished audio files, not among the `listed` names, that no live process
    is about to list; each locked by us while the caller handles it."""
    try:
        candidates = sorted(path for path in audio_dir.iterdir()
                            if app_name.match(path.name) and path.name not in listed)
    except OSError:
        return
    for path in candidates:
        with OwnedFile(path) as free:
            if free:
                yield path
