"""What the library had to do on its own that the user must hear about.

A damaged history kept aside, a data folder that cannot be written, a draft that could not
be read: the library carries on (it never stops the app over them) and records a notice
with the path involved; the window shows every notice in a banner. No Qt here: listeners
are plain callables, called from whichever thread recorded the notice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class LibraryNotice:
    title: str       # what happened, in a few words ("History was damaged")
    text: str        # the detail, with the path
    next_step: str   # what the user can do now
    path: Path | None = None


class NoticeBoard:
    """The notices of this run, in order; `subscribe` hears the ones still to come."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._notices: list[LibraryNotice] = []
        self._listeners: list[Callable[[LibraryNotice], None]] = []

    def post(self, notice: LibraryNotice) -> None:
        with self._lock:
            self._notices.append(notice)
            listeners = list(self._listeners)
        for listener in listeners:
            listener(notice)

    def all(self) -> list[LibraryNotice]:
        with self._lock:
            return list(self._notices)

    def subscribe(self, listener: Callable[[LibraryNotice], None]) -> None:
        with self._lock:
            self._listeners.append(listener)
