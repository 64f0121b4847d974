"""The main window: composes the tabs (built on demand), the History panel, the player
bar, the status bar and its backend badge, and the menus. Its other jobs have their own
modules: playing saved files (file_playback.py), sending opened or dropped files to the
right tab (file_router.py), and the window's saved place and layout (window_state.py).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent
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
from app.ui.file_router import FileRouter, open_dialog_patterns
from app.ui.history.history_panel import HistoryPanel
from app.ui.keyboard import focus_main_field, tab_moves_on
from app.ui.qt_async import TaskRunner
from app.ui.shortcuts import keys as shortcut_keys
from app.ui.speech.speech_tab import SpeechTab
from app.ui.widgets.elided_label import ElidedLabel
from app.ui.widgets.error_banner import ErrorBanner
from app.ui.widgets.notice_banner import NoticeBanner
from app.ui.widgets.player_bar import PlayerBar
from app.ui.window_state import WindowState

if TYPE_CHECKING:
    from app.ui.about_dialog import AboutDialog
    from app.ui.music.music_tab import MusicTab
    from app.ui.scripts.scripts_tab import ScriptsTab
    from app.ui.settings_dialog import SettingsDialog
    from app.ui.transcripts.queue_controller import QueueController
    from app.ui.transcripts.transcripts_tab import TranscriptsTab

log = logging.getLogger(__name__)

TABS = ("speech", "transcripts", "music", "scripts")
TAB_TITLES = {"speech": "Speech", "transcripts": "Transcripts", "music": "Music",
              "scripts": "Scripts"}
# Built when first shown or used: their modules and widgets would add ~80 ms before the
# window appears (and building them later, unasked, would freeze it for as long).
LAZY_TABS = ("transcripts", "music", "scripts")


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
        self._transcription_queue: QueueController | None = None  # built after showing

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("main.tabs")
        self.speech_tab = SpeechTab(ctx, self.runner, self.player_bar, self)
        self.tabs.addTab(self.speech_tab, TAB_TITLES["speech"])
        self._lazy_tabs: dict[str, TranscriptsTab | MusicTab | ScriptsTab] = {}  # the built ones
        for name in LAZY_TABS:
            placeholder = QWidget(self)
            placeholder.setObjectName(f"{name}.placeholder")
            self.tabs.addTab(placeholder, TAB_TITLES[name])
        self.tabs.currentChanged.connect(self._on_tab_changed)
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
        self.usage_label = ElidedLabel("", self)  # never widens the window
        self.usage_label.setObjectName("status.usage")
        self.statusBar().addWidget(self.usage_label, 1)
        self.statusBar().addPermanentWidget(self.backend_badge)
        # Retries happen inside the service layer; say so, so a wait is never silent.
        ctx.client.on_retry = self._on_client_retry

        self._build_menus()
        tab_moves_on(self)
        name_controls(self)
        self.backend.connecting.connect(self._on_backend_connecting)
        self.backend.connected.connect(self._on_backend_connected)
        self.backend.failed.connect(self._on_backend_failed)
        self.speech_tab.ready_changed.connect(self._on_speech_ready)
        self.speech_tab.generation_saved.connect(self._on_generation_saved)
        # An old error is stale once a new plan is being written (as Compose hides it).
        self.runner.task_started.connect(self._on_runner_task_started)
        self.runner.task_cancelled.connect(self._on_runner_task_cancelled)
        # A retry notice is stale once the task it was about has ended.
        self.runner.task_finished.connect(self._on_runner_task_finished)
        self.history.play_requested.connect(self.play_generation)
        self.history.reopen_requested.connect(self._on_history_reopen_requested)
        self.history.usage_changed.connect(self.usage_label.setText)
        self.window_state.restore_geometry()

    # -- the tabs built on demand ------------------------------------------------------
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
        """The transcription queue lives here, not in the (lazily built) Transcripts tab:
        it resumes when the app starts, whether or not that tab is ever shown. Built on
        first use (start() loads it just after the window shows)."""
        if self._transcription_queue is None:
            from app.ui.transcripts.queue_controller import QueueController

            queue = QueueController(self._ctx, self.runner, self)
            self.backend.connecting.connect(queue.on_connecting)
            self.backend.connected.connect(queue.on_connected)
            queue.job_done.connect(lambda _job: self.history.refresh())
            if self.backend.mode is not None:  # connected already: it missed the signal
                queue.on_connected(self.backend.mode)
            self._transcription_queue = queue
        return self._transcription_queue

    @property
    def all_tabs_built(self) -> bool:
        return all(name in self._lazy_tabs for name in LAZY_TABS)

    def tab(self, name: str) -> QWidget:
        """The tab called `name`, built now if it was not yet."""
        if name == "speech":
            return self.speech_tab
        return self._lazy_tabs.get(name) or self._build_tab(name)

    def build_all_tabs(self) -> None:
        for name in LAZY_TABS:
            self.tab(name)

    def _on_tab_changed(self, index: int) -> None:
        if 0 <= index < len(TABS) and TABS[index] in LAZY_TABS:
            self.tab(TABS[index])
        if 0 <= index < len(TABS):  # start in the tab's main field, not the Volume slider
            focus_main_field(self.tab(TABS[index]), TABS[index])

    def _build_tab(self, name: str) -> QWidget:
        tab: TranscriptsTab | MusicTab | ScriptsTab
        if name == "transcripts":
            from app.ui.transcripts.transcripts_tab import TranscriptsTab

            transcripts = TranscriptsTab(self._ctx, self.runner, self.player_bar, self,
                                         self.transcription_queue)
            transcripts.generation_saved.connect(self._on_generation_saved)
            # The tab shows Cancel while fetching too: make it stop the fetch.
            transcripts.source.cancel_requested.connect(self._on_transcripts_cancel)
            tab = transcripts
        elif name == "music":
            from app.ui.music.music_tab import MusicTab

            music = MusicTab(self._ctx, self.runner, self.player_bar, self)
            music.generation_saved.connect(self._on_generation_saved)
            # What was typed is on disk once Compose is pressed, not only after the
            # autosave delay: a crash during a (long) composition must not lose it.
            music.controller.compose_started.connect(self._on_music_compose_started)
            if self.backend.mode is not None:  # connected already: it missed the signal
                music.refresh_models()
            tab = music
        elif name == "scripts":
            from app.ui.scripts.scripts_tab import ScriptsTab

            tab = ScriptsTab(self._ctx, self.runner, self.player_bar, self)
            tab.generation_saved.connect(self._on_generation_saved)
            # The queue's modules (~200 ms of imports) load in a worker thread now, not on
            # the event loop when "Generate all missing" is first pressed (benchmark 10b);
            # so does PyAV (~200 ms), which the first take's decoding imported mid-queue,
            # holding the interpreter in its C start-up (a 50-60 ms stall of the window).
            self._preload("scripts.preload", "app.services.script_queue",
                          "app.services.script_render", "av")
            if self.backend.mode is not None:  # connected already: it missed the signal
                tab.refresh_catalog()
        else:
            raise ValueError(f"no tab called {name!r}")
        self._lazy_tabs[name] = tab
        tab_moves_on(tab)
        name_controls(tab)
        # Swap the placeholder for the tab without the tab bar announcing a change.
        index = TABS.index(name)
        placeholder = self.tabs.widget(index)
        current = self.tabs.currentIndex()
        was_blocked = self.tabs.blockSignals(True)
        try:
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, tab, TAB_TITLES[name])
            self.tabs.setCurrentIndex(current)
        finally:
            self.tabs.blockSignals(was_blocked)
        if placeholder is not None:
            placeholder.deleteLater()
        if self.window_state.layouts_restored:
            self.window_state.restore_splitters(tab)
        return tab

    # -- start-up --------------------------------------------------------------------
    def start(self) -> None:
        """Connect after the window is shown, so start-up never waits on the network."""
        QTimer.singleShot(0, self._load_wire_models)
        QTimer.singleShot(0, self.window_state.restore_layouts)
        QTimer.singleShot(0, self.backend.connect_backend)
        QTimer.singleShot(0, self._resume_transcription_queue)
        QTimer.singleShot(0, self.history.refresh)
        QTimer.singleShot(0, lambda: self._on_tab_changed(self.tabs.currentIndex()))

    def _preload(self, task: str, *modules: str) -> None:
        """Import `modules` in a worker thread (the GUI thread keeps its turns)."""
        import importlib

        def load() -> None:
            for module in modules:
                importlib.import_module(module)

        self.runner.start(task, lambda: asyncio.to_thread(load))

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
        if "music" in self._lazy_tabs:
            self.music_tab.refresh_models()
        if "scripts" in self._lazy_tabs:
            self.scripts_tab.refresh_catalog()

    def _on_client_retry(self, seconds: float, reason: str) -> None:
        message = f"{reason[:1].upper()}{reason[1:]}; trying again in {max(1, round(seconds))} s…"
        self.statusBar().showMessage(message, int(seconds * 1000) + 2000)

    def _on_music_compose_started(self, _endpoint: str) -> None:
        try:
            self.music_tab.flush_draft()
        except OSError:
            log.warning("could not save the music draft before composing", exc_info=True)

    def _on_transcripts_cancel(self) -> None:
        self.runner.cancel("transcripts.fetch")

    def _on_runner_task_cancelled(self, name: str) -> None:
        if name == "transcripts.fetch" and "transcripts" in self._lazy_tabs:
            self.transcripts_tab.status.setText("Fetching stopped. Nothing was saved; press "
                                                "Fetch to try again.")

    def _on_runner_task_started(self, name: str) -> None:
        if name == "music.plan" and "music" in self._lazy_tabs:
            self.music_tab.error_banner.hide()

    def _on_runner_task_finished(self, _name: str) -> None:
        if "trying again" in self.statusBar().currentMessage():
            self.statusBar().clearMessage()

    def _on_backend_failed(self, exc: object) -> None:
        self.backend_badge.setText("Not connected")
        error = exc if isinstance(exc, BaseException) else Exception(str(exc))
        self.speech_tab.error_banner.show_message(describe_error(error))
        self._on_speech_ready(True)

    def _on_speech_ready(self, _ready: bool) -> None:
        if not self.is_ready:
            self.is_ready = True
            self.ready.emit()

    # -- menus -----------------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        open_action = QAction("&Open…", self)
        open_action.setObjectName("action.open")
        open_action.setShortcut(shortcut_keys("open"))
        open_action.triggered.connect(self.ask_open_paths)
        file_menu.addAction(open_action)
        open_script = QAction("&Open script…", self)
        open_script.setObjectName("action.open_script")
        open_script.setShortcut(shortcut_keys("open_script"))
        open_script.triggered.connect(lambda: self.scripts_tab.ask_open())
        file_menu.addAction(open_script)
        save = QAction("&Save audio as…", self)
        save.setShortcut(shortcut_keys("save"))
        save.triggered.connect(self.speech_tab._on_save_clicked)
        file_menu.addAction(save)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(shortcut_keys("quit"))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        edit_menu = self.menuBar().addMenu("&Edit")
        settings = QAction("&Settings…", self)
        settings.setObjectName("action.settings")
        settings.setShortcut(shortcut_keys("settings"))
        settings.triggered.connect(self.open_settings)
        edit_menu.addAction(settings)
        view_menu = self.menuBar().addMenu("&View")
        history_action = self.history_dock.toggleViewAction()  # shown/hidden is saved
        history_action.setObjectName("action.history")  # with the window's layout
        history_action.setShortcut(shortcut_keys("history"))
        view_menu.addAction(history_action)
        usage_action = QAction("&Usage and costs…", self)
        usage_action.setObjectName("action.usage")
        usage_action.setShortcut(shortcut_keys("usage"))
        usage_action.triggered.connect(self.show_usage)
        view_menu.addAction(usage_action)
        view_menu.addSeparator()
        for name in TABS:
            go = QAction(f"&{TAB_TITLES[name]}", self)
            go.setObjectName(f"action.tab_{name}")
            go.setShortcut(shortcut_keys(f"tab_{name}"))
            go.triggered.connect(lambda _c=False, n=name: self.show_tab(n))
            view_menu.addAction(go)
        help_menu = self.menuBar().addMenu("&Help")
        keys_action = QAction("&Keyboard shortcuts", self)
        keys_action.setObjectName("action.shortcuts")
        keys_action.setShortcut(shortcut_keys("shortcuts"))
        keys_action.triggered.connect(self.show_shortcuts)
        help_menu.addAction(keys_action)
        about = QAction("&About XI Studio", self)
        about.triggered.connect(self._show_about)
        help_menu.addAction(about)

    def show_usage(self) -> QDialog:
        from app.ui.usage.usage_window import show_usage_window

        return show_usage_window(self, self._ctx, self.runner)

    def show_shortcuts(self) -> QDialog:
        from app.ui.shortcuts import ShortcutsDialog

        dialog = ShortcutsDialog(self)
        dialog.open()
        return dialog

    def ask_open_paths(self) -> QFileDialog:
        """File → Open…: the chosen files go where the command line's would."""
        from app.ui.widgets.file_dialogs import ask_open_paths

        patterns = open_dialog_patterns()
        return ask_open_paths(self, "main.open_dialog", "Open", [
            f"Text, audio, transcripts, plans and scripts ({patterns})", "All files (*)"],
            lambda files: self.open_paths([Path(f) for f in files]))

    def open_settings(self) -> SettingsDialog:
        from app.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self._ctx, self.runner, self)
        dialog.key_changed.connect(self._on_key_changed)
        dialog.settings_saved.connect(self._on_settings_saved)
        name_controls(dialog)
        # A voice installed or removed in Settings > Offline models: list the voices again.
        dialog.models_changed.connect(
            lambda: self.speech_tab.load_catalog(getattr(self.speech_tab, "_offline", False)))
        dialog.open()  # not exec(): no nested event loop under qasync
        return dialog

    def _on_key_changed(self) -> None:
        # A new key or server: work in flight belongs to the old one.
        for task in ("speech.generate", "transcripts.transcribe", "music.compose"):
            self.runner.cancel(task)
        if "scripts" in self._lazy_tabs:  # its queue stops, keeping the takes made
            self.scripts_tab.generation.stop_for_new_key()
        self.backend.connect_backend()

    def _on_settings_saved(self) -> None:
        self._ctx.player.device = self._ctx.settings.output_device

    def _show_about(self) -> AboutDialog:
        from app.ui.about_dialog import AboutDialog

        dialog = AboutDialog(self._ctx.paths, self)
        name_controls(dialog)
        dialog.open()
        return dialog

    # -- history ---------------------------------------------------------------------
    def _on_generation_saved(self, generation: Generation) -> None:
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

    def show_tab(self, name: str) -> None:
        if name in TABS:
            self.tabs.setCurrentIndex(TABS.index(name))

    # -- shutdown --------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        for tab in (self.speech_tab, *self._lazy_tabs.values()):
            try:
                tab.flush_draft()
            except OSError:
                log.exception("could not save a draft on quit")
        self.window_state.save()
        try:
            self._ctx.save_settings()
        except OSError:
            log.exception("could not save settings on quit")
        if self._transcription_queue is not None:  # running jobs are written as waiting
            self._transcription_queue.shutdown()
        self.runner.cancel_all()
        self.file_playback.stop_file_stream()
        self._ctx.player.stop()
        self.backend.shutdown()
        super().closeEvent(event)
