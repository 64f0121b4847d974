"""The Scripts tab's cost estimate: a count of the whole script (what is missing, what it
would cost, what the usage ledger says it cost so far), redone shortly after changes.

Counting hashes every block (tens of milliseconds for a long chapter), so it runs on a
worker thread and only the latest count is kept (`TaskRunner.restart`).
"""

from __future__ import annotations

import asyncio
import sqlite3
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from app.domain.wording import plural
from app.ui.qt_async import loop_running
from app.ui.scripts.script_summary import Summary, describe, summarize
from app.ui.usage.usage_model import total_text

if TYPE_CHECKING:
    from app.library.ledger import LedgerEntry, Total
    from app.ui.app_context import AppContext
    from app.ui.qt_async import TaskRunner
    from app.ui.scripts.script_document import ScriptDocument
    from app.ui.scripts.script_generation import ScriptGeneration
    from app.ui.scripts.scripts_tab import ScriptsTab

SUMMARY_DELAY_MS = 120


def spent_line(total: Total | None) -> str:
    """The Scripts tab's "Spent on this script" line, from the usage ledger."""
    if total is None or not total.operations:
        return ""
    credits = f"~{total.credits:,}" if total.has_estimates else f"{total.credits:,}"
    return f"\nSpent on this script: {credits} credits ({total.operations} takes)"


def spent_tooltip(total: Total | None) -> str:
    if total is None or not total.operations:
        return "Nothing recorded for this script in the usage ledger yet."
    return (f"From the usage ledger: {total_text(total)} over "
            f"{plural(total.operations, 'operation')}, every take ever made for this "
            "script. View → Usage and costs (Ctrl+Shift+U) lists them.")


class ScriptEstimate(QObject):
    SUMMARY = "scripts.summary"

    def __init__(self, generation: ScriptGeneration, tab: ScriptsTab, ctx: AppContext,
                 runner: TaskRunner, document: ScriptDocument) -> None:
        super().__init__(generation)
        self._generation = generation
        self._tab = tab
        self._ctx = ctx
        self._runner = runner
        self._document = document
        self.summary: Summary | None = None
        self.ledger_total: Total | None = None  # this script in the usage ledger
        self.ledger_problem = ""  # why the ledger could not be read, when it could not
        ctx.costs.subscribe(self._on_costs_recorded)
        self.destroyed.connect(lambda: ctx.costs.unsubscribe(self._on_costs_recorded))
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SUMMARY_DELAY_MS)
        self._timer.timeout.connect(self._count)

    def refresh(self) -> None:
        """Recount the estimate shortly (a burst of changes is counted once)."""
        self._timer.start()

    def _count(self) -> None:
        if not loop_running():
            return  # the window is closing: nobody will read it
        generation = self._generation
        script, multiplier = self._document.script, generation.cost_multiplier
        path, ledger = self._document.path, self._ctx.costs.ledger

        async def count() -> None:
            summary = await asyncio.to_thread(summarize, script, multiplier)
            # What the usage ledger says this script cost (every take ever made for it,
            # chosen or not, kept or deleted since).
            spent, problem = None, ""
            if ledger is not None and path is not None:
                try:
                    spent = await asyncio.to_thread(ledger.script_total, path)
                except sqlite3.Error as exc:  # held by another program: said here, and
                    problem = str(exc)  # the estimate is still shown (it needs no ledger)
            if self._document.script is script:
                self.summary = summary
                self.ledger_total = spent
                self.ledger_problem = problem
                self._tab.estimate.setText(self.estimate_text())
                self._tab.estimate.setToolTip(
                    f"The usage ledger answered: {problem}. Close any other copy of XI "
                    "Studio; it is read again after the next take." if problem
                    else spent_tooltip(spent))
                progress = generation.progress
                if progress.standing_on_bar and not generation.is_running:
                    progress.show_standing(
                        summary.spoken_blocks - summary.missing_blocks, summary.spoken_blocks)
                generation.update_buttons()

        self._runner.restart(self.SUMMARY, count)

    def estimate_text(self) -> str:
        if self.summary is None:
            return "Counting…"
        quota = self._generation.quota
        left = quota.characters_left if quota is not None else None
        words = describe(self.summary, self._generation.cost_multiplier, left)
        if self.ledger_problem:
            return words + "\nSpent on this script: could not be read just now."
        return words + spent_line(self.ledger_total)

    def _on_costs_recorded(self, entry: LedgerEntry) -> None:
        path = self._document.path
        if path is not None and entry.script_path == str(path):
            self.refresh()
