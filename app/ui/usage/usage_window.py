"""View → Usage and costs…: every recorded operation, totals by kind and by script, this
month against the plan's limit, filters by kind and period, and a CSV export.

The ledger is read in a worker thread (`asyncio.to_thread`); a new row recorded while
the window is open shows up on its own (the cost recorder tells the window).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.library.ledger import KIND_LABELS, KINDS, LedgerEntry, month_start, total_of, totals_by
from app.ui.qt_async import TaskRunner
from app.ui.usage.usage_model import ScriptTotalsModel, UsageModel, total_text
from app.ui.widgets.file_dialogs import ask_save_path

if TYPE_CHECKING:
    from app.domain.wire import Subscription
    from app.ui.app_context import AppContext

log = logging.getLogger(__name__)

PERIODS: tuple[tuple[str, str], ...] = (
    ("month", "This month"), ("last_month", "Last month"), ("30_days", "Last 30 days"),
    ("year", "This year"), ("all", "All time"))
RELOAD_DELAY_MS = 150
ESTIMATE_NOTE = ("“~” marks an estimate: the server did not report that cost, so XI Studio "
                 "worked it out (characters × the model's rate; minutes of audio × a rough "
                 "rate for transcription and alignment). The offline engine is free.")


def period_bounds(period: str, now: datetime | None = None) -> tuple[str | None, str | None]:
    """(since, until) ledger timestamps for a period name, in the user's calendar."""
    now = now or datetime.now(UTC)
    local = now.astimezone()
    this_month = month_start(now)
    if period == "month":
        return this_month, None
    if period == "last_month":
        first = datetime.fromisoformat(this_month).astimezone()
        before = (first - timedelta(days=1)).replace(day=1)
        return before.astimezone(UTC).isoformat(timespec="seconds"), this_month
    if period == "30_days":
        return (now - timedelta(days=30)).astimezone(UTC).isoformat(timespec="seconds"), None
    if period == "year":
        first = local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
        return first.astimezone(UTC).isoformat(timespec="seconds"), None
    return None, None


@dataclass(frozen=True, slots=True)
class Loaded:
    entries: list[LedgerEntry]
    month: list[LedgerEntry]


