"""The account's history on the ElevenLabs server: browse it (pages, search, voice and
model filters), play, download, import chosen items into the local History with their
settings, and delete on the server after asking. Errors say what happened and never
touch the local History."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.api.history import HistoryQuery, HistoryService
from app.library.atomic import atomic_write_bytes
from app.ui.errors import describe_error
from app.ui.history.account_history_model import AccountHistoryModel
from app.ui.widgets.file_dialogs import ask_save_path
from app.ui.widgets.problem_text import show_as_problem

if TYPE_CHECKING:
    from app.domain.history_wire import HistoryItem
    from app.ui.app_context import AppContext
    from app.ui.qt_async import TaskRunner

PAGE_SIZE = 50
TASK = "account_history"


class AccountHistoryDialog(QDialog):
    imported = Signal(object)  # Generation

    def __init__(self, ctx: AppContext, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("account_history")
        self.setWindowTitle("Your ElevenLabs history")
        self._ctx = ctx
        self._runner = runner
        self._service = HistoryService(ctx.client)
        self._last_id: str | None = None
        self._busy = False
        self._build()
        self.resize(900, 560)

    def _button(self, text: str, name: str, tip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(f"account_history.{name}")
        # Enter in the list or the search is not a click on whichever button comes next
        # (it was "Load more", a request the user did not ask for).
        button.setAutoDefault(False)
        button.setAccessibleName(text.rstrip("…"))
        button.setToolTip(tip)
        return button

    def _build(self) -> None:
        self.search = QLineEdit(self)
        self.search.setObjectName("account_history.search")
        self.search.setAccessibleName("Search your ElevenLabs history")
        self.search.setPlaceholderText("Search the text of past generations…")
        self.search.setClearButtonEnabled(True)
        self.voice = QComboBox(self)
        self.voice.setObjectName("account_history.voice")
        self.voice.setAccessibleName("Voice filter")
        self.voice.addItem("Any voice", "")
        self.model_filter = QComboBox(self)
        self.model_filter.setObjectName("account_history.model")
        self.model_filter.setAccessibleName("Model filter")
        self.model_filter.addItem("Any model", "")
        self.model = AccountHistoryModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("account_history.list")
        self.table.setAccessibleName("Generations in your ElevenLabs account")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.more = self._button("Load more", "more", "Show older generations")
        self.play = self._button("Play", "play", "Hear the chosen generation")
        self.download = self._button("Download…", "download", "Save the chosen generations "
                                     "(several come as a zip file)")
        self.import_button = self._button("Import to History", "import", "Copy the chosen "
                                          "generations, with their settings, into "
                                          "XI Studio's History")
        self.delete = self._button("Delete…", "delete", "Delete the chosen generations from "
                                   "your ElevenLabs account (asks first)")
        self.close_button = self._button("Close", "close", "Close this window")
        self.message = QLabel(self)
        self.message.setObjectName("account_history.message")
        self.message.setWordWrap(True)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.voice)
        filters.addWidget(self.model_filter)
        actions = QHBoxLayout()
        for button in (self.more, self.play, self.download, self.import_button, self.delete):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(actions)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(300)
        self._search_timer.timeout.connect(self.reload)
        self.search.textChanged.connect(self._search_timer.start)
        self.voice.currentIndexChanged.connect(self.reload)
        self.model_filter.currentIndexChanged.connect(self.reload)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.more.clicked.connect(self.load_more)
        self.play.clicked.connect(self._on_play_clicked)
        self.download.clicked.connect(self._on_download_clicked)
        self.import_button.clicked.connect(self._on_import_clicked)
        self.delete.clicked.connect(self._on_delete_clicked)
        self.close_button.clicked.connect(self.accept)
        self.finished.connect(lambda _r: self._runner.cancel(TASK))  # closing cancels
        self._has_more = False
        self._update_buttons()

    # -- running -----------------------------------------------------------------------
    def _run(self, doing: str, work: Callable[[], Awaitable[Any]]) -> None:
        async def task() -> None:
            try:
                await work()
            except Exception as exc:  # shown in plain words
                # No text of the user's is involved: "Your text is kept" would puzzle.
                self.say(describe_error(exc, kept="").as_text(), problem=True)
            finally:
                self._busy = False
                self._update_buttons()

        if self._runner.start(TASK, task) is None:
            self.say("Still working; try again in a moment.")
            return
        self._busy = True
        self.say(doing)
        self._update_buttons()

    def say(self, text: str, *, problem: bool = False) -> None:
        self.message.setText(text)
        self.message.setProperty("problem", problem)
        show_as_problem(self.message, problem)

    def chosen(self) -> list[HistoryItem]:
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [self.model.items[r] for r in rows]

    def _update_buttons(self, *_args: object) -> None:
        count = len(self.chosen())
        for button in (self.download, self.import_button, self.delete):
            button.setEnabled(count > 0 and not self._busy)
        self.play.setEnabled(count == 1 and not self._busy)
        self.more.setEnabled(self._has_more and not self._busy)

    # -- loading -----------------------------------------------------------------------
    def _query(self) -> HistoryQuery:
        return HistoryQuery(voice_id=self.voice.currentData() or None,
                            model_id=self.model_filter.currentData() or None,
                            search=self.search.text())

    def reload(self, *_args: object) -> None:
        self._runner.cancel(TASK)
        self.model.clear()
        self._last_id = None
        self._has_more = False
        QTimer.singleShot(0, self.load_more)  # after the cancelled task has finished

    def load_more(self) -> None:
        query, start_after = self._query(), self._last_id

        async def work() -> None:
            page = await self._service.page(query, page_size=PAGE_SIZE,
                                            start_after=start_after)
            self.model.append(page.history)
            self._last_id = page.last_history_item_id
            self._has_more = page.has_more
            self._offer_filters(page.history)
            count = self.model.rowCount()
            self.say(f"{count} generations shown" + (" · Load more for older ones." if
                                                     page.has_more else ".")
                     if count else "Nothing in your ElevenLabs history matches.")
        self._run("Loading your ElevenLabs history…", work)

    def _offer_filters(self, items: list[HistoryItem]) -> None:
        for combo, values in ((self.voice, {i.voice_id: i.voice_name or i.voice_id
                                            for i in items if i.voice_id}),
                              (self.model_filter, {i.model_id: i.model_id
                                                   for i in items if i.model_id})):
            combo.blockSignals(True)
            for value, label in values.items():
                if combo.findData(value) < 0:
                    combo.addItem(str(label), value)
            combo.blockSignals(False)

    # -- actions -----------------------------------------------------------------------
    def _on_play_clicked(self) -> None:
        item = self.chosen()[0]

        async def work() -> None:
            from app.audio.decode import decode_bytes

            audio = await self._service.audio(item.history_item_id)
            clip = await asyncio.to_thread(decode_bytes, audio, None)
            self._ctx.player.load(clip)
            self._ctx.player.play()
            self.say(f"Playing “{(item.text or '')[:60]}”.")
        self._run("Fetching the audio…", work)

    def _on_download_clicked(self) -> None:
        items = self.chosen()
        suffix = ".zip" if len(items) > 1 else ".mp3"
        suggested = str(Path.home() / f"elevenlabs-history{suffix}")
        ask_save_path(self, "account_history.save_dialog", "Save as", suggested,
                      lambda path: self.download_to(items, path))

    def download_to(self, items: list[HistoryItem], path: str) -> None:
        async def work() -> None:
            data, _kind = await self._service.download([i.history_item_id for i in items])
            # Atomic: a failed save leaves no half file, and an older file untouched.
            await asyncio.to_thread(atomic_write_bytes, path, data)
            self.say(f"Saved {Path(path).name}.")
        self._run("Downloading…", work)

    def _on_import_clicked(self) -> None:
        items = self.chosen()

        async def work() -> None:
            from app.services.history_import import import_history_item

            for n, item in enumerate(items, 1):
                self.say(f"Importing {n} of {len(items)}…")
                audio = await self._service.audio(item.history_item_id)
                generation = await asyncio.to_thread(
                    import_history_item, self._ctx.history, item, audio,
                    self._ctx.session_id)
                self.imported.emit(generation)
            self.say(f"Imported {len(items)} into History.")
        self._run("Importing…", work)

    def _on_delete_clicked(self) -> None:
        items = self.chosen()
        box = QMessageBox(QMessageBox.Icon.Warning, "Delete from your account?",
                          f"Delete {len(items)} generation{'s' if len(items) > 1 else ''} "
                          "from your ElevenLabs account? This cannot be undone. Copies "
                          "already in XI Studio's History stay.",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                          self)
        box.setObjectName("account_history.confirm_delete")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.button(QMessageBox.StandardButton.Yes).setText("Delete")
        box.button(QMessageBox.StandardButton.Yes).setObjectName(
            "account_history.confirm_delete.yes")
        delete_button = box.button(QMessageBox.StandardButton.Yes)
        box.buttonClicked.connect(
            lambda clicked: self.delete_items(items) if clicked is delete_button else None)
        box.finished.connect(box.deleteLater)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.open()

    def delete_items(self, items: list[HistoryItem]) -> None:
        async def work() -> None:
            from app.api.errors import NotFoundError

            gone = 0
            for item in items:
                try:
                    await self._service.delete(item.history_item_id)
                except NotFoundError:
                    # Deleted elsewhere meanwhile (the website, another device): gone, as
                    # asked. It stopped the rest with "Not found ... pick another voice".
                    gone += 1
                self.model.remove(item.history_item_id)
            deleted = len(items) - gone
            self.say(f"Deleted {deleted} from your ElevenLabs account."
                     + (f" {gone} {'was' if gone == 1 else 'were'} already gone."
                        if gone else ""))
        self._run("Deleting…", work)
