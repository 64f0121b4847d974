"""The main window: composes the tabs, the History panel, the player bar and the status
bar with its backend badge, and tells them of the backend's state and the app's start and
close. Its other jobs have their own modules: building the tabs on demand
(tab_builder.py), the menus and their dialogs (main_menus.py), playing saved files
(file_playback.py), sending opened or dropped files to the right tab (file_router.py),
and the window's saved place and layout (window_state.py).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME
from app.library.history import Generation
from app.ui.accessible_names import name_controls
from app.ui.app_context import AppContext
from app.ui.backend import CLOUD, BackendController
from app.ui.errors import describe_error
from app.ui.file_playback import FilePlayback
from app.ui.file_router import FileRouter
from app.ui.history.history_panel import HistoryPanel
from app.ui.keyboard import press_focused_button, tab_moves_on
from app.ui.main_menus import MainMenus
from app.ui.narrow_screen import NarrowScreen
from app.ui.qt_async import TaskRunner
from app.ui.speech.speech_tab import SpeechTab
from app.ui.tab_builder import TAB_TITLES, TABS, TabBuilder
from app.ui.usage.usage_line import UsageLine
from app.ui.widgets.error_banner import ErrorBanner
from app.ui.widgets.notice_banner import NoticeBanner
from app.ui.widgets.player_bar import PlayerBar
from app.ui.window_state import WindowState

if TYPE_CHECKING:
    from app.ui.music.music_tab import MusicTab
    from app.ui.scripts.scripts_tab import ScriptsTab
    from app.ui.settings_dialog import SettingsDialog
    from app.ui.transcripts.queue_controller import QueueController
    from app.ui.transcripts.transcripts_tab import TranscriptsTab

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    ready = Signal()  # connected and the Speech tab has its voices (or says why not)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("main.window")
        self.setWindowTitle(APP_NAME)
        self.resize(1180, 760)
        self._ctx = ctx
        self.is_ready = False
        self.runner = TaskRunner(self)
        self.backend = BackendController(ctx, self.runner, self)
        self.player_bar = PlayerBar(ctx.player, self)
        self.file_playback = FilePlayback(ctx, self.runner, self.player_bar,
                                          self.banner_in_view, self)
        self.file_router = FileRouter(self)
        self.window_state = WindowState(self, ctx, TABS)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("main.tabs")
        self.speech_tab = SpeechTab(ctx, self.runner, self.player_bar, self)
        self.tabs.addTab(self.speech_tab, TAB_TITLES["speech"])
        # The other tabs are placeholders until first shown or used.
        self.tab_builder = TabBuilder(self, ctx)
        self.tab_builder.add_placeholders()
        self.tabs.currentChanged.connect(self.tab_builder.on_tab_changed)
        self.setAcceptDrops(True)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 0)
        # Damaged or read-only history, unreadable drafts: said above everything else.
        self.notice_banner = NoticeBanner(ctx.notices, self)
        layout.addWidget(self.notice_banner)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.player_bar)
        self.setCentralWidget(central)

        self.history = HistoryPanel(ctx, self.runner, self)
        self.history_dock = QDockWidget("History", self)
        self.history_dock.setObjectName("history.dock")
        self.history_dock.setWidget(self.history)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.history_dock)

        self.backend_badge = QLabel(self)
        self.backend_badge.setObjectName("status.backend")
        self.backend_badge.setMargin(2)
        # What this session and today cost, from the usage ledger; it refreshes itself
        # whenever a cost is recorded (never widens the window: it is elided).
        self.usage_label = UsageLine(ctx, self.runner, self)
        self.statusBar().addWidget(self.usage_label, 1)
        self.statusBar().addPermanentWidget(self.backend_badge)
        # Retries happen inside the service layer; say so, so a wait is never silent.
        ctx.client.on_retry = self._on_client_retry

        self.menus = MainMenus(self, ctx)
        # A narrow screen stacks each tab's columns (app/ui/narrow_screen.py).
        self.narrow_screen = NarrowScreen(self)
        tab_moves_on(self)
        name_controls(self)
        self.backend.connecting.connect(self._on_backend_connecting)
        self.backend.connected.connect(self._on_backend_connected)
        self.backend.failed.connect(self._on_backend_failed)
        self.speech_tab.ready_changed.connect(self._on_speech_ready)
        self.speech_tab.generation_saved.connect(self.on_generation_saved)
        # An old error is stale once a new plan is being written (as Compose hides it).
        self.runner.task_started.connect(self._on_runner_task_started)
        self.runner.task_cancelled.connect(self._on_runner_task_cancelled)
        # A retry notice is stale once the task it was about has ended.
        self.runner.task_finished.connect(self._on_runner_task_finished)
        # The safety net: a failure no part of the window shows is said here.
        self.runner.task_failed.connect(self._on_runner_task_failed)
        self.history.play_requested.connect(self.play_generation)
        self.history.reopen_requested.connect(self._on_history_reopen_requested)
        self.window_state.restore_geometry()

    # -- the tabs built on demand (app/ui/tab_builder.py) --------------------------
    @property
    def transcripts_tab(self) -> TranscriptsTab:
        return cast("TranscriptsTab", self.tab("transcripts"))

    @property
    def music_tab(self) -> MusicTab:
        return cast("MusicTab", self.tab("music"))

    @property
    def scripts_tab(self) -> ScriptsTab:
        return cast("ScriptsTab", self.tab("scripts"))

    @property
    def transcription_queue(self) -> QueueController:
        return self.tab_builder.transcription_queue

    @property
    def all_tabs_built(self) -> bool:
        return self.tab_builder.all_built

    def tab(self, name: str) -> QWidget:
        """The tab called `name`, built now if it was not yet."""
        return self.tab_builder.tab(name)

    def build_all_tabs(self) -> None:
        self.tab_builder.build_all()

    def show_tab(self, name: str) -> None:
        if name in TABS:
            self.tabs.setCurrentIndex(TABS.index(name))

    # -- start-up --------------------------------------------------------------------
    def start(self) -> None:
        """Connect after the window is shown, so start-up never waits on the network."""
        QTimer.singleShot(0, self._load_wire_models)
        QTimer.singleShot(0, self.window_state.restore_layouts)
        QTimer.singleShot(0, self.backend.connect_backend)
        QTimer.singleShot(0, self._resume_transcription_queue)
        QTimer.singleShot(0, self.history.refresh)
        QTimer.singleShot(0, self.usage_label.refresh)
        QTimer.singleShot(0, lambda: self.tab_builder.on_tab_changed(
            self.tabs.currentIndex()))

    def _resume_transcription_queue(self) -> None:
        """The queue's modules (~25 ms of imports) load in a worker thread; the queue is
        then built and resumed on the GUI thread. Imported there, they held up the
        just-shown window's first idle turn."""
        import importlib

        async def resume() -> None:
            await asyncio.to_thread(importlib.import_module,
                                    "app.ui.transcripts.queue_controller")
            self.transcription_queue.load()

        self.runner.start("startup.transcription_queue", resume)

    def _load_wire_models(self) -> None:
        """pydantic and the wire models (60-90 ms) load in a worker thread while the
        backend connects: imported by the first answer's parsing instead, on the event
        loop, they froze the just-shown window."""
        import importlib

        self.runner.start("startup.wire_models", lambda: asyncio.to_thread(
            importlib.import_module, "app.domain.wire"))

    def _on_backend_connecting(self) -> None:
        self.backend_badge.setText("Connecting…")

    def _on_backend_connected(self, mode: str) -> None:
        if mode == CLOUD:
            self.backend_badge.setText("ElevenLabs cloud")
            self.backend_badge.setToolTip("Using your ElevenLabs account (Settings to change)")
            self.speech_tab._controller.refresh_quota()
        else:
            self.backend_badge.setText("Offline voices")
            self.backend_badge.setToolTip("No API key: speech is made on this computer, free "
                                          "and private. Add a key in Settings for ElevenLabs "
                                          "voices.")
        self.speech_tab.load_catalog(offline=mode != CLOUD)
        if self.tab_builder.is_built("music"):
            self.music_tab.refresh_models()
        if self.tab_builder.is_built("scripts"):
            self.scripts_tab.refresh_catalog()

    def _on_client_retry(self, seconds: float, reason: str) -> None:
        message = f"{reason[:1].upper()}{reason[1:]}; trying again in {max(1, round(seconds))} s…"
        self.statusBar().showMessage(message, int(seconds * 1000) + 2000)

    def _on_runner_task_cancelled(self, name: str) -> None:
        if name == "transcripts.fetch" and self.tab_builder.is_built("transcripts"):
            self.transcripts_tab.status.setText("Fetching stopped. Nothing was saved; press "
                                                "Fetch to try again.")

    def _on_runner_task_started(self, name: str) -> None:
        if name == "music.plan" and self.tab_builder.is_built("music"):
            self.music_tab.error_banner.hide()

    def _on_runner_task_finished(self, _name: str) -> None:
        if "trying again" in self.statusBar().currentMessage():
            self.statusBar().clearMessage()

    def _on_runner_task_failed(self, name: str, exc: object) -> None:
        """A task failed that no tab or panel reports (TaskRunner.reports): say what
        happened in the current tab's banner (the status bar on a tab without one), so
        no click ever seems to do nothing."""
        if self.runner.is_reported(name):
            return
        error = exc if isinstance(exc, BaseException) else Exception(str(exc))
        # No retry button: the banner's retry belongs to its tab's own work (Generate).
        message = replace(describe_error(error, kept=""), can_retry=False)
        banner = getattr(self.tabs.currentWidget(), "error_banner", None)
        if isinstance(banner, ErrorBanner):
            banner.show_message(message)
        else:
            self.statusBar().showMessage(message.as_text())

    def _on_backend_failed(self, exc: object) -> None:
        self.backend_badge.setText("Not connected")
        error = exc if isinstance(exc, BaseException) else Exception(str(exc))
        self.speech_tab.error_banner.show_message(describe_error(error))
        self._on_speech_ready(True)

    def _on_speech_ready(self, _ready: bool) -> None:
        if not self.is_ready:
            self.is_ready = True
            self.ready.emit()

    # -- the menus' dialogs (app/ui/main_menus.py) ----------------------------------
    def show_usage(self) -> QDialog:
        return self.menus.show_usage()

    def show_shortcuts(self) -> QDialog:
        return self.menus.show_shortcuts()

    def ask_open_paths(self) -> QFileDialog:
        return self.menus.ask_open_paths()

    def open_settings(self) -> SettingsDialog:
        return self.menus.open_settings()

    # -- history ---------------------------------------------------------------------
    def on_generation_saved(self, generation: Generation) -> None:
        """A tab saved something: History lists it."""
        self.history.refresh()

    def _on_history_reopen_requested(self, generation: Generation) -> None:
        if generation.kind == "music":
            self.tabs.setCurrentWidget(self.music_tab)
            self.music_tab.load_generation(generation)
        elif generation.kind == "transcript":
            self.tabs.setCurrentWidget(self.transcripts_tab)
            self.transcripts_tab.load_generation(generation)
        else:
            self.tabs.setCurrentWidget(self.speech_tab)
            self.speech_tab.load_generation(generation)

    def play_generation(self, generation: Generation) -> None:
        path = self._ctx.history.audio_path(generation)
        self.play_file(path, generation.title, generation.output_format)

    def banner_in_view(self) -> ErrorBanner:
        """The error banner of the tab on screen (playback is shared by every tab, so
        its errors are said where the user is looking)."""
        banner = getattr(self.tabs.currentWidget(), "error_banner", None)
        return banner if isinstance(banner, ErrorBanner) else self.speech_tab.error_banner

    def play_file(self, path: Path, title: str, output_format: str | None = None) -> None:
        self.file_playback.play(path, title, output_format)

    # -- files from the command line, File → Open and drops -------------------------
    def open_paths(self, paths: list[Path]) -> None:
        """Files from the command line or dropped on the window, each to the right tab
        (see app/ui/file_router.py)."""
        self.file_router.open_paths(paths)

    def receive_handed_over(self, paths: list[Path]) -> None:
        """Another launch of the app handed over its files: open them here, and come to
        the front (the user just asked for the app)."""
        if paths:
            self.open_paths(paths)
        self.showNormal() if self.isMinimized() else self.show()
        self.raise_()
        self.activateWindow()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.open_paths(paths)

    # -- shutdown --------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        # (only keys no widget took come here: Enter on a button, which Qt gives to
        # buttons only in dialogs)
        if press_focused_button(event):
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        for tab in (self.speech_tab, *self.tab_builder.built_tabs()):
            try:
                tab.flush_draft()
            except OSError:
                log.exception("could not save a draft on quit")
        self.window_state.save()
        try:
            self._ctx.save_settings()
        except OSError:
            log.exception("could not save settings on quit")
        queue = self.tab_builder.built_queue
        if queue is not None:  # running jobs are written as waiting
            queue.shutdown()
        self.runner.close()  # and nothing starts later (a tab's first reads from a timer)
        self.file_playback.stop_file_stream()
        self._ctx.player.stop()
        self.backend.shutdown()
        super().closeEvent(event)