class UsageWindow(QDialog):
    LOAD = "usage.load"
    PLAN = "usage.plan"
    EXPORT = "usage.export"

    def __init__(self, ctx: AppContext, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self.subscription: Subscription | None = None
        self.loaded = 0  # how many loads finished (tests wait on it)
        self.setObjectName("usage.window")
        self.setWindowTitle("Usage and costs")
        self.setAccessibleName("Usage and costs")
        self.setAccessibleDescription("What each generation, take and transcription cost")

        self.kind = QComboBox(self)
        self._name(self.kind, "usage.kind", "Kind of work",
                   "Show only this kind of work, or all of them")
        self.kind.addItem("All kinds", "")
        for kind in KINDS:
            self.kind.addItem(KIND_LABELS[kind], kind)
        self.period = QComboBox(self)
        self._name(self.period, "usage.period", "Period", "Show only this period")
        for key, label in PERIODS:
            self.period.addItem(label, key)
        self.export_button = QPushButton("Export CSV…", self)
        self.export_button.setAutoDefault(False)  # Enter in the table or a filter opened it
        self._name(self.export_button, "usage.export", "Export CSV",
                   "Saves the rows shown as a CSV file for a spreadsheet")
        self.month = QLabel(self)
        self.month.setObjectName("usage.month")
        self.month.setWordWrap(True)
        self.month.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.model = UsageModel(self)
        self.table = QTableView(self)
        self._name(self.table, "usage.table", "Operations",
                   "Each recorded operation, newest first; “~” marks an estimate")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

        self.totals = QLabel(self)
        self.totals.setObjectName("usage.totals")
        self.totals.setWordWrap(True)
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.scripts_model = ScriptTotalsModel(self)
        self.scripts = QTableView(self)
        self._name(self.scripts, "usage.scripts", "Totals by script",
                   "What each script's takes cost in the period shown")
        self.scripts.setModel(self.scripts_model)
        self.scripts.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.scripts.setTabKeyNavigation(False)
        self.scripts.verticalHeader().hide()
        self.scripts.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.note = QLabel(ESTIMATE_NOTE, self)
        self.note.setObjectName("usage.note")
        self.note.setWordWrap(True)
        self.status = QLabel(self)
        self.status.setObjectName("usage.status")
        self.status.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(QLabel("Kind:", self))
        top.addWidget(self.kind)
        top.addWidget(QLabel("Period:", self))
        top.addWidget(self.period)
        top.addStretch(1)
        top.addWidget(self.export_button)
        lower = QWidget(self)
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.totals)
        lower_layout.addWidget(self.scripts)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.table)
        split.addWidget(lower)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.month)
        layout.addWidget(split, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.status)
        self.resize(900, 600)

        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(RELOAD_DELAY_MS)
        self._reload_timer.timeout.connect(self.reload)
        self.kind.currentIndexChanged.connect(self.reload)
        self.period.currentIndexChanged.connect(self.reload)
        self.export_button.clicked.connect(self.ask_export)
        ctx.costs.subscribe(self._on_costs_recorded)
        self.finished.connect(lambda _r: ctx.costs.unsubscribe(self._on_costs_recorded))
        runner.task_failed.connect(self._on_runner_task_failed)
        runner.reports(self.LOAD, self.EXPORT)
        self.reload()
        self._runner.start(self.PLAN, self._read_plan)

    @staticmethod
    def _name(widget: QWidget, name: str, spoken: str, description: str) -> None:
        widget.setObjectName(name)
        widget.setAccessibleName(spoken)
        widget.setAccessibleDescription(description)

    # -- loading ---------------------------------------------------------------------
    def _on_costs_recorded(self, _entry: LedgerEntry) -> None:
        self._reload_timer.start()

    def reload(self) -> None:
        kind = self.kind.currentData() or None
        since, until = period_bounds(str(self.period.currentData()))
        self._runner.restart(self.LOAD, lambda: self._load(kind, since, until))

    async def _load(self, kind: str | None, since: str | None, until: str | None) -> None:
        ledger = self._ctx.costs.ledger
        if ledger is None:
            self.status.setText("Costs are not recorded in this session.")
            return
        loaded = await asyncio.to_thread(
            lambda: Loaded(ledger.entries(kind=kind, since=since, until=until),
                           ledger.entries(since=month_start())))
        self._show(loaded)

    def _show(self, loaded: Loaded) -> None:
        self.model.set_entries(loaded.entries)
        by_kind = totals_by(loaded.entries, "kind")
        if by_kind:
            lines = [f"{KIND_LABELS.get(k, k)}: {total_text(t)}"
                     for k, t in sorted(by_kind.items(), key=lambda i: -i[1].credits)]
            self.totals.setText("Shown: " + total_text(total_of(loaded.entries))
                                + "\n" + " · ".join(lines))
        else:
            self.totals.setText("Nothing recorded in this period yet.")
        self.scripts_model.set_totals(totals_by(loaded.entries, "script_path"))
        self._month_total = total_of(loaded.month)
        self._show_month()
        unsaved = [e for e in loaded.entries if not e.kept]
        self.status.setText(f"{len(unsaved)} row(s) are kept for this session only: the "
                            "usage ledger cannot be written (see the notice)."
                            if unsaved else "")
        self.loaded += 1

    def _show_month(self) -> None:
        total = getattr(self, "_month_total", None)
        if total is None:
            return
        text = f"This month: {total_text(total)} recorded on this computer."
        plan = self.subscription
        if plan is not None and not plan.counts_known:
            text += (" The plan's credit counts the server sent make no sense, so they "
                     "are not shown.")
        elif plan is not None and plan.character_limit > 0:
            text += (f" Your {plan.tier} plan: {plan.character_count:,} of "
                     f"{plan.character_limit:,} credits used "
                     f"({plan.character_count * 100 // plan.character_limit}%, the "
                     "server's own count, which includes other apps and the website).")
        elif plan is None:
            text += " The plan's limit is not known (no key, or the key cannot read it)."
        self.month.setText(text)

    async def _read_plan(self) -> None:
        try:
            self.subscription = await self._ctx.account.subscription()
        except Exception:  # a key without user_read, no connection: the limit is unknown
            log.info("subscription not available for the usage window", exc_info=True)
            self.subscription = None
        self._show_month()

    def _on_runner_task_failed(self, name: str, exc: object) -> None:
        """The usage ledger locked (another copy of XI Studio) or damaged: said here (the
        window stayed empty, or the export ended, with nothing said)."""
        if name not in (self.LOAD, self.EXPORT):
            return
        why = str(exc) or type(exc).__name__
        what = ("The costs could not be read" if name == self.LOAD
                else "The CSV file was not written")
        self.status.setText(f"{what}: the usage ledger answered “{why}”. Close any other "
                            "copy of XI Studio and try again (change the period to "
                            "read again).")

    # -- export ----------------------------------------------------------------------
    def ask_export(self) -> None:
        suggested = str(Path.home() / f"xi-studio-usage-{datetime.now():%Y-%m}.csv")
        ask_save_path(self, "usage.export_dialog", "Export usage as CSV", suggested,
                      lambda chosen: self.export_to(Path(chosen)), "CSV files (*.csv)")

    def export_to(self, path: Path) -> None:
        entries = self.model.entries()
        self._runner.restart(self.EXPORT, lambda: self._export(entries, path))

    async def _export(self, entries: list[LedgerEntry], path: Path) -> None:
        from app.library.ledger_csv import export_csv

        try:
            await asyncio.to_thread(export_csv, entries, path)
        except OSError as exc:
            self.status.setText(f"The CSV file could not be written ({exc.strerror or exc}). "
                                "Choose another folder and try again.")
            return
        self.status.setText(f"Saved {len(entries)} row(s) to {path}.")


def show_usage_window(parent: QWidget, ctx: AppContext, runner: TaskRunner) -> UsageWindow:
    """View → Usage and costs…: one window, brought to the front when already open."""
    window = next((w for w in parent.findChildren(UsageWindow, "usage.window")
                   if w.isVisible()), None)
    if window is None:
        window = UsageWindow(ctx, runner, parent)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.show()
    window.raise_()
    window.activateWindow()
    return window


__all__ = ["PERIODS", "UsageWindow", "period_bounds", "show_usage_window"]
