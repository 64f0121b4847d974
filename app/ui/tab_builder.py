"""Building the main window's Transcripts, Music and Scripts tabs on demand, and wiring
each one into the window (History, the backend, the shared runner) as it is built; also
the transcription queue, which is built on first use the same way.

The window starts with a placeholder in each of these tabs' places: their modules and
widgets would add ~80 ms before the window appears (and building them later, unasked,
would freeze it for as long). A tab is built when it is first shown or used.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, cast

from PySide6.QtWidgets import QWidget

from app.ui.accessible_names import name_controls
from app.ui.app_context import AppContext
from app.ui.keyboard import focus_main_field, tab_moves_on, tab_order_after

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow
    from app.ui.music.music_tab import MusicTab
    from app.ui.scripts.scripts_tab import ScriptsTab
    from app.ui.transcripts.queue_controller import QueueController
    from app.ui.transcripts.transcripts_tab import TranscriptsTab

log = logging.getLogger(__name__)

TABS = ("speech", "transcripts", "music", "scripts")
TAB_TITLES = {"speech": "Speech", "transcripts": "Transcripts", "music": "Music",
              "scripts": "Scripts"}
LAZY_TABS = ("transcripts", "music", "scripts")


class TabBuilder:
    def __init__(self, window: MainWindow, ctx: AppContext) -> None:
        self._window = window
        self._ctx = ctx
        self._built: dict[str, TranscriptsTab | MusicTab | ScriptsTab] = {}
        self._queue: QueueController | None = None  # built after showing

    def add_placeholders(self) -> None:
        """An empty page in each lazy tab's place, so the tab bar is whole from the start."""
        window = self._window
        for name in LAZY_TABS:
            placeholder = QWidget(window)
            placeholder.setObjectName(f"{name}.placeholder")
            window.tabs.addTab(placeholder, TAB_TITLES[name])

    # -- what is built ---------------------------------------------------------------
    def is_built(self, name: str) -> bool:
        return name in self._built

    @property
    def all_built(self) -> bool:
        return all(name in self._built for name in LAZY_TABS)

    def built_tabs(self) -> list[TranscriptsTab | MusicTab | ScriptsTab]:
        return list(self._built.values())

    @property
    def built_queue(self) -> QueueController | None:
        """The transcription queue if it was built (None: nothing to shut down)."""
        return self._queue

    # -- building --------------------------------------------------------------------
    def tab(self, name: str) -> QWidget:
        """The tab called `name`, built now if it was not yet."""
        if name == "speech":
            return self._window.speech_tab
        return self._built.get(name) or self._build(name)

    def build_all(self) -> None:
        for name in LAZY_TABS:
            self.tab(name)

    @property
    def transcription_queue(self) -> QueueController:
        """The transcription queue lives with the window, not in the (lazily built)
        Transcripts tab: it resumes when the app starts, whether or not that tab is ever
        shown. Built on first use (the window's start() loads it just after showing)."""
        if self._queue is None:
            from app.ui.transcripts.queue_controller import QueueController

            window = self._window
            queue = QueueController(self._ctx, window.runner, window)
            window.backend.connecting.connect(queue.on_connecting)
            window.backend.connected.connect(queue.on_connected)
            queue.job_done.connect(lambda _job: window.history.refresh())
            if window.backend.mode is not None:  # connected already: it missed the signal
                queue.on_connected(window.backend.mode)
            self._queue = queue
        return self._queue

    def on_tab_changed(self, index: int) -> None:
        if 0 <= index < len(TABS) and TABS[index] in LAZY_TABS:
            self.tab(TABS[index])
        if 0 <= index < len(TABS):  # start in the tab's main field, not the Volume slider
            focus_main_field(self.tab(TABS[index]), TABS[index])

    def _build(self, name: str) -> QWidget:
        tab: TranscriptsTab | MusicTab | ScriptsTab
        if name == "transcripts":
            tab = self._build_transcripts()
        elif name == "music":
            tab = self._build_music()
        elif name == "scripts":
            tab = self._build_scripts()
        else:
            raise ValueError(f"no tab called {name!r}")
        self._built[name] = tab
        tab_moves_on(tab)
        name_controls(tab)
        self._swap_in(name, tab)
        window_state = self._window.window_state
        if window_state.layouts_restored:  # built after start-up: its dividers now
            window_state.restore_splitters(tab)
        else:  # side by side, or stacked on a narrow screen (app/ui/narrow_screen.py)
            self._window.narrow_screen.fit()
        return tab

    def _swap_in(self, name: str, tab: QWidget) -> None:
        """Swap the placeholder for the tab without the tab bar announcing a change."""
        tabs = self._window.tabs
        index = TABS.index(name)
        placeholder = tabs.widget(index)
        current = tabs.currentIndex()
        was_blocked = tabs.blockSignals(True)
        try:
            tabs.removeTab(index)
            tabs.insertTab(index, tab, TAB_TITLES[name])
            tabs.setCurrentIndex(current)
        finally:
            tabs.blockSignals(was_blocked)
        if placeholder is not None:
            placeholder.deleteLater()
        tab_order_after(tabs.tabBar(), tab)  # not after History and the player

    # -- each tab and its wiring -----------------------------------------------------
    def _build_transcripts(self) -> TranscriptsTab:
        from app.ui.transcripts.transcripts_tab import TranscriptsTab

        window = self._window
        tab = TranscriptsTab(self._ctx, window.runner, window.player_bar, window,
                             self.transcription_queue)
        tab.generation_saved.connect(window.on_generation_saved)
        # The tab shows Cancel while fetching too: make it stop the fetch.
        tab.source.cancel_requested.connect(self._on_transcripts_cancel)
        return tab

    def _build_music(self) -> MusicTab:
        from app.ui.music.music_tab import MusicTab

        window = self._window
        tab = MusicTab(self._ctx, window.runner, window.player_bar, window)
        tab.generation_saved.connect(window.on_generation_saved)
        # What was typed is on disk once Compose is pressed, not only after the
        # autosave delay: a crash during a (long) composition must not lose it.
        tab.controller.compose_started.connect(self._on_music_compose_started)
        if window.backend.mode is not None:  # connected already: it missed the signal
            tab.refresh_models()
        return tab

    def _build_scripts(self) -> ScriptsTab:
        from app.ui.scripts.scripts_tab import ScriptsTab

        window = self._window
        tab = ScriptsTab(self._ctx, window.runner, window.player_bar, window)
        tab.generation_saved.connect(window.on_generation_saved)
        # The queue's modules (~200 ms of imports) load in a worker thread now, not on
        # the event loop when "Generate all missing" is first pressed (benchmark 10b);
        # so does PyAV (~200 ms), which the first take's decoding imported mid-queue,
        # holding the interpreter in its C start-up (a 50-60 ms stall of the window).
        self._preload("scripts.preload", "app.services.script_queue",
                      "app.services.script_render", "av")
        if window.backend.mode is not None:  # connected already: it missed the signal
            tab.refresh_catalog()
        return tab

    def _preload(self, task: str, *modules: str) -> None:
        """Import `modules` in a worker thread (the GUI thread keeps its turns)."""
        import importlib

        def load() -> None:
            for module in modules:
                importlib.import_module(module)

        self._window.runner.start(task, lambda: asyncio.to_thread(load))

    def _on_music_compose_started(self, _endpoint: str) -> None:
        try:
            cast("MusicTab", self.tab("music")).flush_draft()
        except OSError:
            log.warning("could not save the music draft before composing", exc_info=True)

    def _on_transcripts_cancel(self) -> None:
        self._window.runner.cancel("transcripts.fetch")
