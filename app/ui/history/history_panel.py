"""The History panel: search, replay, re-open in the Speech tab, export and delete."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.library.history import ExportStopped, Generation
from app.ui.app_context import AppContext
from app.ui.errors import describe_error
from app.ui.history.history_model import COLUMNS, HistoryModel
from app.ui.history_wording import history_empty_text
from app.ui.icons import icon
from app.ui.qt_async import TaskRunner
from app.ui.widgets.file_dialogs import ask_save_path

WHAT, VOICE = 1, 2  # the table's columns that share the panel's width


class HistoryPanel(QWidget):
    play_requested = Signal(object)  # Generation
    reopen_requested = Signal(object)  # Generation
    # From the export's worker thread (queued to the window's thread): bytes done, total.
    _export_progress = Signal(int, int)

    LOAD = "history.load"
    EXPORT = "history.export"
    DELETE = "history.delete"

    def __init__(self, ctx: AppContext, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("history.panel")
        self._ctx = ctx
        self._runner = runner
        self.search = QLineEdit(self)
        self.search.setObjectName("history.search")
        self.search.setPlaceholderText("Search history…")
        self.search.setClearButtonEnabled(True)
        self.model = HistoryModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("history.list")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # What was said gets the room: a long voice name sized to its contents squeezed
        # it to "Wel…". The voice column is a fixed share the user can drag.
        header.setSectionResizeMode(WHAT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(VOICE, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(VOICE, self.fontMetrics().averageCharWidth() * 10)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # It never scrolls sideways, so it is never narrower than its columns.
        header.sectionResized.connect(self._on_section_resized)
        self.empty_label = QLabel(history_empty_text(ctx.history), self)
        self.empty_label.setObjectName("history.empty")
        self.empty_label.setWordWrap(True)
        self.play_button = QPushButton(icon("play"), "Play", self)
        self.play_button.setObjectName("history.play")
        self.reopen_button = QPushButton(icon("open"), "Re-open", self)
        self.reopen_button.setObjectName("history.reopen")
        self.reopen_button.setToolTip("Put this text and its settings back in the Speech tab")
        self.export_button = QPushButton(icon("export"), "Export…", self)
        self.export_button.setObjectName("history.export")
        self.delete_button = QPushButton(icon("delete"), "Delete", self)
        self.delete_button.setObjectName("history.delete")
        # Short, so History fits beside a tab on a laptop at 150% (the tooltip says more).
        self.account_button = QPushButton("From your account…", self)
        self.account_button.setObjectName("history.account")
        self.account_button.setToolTip("Browse, play and import what you made on "
                                       "elevenlabs.io or with this key elsewhere")
        self.account_button.clicked.connect(self.open_account_history)
        # Shown only while an export runs: copying an hour of audio takes a while, and
        # the user may have picked the wrong place.
        self.export_stop_button = QPushButton("Stop export", self)
        self.export_stop_button.setObjectName("history.export_stop")
        self.export_stop_button.hide()
        self.export_stop_button.clicked.connect(self.stop_export)
        self._export_stop: threading.Event | None = None
        self._exporting_title = ""
        self._export_percent = -1
        self._export_progress.connect(self._on_export_progress)
        self.usage = QLabel(self)  # what an export did; hidden until there is something
        self.usage.setObjectName("history.usage")
        self.usage.setWordWrap(True)
        self.usage.hide()
        # Two by two, so the panel fits beside the tabs on a laptop screen.
        buttons = QGridLayout()
        for number, button in enumerate((self.play_button, self.reopen_button,
                                         self.export_button, self.delete_button)):
            buttons.addWidget(button, number // 2, number % 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        layout.addLayout(buttons)
        layout.addWidget(self.account_button)
        layout.addWidget(self.usage)
        layout.addWidget(self.export_stop_button)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(200)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._search_timer.start)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _i: self._on_play_clicked())
        # Keyboard only: Enter plays the chosen entry (as the list's description says)
        # and Delete asks before deleting it, as the buttons do. The view itself only
        # emits `activated` on Enter, which is also sent on double-click (played twice).
        self.table.installEventFilter(self)
        self.play_button.clicked.connect(self._on_play_clicked)
        self.reopen_button.clicked.connect(self._on_reopen_clicked)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.delete_button.clicked.connect(self._on_delete_clicked)
        self._runner.task_failed.connect(self._on_runner_task_failed)
        self._runner.reports(self.LOAD, self.EXPORT, self.DELETE)
        self._update_buttons()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.table and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)
                and event.modifiers() in (Qt.KeyboardModifier.NoModifier,
                                          Qt.KeyboardModifier.KeypadModifier)):
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._on_play_clicked()
                return True
            if event.key() == Qt.Key.Key_Delete:
                self._on_delete_clicked()
                return True
        return super().eventFilter(watched, event)

    def open_account_history(self) -> QWidget:
        """The account's server history (app/ui/history/account_history_dialog.py)."""
        from app.ui.history.account_history_dialog import AccountHistoryDialog

        dialog = AccountHistoryDialog(self._ctx, self._runner, self)
        dialog.imported.connect(lambda _g: self.refresh())
        dialog.finished.connect(dialog.deleteLater)
        dialog.show()
        dialog.reload()
        return dialog

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # A narrow panel drops the Voice column (it is in each row's tooltip) so What
        # keeps room to be read; wide enough, it comes back.
        narrow = self.width() < self.fontMetrics().averageCharWidth() * 48
        self.table.setColumnHidden(VOICE, narrow)

    def _on_section_resized(self, column: int, _old: int, _new: int) -> None:
        if column not in (WHAT, VOICE):  # (those follow the panel's width)
            self._keep_columns_in_view()

    def _keep_columns_in_view(self) -> None:
        """The table is never narrower than When, Length and Cost as their contents
        need, plus a sliver of What: with a large system font (15 pt) the panel kept
        its usual width and Cost was cut off at its edge. (Voice hides when the panel
        is narrow: not counted.)"""
        header = self.table.horizontalHeader()
        kept = sum(header.sectionSize(column) for column in range(header.count())
                   if column not in (WHAT, VOICE) and not header.isSectionHidden(column))
        # What may end in "…" (the whole is in the row's tooltip): two letters and "…".
        margin = 2 * self.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin)
        what = header.fontMetrics().horizontalAdvance(COLUMNS[WHAT][:2] + "…") + margin
        frame = 2 * self.table.frameWidth()
        bar = self.table.verticalScrollBar().sizeHint().width()
        self.table.setMinimumWidth(kept + what + frame + bar)

    def selected(self) -> Generation | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.generation(rows[0].row()) if rows else None

    def refresh(self) -> None:
        self._runner.restart(self.LOAD, self._load)

    async def _load(self) -> None:
        history = self._ctx.history
        search = self.search.text()
        rows = await asyncio.to_thread(history.list, search)
        self.model.set_rows(rows)
        self.empty_label.setVisible(not rows)
        if not rows and search:
            self.empty_label.setText(f"Nothing in History matches “{search}”.")
        else:
            self.empty_label.setText(history_empty_text(self._ctx.history))
        # What was spent is not counted here: History is what was made, not what was
        # paid for (the status bar's line reads the usage ledger, app/ui/usage/usage_line).
        self._update_buttons()

    def select_first(self) -> None:
        if self.model.rowCount():
            self.table.selectRow(0)

    def _update_buttons(self, *_args: object) -> None:
        generation = self.selected()
        has = generation is not None
        self.play_button.setEnabled(has and bool(generation and generation.file_exists))
        self.export_button.setEnabled(has and bool(generation and generation.file_exists)
                                      and self._export_stop is None)  # one at a time
        self.reopen_button.setEnabled(has)
        self.delete_button.setEnabled(has)

    def _on_play_clicked(self) -> None:
        generation = self.selected()
        if generation is not None and generation.file_exists \
                and not self._file_gone(generation):
            self.play_requested.emit(generation)

    def _file_gone(self, generation: Generation) -> bool:
        """The entry's audio was deleted or moved since the list was read: say so here
        (not "could not be read … try another format", nor "check the disk has space"),
        and read the list again so it shows the file as missing."""
        path = generation.file_path
        if path is not None and path.is_file():
            return False
        self._say(f"The audio of “{generation.title}” is no longer there (moved or deleted"
                  f"{f': {path}' if path else ''}). Re-open brings back what made it, to "
                  "make it again.")
        self.refresh()
        return True

    def _on_reopen_clicked(self) -> None:
        generation = self.selected()
        if generation is not None:
            self.reopen_requested.emit(generation)

    def _on_export_clicked(self) -> None:
        generation = self.selected()
        if generation is None or self._file_gone(generation):
            return
        suggested = str(Path.home() / generation.suggested_filename)
        ask_save_path(self, "history.export_dialog", "Export audio", suggested,
                      lambda path: self._start_export(generation, path))

    def _start_export(self, generation: Generation, path: str) -> None:
        stop = threading.Event()
        if self._runner.start(self.EXPORT, lambda: self._export(generation, path, stop)) is None:
            return
        self._export_stop = stop
        self._exporting_title = generation.title
        self._export_percent = -1
        self._say(f"Exporting “{generation.title}”…")  # said at once, before any byte
        self.export_stop_button.setEnabled(True)
        self.export_stop_button.show()
        self._update_buttons()

    def stop_export(self) -> None:
        """The worker thread sees the flag before its next chunk, removes what it wrote
        and the task then says so: the message comes when the copy has really ended."""
        if self._export_stop is not None:
            self._export_stop.set()
            self.export_stop_button.setEnabled(False)
            self._say(f"Stopping the export of “{self._exporting_title}”…")

    def _on_export_progress(self, done: int, total: int) -> None:
        stop = self._export_stop
        percent = done * 100 // total if total > 0 else 100
        if stop is None or stop.is_set() or percent == self._export_percent:
            return
        self._export_percent = percent
        self._say(f"Exporting “{self._exporting_title}”… {percent}%")

    async def _export(self, generation: Generation, path: str, stop: threading.Event) -> None:
        try:
            await asyncio.to_thread(self._ctx.history.export, generation.id, Path(path),
                                    stop=stop, progress=self._export_progress.emit)
        except ExportStopped:
            self._say(f"Export stopped: nothing was saved as {path}.")
            return
        except OSError as exc:
            if not self._file_gone(generation):  # (deleted while the dialog was open)
                self._say(describe_error(exc).as_text())
            return
        finally:
            stop.set()  # a cancelled task (the window closing) stops its thread too
            self._export_stop = None
            self.export_stop_button.hide()
            self._update_buttons()
        self._say(f"Exported to {path}")

    def _on_runner_task_failed(self, name: str, exc: object) -> None:
        """History's database locked (another copy of XI Studio) or damaged while the
        list was read, an entry deleted or exported: said here, under the list (the
        task ended with nothing said, so the click seemed to do nothing)."""
        if name not in (self.LOAD, self.EXPORT, self.DELETE):
            return
        error = exc if isinstance(exc, BaseException) else Exception(str(exc))
        what = {self.LOAD: "The list could not be read.",
                self.EXPORT: "Nothing was exported.",
                self.DELETE: "Nothing was deleted."}[name]
        self._say(f"{what} {describe_error(error, kept='').as_text()}")

    def _say(self, text: str) -> None:
        self.usage.setText(text)
        self.usage.setVisible(bool(text))

    def _on_delete_clicked(self) -> None:
        generation = self.selected()
        if generation is None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, "Delete from History",
                          f"Delete “{generation.title}” and its audio file?\n"
                          "This cannot be undone.",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("history.confirm_delete")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        # open() not exec(): never spin a nested event loop under qasync.
        box.finished.connect(lambda result: self._on_delete_confirmed(generation, result))
        box.open()

    def _on_delete_confirmed(self, generation: Generation, result: int) -> None:
        if result == QMessageBox.StandardButton.Yes:
            self._runner.start(self.DELETE, lambda: self._delete(generation))

    async def _delete(self, generation: Generation) -> None:
        await asyncio.to_thread(self._ctx.history.delete, generation.id)
        self.refresh()
