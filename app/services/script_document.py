"""An open script: the current value, who to tell when it changes, and saving it.

The window and the command line both hold a `ScriptDocument`; the batch queue records
each finished take through it (`apply`) and saves at once (`save`), so a take is in the
script file as soon as its audio file is complete. Saves run in a worker thread and one
at a time; each writes the newest value (atomic: app.library.script_store).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from app.domain.script import Script
from app.domain.script_file import ScriptJsonWriter
from app.library.script_store import load_script, save_script, takes_dir_for

Listener = Callable[[Script], None]


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

    async def save(self) -> None:
        """Write the newest value to `path` (atomic, in a worker thread)."""
        if self.path is None:
            return
        async with self._save_lock:
            version, script = self.version, self._script
            if version == self.saved_version and self.path.exists():
                return
            await asyncio.to_thread(save_script, self.path, script, self._writer)
            self.saved_version = max(self.saved_version, version)
