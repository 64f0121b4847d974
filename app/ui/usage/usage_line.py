"""The status bar's usage line: "This session: N generations, N credits. Today: ...".

Summed from the usage ledger (app/library/ledger.py), the one record of spent credits:
every paid request is a row there once, whichever tab made it (script takes, stems and
alignments included, which have no History row). The line is read again whenever a row
is recorded, so a script take shows up as soon as it is made, not when History reloads.
"""

from __future__ import annotations

import asyncio
import sqlite3

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

from app.domain.wording import plural
from app.library.ledger import LedgerEntry, Total
from app.ui.app_context import AppContext
from app.ui.qt_async import TaskRunner, loop_running
from app.ui.widgets.elided_label import ElidedLabel

# A queue of takes records rows in bursts: they are counted once the burst is over.
RELOAD_DELAY_MS = 150
ABOUT = ("Counted from the usage ledger: everything made in this window that costs "
         "credits (speech, script takes, music, stems, transcriptions…), each once. "
         "“about” means part of the figure is XI Studio's estimate because the server did "
         "not report it. View → Usage and costs (Ctrl+Shift+U) lists each one.")


UNREADABLE = "Credits used could not be counted just now."


def spent_text(total: Total) -> str:
    """'3 generations, 120 credits', 'about' when part of it is our estimate, and how many
    costs the server did not report (counted as nothing, never guessed)."""
    credits = plural(total.credits, "credit")
    words = f"{plural(total.operations, 'generation')}, " \
            f"{'about ' if total.has_estimates else ''}{credits}"
    if total.unknown:
        words += f" ({plural(total.unknown, 'cost')} not reported)"
    return words


def usage_text(session: Total, today: Total) -> str:
    return f"This session: {spent_text(session)}. Today: {spent_text(today)}."


class UsageLine(ElidedLabel):
    """The label itself keeps up to date: `refresh()` once at start-up, then on its own
    after every recorded cost."""

    LOAD = "status.usage"

    def __init__(self, ctx: AppContext, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setObjectName("status.usage")
        self.setAccessibleName("Credits used")
        self._ctx, self._runner = ctx, runner
        runner.reports(self.LOAD)  # (a ledger that cannot be read is said on this line)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RELOAD_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        listener = self._on_recorded
        ctx.costs.subscribe(listener)
        self.destroyed.connect(lambda: ctx.costs.unsubscribe(listener))

    def _on_recorded(self, _entry: LedgerEntry) -> None:
        self._timer.start()

    def refresh(self) -> None:
        if loop_running():  # not while the window closes: nobody would read it
            self._runner.restart(self.LOAD, self._load)

    async def _load(self) -> None:
        ledger, session_id = self._ctx.costs.ledger, self._ctx.session_id
        if ledger is None:
            return  # costs are not recorded in this session: nothing true to say
        try:
            session, today = await asyncio.to_thread(
                lambda: (ledger.session_total(session_id), ledger.day_total()))
        except sqlite3.Error as exc:
            # Said here, quietly, and again at the next cost: a banner after every
            # generation while another program holds the ledger would be in the way.
            self.setText(UNREADABLE)
            self.setToolTip(f"{UNREADABLE} The usage ledger answered: {exc}. Close any "
                            "other copy of XI Studio; the line is counted again after the "
                            "next cost.")
            return
        text = usage_text(session, today)
        self.setText(text)
        self.setToolTip(f"{text}\n\n{ABOUT}")


__all__ = ["UsageLine", "spent_text", "usage_text"]
