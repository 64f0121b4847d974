"""The Scripts tab's queue bar and status line while a run goes and once it has ended.

While a run goes the bar counts the blocks it was asked for ("212 of 500 made") and the
status line says the rest in words; once it ends, the bar speaks of the whole script
("5 of 5 blocks", the sentence in its tooltip). Progress arrives once per take, up to
dozens a second; the newest is shown at most ten times a second, which reads as live
and leaves the window's time to the table and to input (benchmark figure 10b).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel, QProgressBar

from app.domain.script_standing import sentence, standing_words
from app.domain.wording import plural

if TYPE_CHECKING:
    from app.services.script_queue import QueueProgress

# Short: at 1024 px the bar is about 110 px wide (the status line below has the words).
RUN_FORMAT = "%v of %m made"
RUN_TIP = "Blocks made so far, of those this run was asked for"
SCRIPT_FORMAT = "%v of %m blocks"
SHOW_EVERY_S = 0.1


def set_progress(bar: QProgressBar, value: int, maximum: int) -> None:
    """Move a progress bar without painting the window there and then: `setValue`
    repaints synchronously (~3 ms for this tab, once per take); this asks for an
    ordinary paint, which Qt merges with the others of the same turn."""
    bar.setUpdatesEnabled(False)
    try:
        bar.setRange(0, maximum)
        bar.setValue(value)
    finally:
        bar.setUpdatesEnabled(True)
    bar.update()


def progress_words(progress: QueueProgress) -> str:
    """The status line while a run goes (or is paused)."""
    if progress.paused:
        words = (f"Paused after {progress.finished} of {plural(progress.total, 'block')}"
                 + (f"; {progress.running} still finishing" if progress.running else "")
                 + ". Press Resume to carry on.")
    else:
        words = f"Making takes: {progress.finished} of {progress.total} done"
        if progress.running:
            words += f", {progress.running} being made"
    if progress.failed:
        words += f" · {progress.failed} failed"
    if progress.credits_spent:
        words += f" · {progress.credits_spent:,} credits spent"
    return words


class QueueProgressView(QObject):
    def __init__(self, bar: QProgressBar, status: QLabel, parent: QObject) -> None:
        super().__init__(parent)
        self._bar = bar
        self._status = status
        self._pending: QueueProgress | None = None  # waiting to be shown
        self._shown_at = -SHOW_EVERY_S  # time.monotonic() of the last progress shown
        #: The bar shows the whole script's standing (a run has ended), so a new count
        #: of the script is shown on it.
        self.standing_on_bar = False

    def queue_progress(self, progress: QueueProgress) -> None:
        first = self._pending is None
        self._pending = progress
        if first:
            wait_s = self._shown_at + SHOW_EVERY_S - time.monotonic()
            QTimer.singleShot(max(0, round(wait_s * 1000)), self, self.show_pending)

    def show_pending(self) -> None:
        progress, self._pending = self._pending, None
        if progress is None:
            return
        self._shown_at = time.monotonic()
        if self._bar.format() != RUN_FORMAT:
            self._bar.setFormat(RUN_FORMAT)
            self._bar.setToolTip(RUN_TIP)
        set_progress(self._bar, progress.finished, max(1, progress.total))
        self._status.setText(progress_words(progress))

    def await_standing(self) -> None:
        """A run ended without a count of the whole script at hand: the bar is emptied
        until the summary, counted shortly, says how many blocks have a take."""
        self.standing_on_bar = True
        self._bar.setRange(0, 1)
        self._bar.reset()

    def show_standing(self, have: int, spoken: int) -> None:
        """The bar, once a run has ended, speaks of the whole script ("4 of 5 blocks"),
        not of the blocks the run was asked for ("1 of 1"); the words in its tooltip."""
        self.standing_on_bar = True
        self._bar.setFormat(SCRIPT_FORMAT)
        self._bar.setToolTip(sentence(standing_words(have, spoken)))
        set_progress(self._bar, have, max(1, spoken))


__all__ = ["QueueProgressView", "progress_words", "set_progress"]
