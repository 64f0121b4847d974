"""An open script: the current value, who to tell when it changes, and saving it.

The window and the command line both hold a `ScriptDocument`; the batch queue records
each finished take through it (`apply`) and asks for a save soon (`save_soon`): a
5,000-block chapter is several MB of JSON, and rewriting it for every take (one a second)
was gigabytes of writes, so saves during a queue come at most every `SAVE_INTERVAL_S`.
A take made since the last save is not lost on a crash: its audio file and a note of it
are already in the takes folder, and opening the script adopts it
(app.library.take_notes). Saves run in a worker thread and one at a time; each writes
the newest value (atomic: app.library.script_store).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from app.domain.script import Script
from app.domain.script_file import ScriptJsonWriter
from app.library.script_store import load_script, save_script, takes_dir_for
from app.library.take_notes import remove_notes

Listener = Callable[[Script], None]

log = logging.getLogger(__name__)

#: Seconds between two writes of the file while takes keep coming (`save_soon`).
SAVE_INTERVAL_S = 2.0


class ScriptDocument:
    def __init__(self, script: Script, path: Path | str | None = None,
                 writer: ScriptJsonWriter | None = None) -> None:
        self._script = script
        self.path = Path(path) if path is not None else None
        self._listeners: list[Listener] = []
        self._save_lock = asyncio.Lock()
        # Re-encodes only the blocks changed since the last save (one save per take);
        # one that read or wrote the file already knows every block's line.
        self._writer = writer or ScriptJsonWriter()
        self.saved_version = 0
        self.version = 0
        self.save_interval_s = SAVE_INTERVAL_S
        self._last_write: float | None = None  # time.monotonic() when the last write ended
        self._later: asyncio.Task[None] | None = None  # the save `save_soon` planned
        self._notes: list[Path] = []  # notes of takes the file does not list yet
        # One write of the file at a time, from whichever thread (a background save in a
        # worker, `save_blocking` on quitting), and never an older value over a newer one:
        # a background write that ends after a quit's write must not bring back what the
        # quit's write had saved over.
        self._file_lock = threading.Lock()
        self._version_on_disk = -1

    @classmethod
    async def open(cls, path: Path | str) -> ScriptDocument:
        """Read a script file off the event loop (ScriptFormatError / OSError)."""
        script = await asyncio.to_thread(load_script, path)
        document = cls(script, path)
        return document

    @property
    def script(self) -> Script:
        return self._script

    @property
    def takes_dir(self) -> Path:
        if self.path is None:
            raise ValueError("the script has not been saved yet, so it has no takes folder")
        return takes_dir_for(self.path)

    @property
    def is_modified(self) -> bool:
        return self.version != self.saved_version

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def set(self, script: Script) -> None:
        """Replace the value (an edit, an undo) and tell the listeners."""
        if script is self._script:
            return
        self._script = script
        self.version += 1
        for listener in list(self._listeners):
            listener(script)

    def apply(self, change: Callable[[Script], Script]) -> Script:
        """Apply a pure edit to the current value (whatever it is by now)."""
        self.set(change(self._script))
        return self._script

    def drop_note_when_saved(self, note: Path) -> None:
        """Remove a take's note (app.library.take_notes) once a save holds its take."""
        self._notes.append(note)

    def seconds_until_save(self) -> float:
        """How long a save asked for now waits: 0 when the last write ended at least
        `save_interval_s` ago (or there was none)."""
        if self._last_write is None:
            return 0.0
        now = time.monotonic()
        return max(0.0, self._last_write + self.save_interval_s - now)

    def save_soon(self) -> None:
        """Save the newest value once `save_interval_s` have passed since the last write
        (at once if they have): many takes in a row are one write. Call `save` when the
        work ends, to write what is still waiting at once."""
        if self.path is None or (self._later is not None and not self._later.done()):
            return
        self._later = asyncio.get_running_loop().create_task(
            self._save_after(self.seconds_until_save()))

    async def _save_after(self, delay_s: float) -> None:
        await asyncio.sleep(delay_s)
        # Once writing, a `save` that comes meanwhile waits for this write (the lock)
        # instead of cancelling it: a cancelled wait would not stop the thread's write.
        await asyncio.shield(asyncio.ensure_future(self._write_or_log()))

    async def _write_or_log(self) -> None:
        try:
            await self._write()
        except OSError:
            # Still modified: the next save (the queue's last one, the window's autosave)
            # tries again and says so; the takes' notes keep them meanwhile.
            log.exception("the script could not be saved; trying again with the next save")

    async def save(self) -> None:
        """Write the newest value to `path` now (atomic, in a worker thread)."""
        later, self._later = self._later, None
        if later is not None and not later.done():
            later.cancel()  # asleep: it ends; writing: its write goes on (shielded)
            # (Waited for without taking on its CancelledError: a cancel of this save
            # itself still comes through.)
            await asyncio.wait([later])
        await self._write()

    async def _write(self) -> None:
        if self.path is None:
            return
        async with self._save_lock:
            version, script, notes = self.version, self._script, self._notes
            if version == self.saved_version and self.path.exists():
                return
            self._notes = []
            try:
                await asyncio.to_thread(self._write_file, version, script, notes,
                                        self._writer)
            except BaseException:
                self._notes = notes + self._notes  # not saved: the notes still count
                raise
            finally:
                self._last_write = time.monotonic()
            self.saved_version = max(self.saved_version, version)

    def save_blocking(self) -> None:
        """Write the newest value now, on the calling thread (quitting, or opening another
        script: the event loop may be stopping). Waits for a background write that is
        under way, and is never overwritten by it."""
        if self.path is None or not self.is_modified:
            return
        version, notes, self._notes = self.version, self._notes, []
        try:
            self._write_file(version, self._script, notes, None)
        except BaseException:
            self._notes = notes + self._notes
            raise
        self.saved_version = max(self.saved_version, version)

    def _write_file(self, version: int, script: Script, notes: list[Path],
                    writer: ScriptJsonWriter | None) -> None:
        """Any thread: write `script` (of `version`) unless a newer one is on disk, then
        drop the notes of the takes it holds (left alone when skipped: opening the script
        removes notes of takes it already lists)."""
        assert self.path is not None
        with self._file_lock:
            if version < self._version_on_disk:
                return
            save_script(self.path, script, writer)
            self._version_on_disk = version
        remove_notes(notes)
