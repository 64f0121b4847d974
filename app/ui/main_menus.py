"""The main window's menu bar (File, Edit, View, Help) and the dialogs its commands open:
File → Open…, Settings (and what a saved change of key or output device sets going),
Usage and costs, Keyboard shortcuts and About.

The actions stay the window's children (not this object's: it is no QObject), so they
are found by objectName on the window as before. Each dialog's module is imported when
the dialog is first opened, not at start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoGroup, QUndoStack
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from app.ui.accessible_names import name_controls
from app.ui.app_context import AppContext
from app.ui.file_router import open_dialog_patterns
from app.ui.shortcuts import keys as shortcut_keys
from app.ui.tab_builder import TAB_TITLES, TABS

if TYPE_CHECKING:
    from app.ui.about_dialog import AboutDialog
    from app.ui.main_window import MainWindow
    from app.ui.settings_dialog import SettingsDialog



def with_mnemonic(title: str, taken: set[str]) -> str:
    """`title` with an Alt letter ("&") before its first letter not in `taken` (which
    gets it), or no Alt letter when all are taken."""
    for at, letter in enumerate(title):
        if letter.isalpha() and letter.lower() not in taken:
            taken.add(letter.lower())
            return f"{title[:at]}&{title[at:]}"
    return title

def edit_history_of(tab: QWidget) -> QUndoStack | None:
    """A tab's own undo history (`edit_history()`), if it keeps one. (Asked of the tab,
    not imported: the lazily built tabs' modules are not loaded at start-up.)"""
    edit_history = getattr(tab, "edit_history", None)
    return edit_history() if callable(edit_history) else None


class MainMenus:
    def __init__(self, window: MainWindow, ctx: AppContext) -> None:
        self._window = window
        self._ctx = ctx
        self._build()

    def _action(self, text: str, object_name: str | None = None,
                shortcut: str | None = None) -> QAction:
        action = QAction(text, self._window)
        if object_name is not None:
            action.setObjectName(object_name)
        if shortcut is not None:
            action.setShortcut(shortcut_keys(shortcut))
        return action

    def _follow_tab_history(self, index: int) -> None:
        """Edit > Undo and Redo follow the tab shown (built by then: the tab builder is
        told of the change first)."""
        stack = None
        if 0 <= index < len(TABS) and self._window.tab_builder.is_built(TABS[index]):
            stack = edit_history_of(self._window.tab_builder.tab(TABS[index]))
        if stack is not None and stack not in self.undo_group.stacks():
            self.undo_group.addStack(stack)
        # (None: no tab history, Undo and Redo off; the binding's type leaves None out.)
        self.undo_group.setActiveStack(stack)  # type: ignore[arg-type]

    def _build(self) -> None:
        window = self._window
        menu_bar = window.menuBar()

        file_menu = menu_bar.addMenu("&File")
        open_action = self._action("&Open…", "action.open", "open")
        open_action.triggered.connect(self.ask_open_paths)
        file_menu.addAction(open_action)
        # (Alt+F, C: "&Open script…" shared its O with "&Open…", so Alt+F, O stopped at
        # the first and waited for a second O.)
        open_script = self._action("Open s&cript…", "action.open_script", "open_script")
        # Through the property: the Scripts tab is built only when this is chosen.
        open_script.triggered.connect(lambda: window.scripts_tab.ask_open())
        file_menu.addAction(open_script)
        save = self._action("&Save audio as…", shortcut="save")
        save.triggered.connect(window.speech_tab._on_save_clicked)
        file_menu.addAction(save)
        file_menu.addSeparator()
        quit_action = self._action("&Quit", shortcut="quit")
        quit_action.triggered.connect(window.close)
        file_menu.addAction(quit_action)

        edit_menu = menu_bar.addMenu("&Edit")
        # Undo and Redo of the open tab's own history (a script's, a transcript's, the
        # music plan's), named by the step they undo; on Speech, whose text box has its
        # own, they are off. Their keys are shown here but act through each tab's own
        # shortcuts (and a text field's own undo while one is being typed in): the same
        # keys on the window too would be ambiguous, and neither would act.
        self.undo_group = QUndoGroup(window)
        for make, text, object_name, key in (
                (self.undo_group.createUndoAction, "&Undo", "action.undo",
                 QKeySequence.StandardKey.Undo),
                (self.undo_group.createRedoAction, "&Redo", "action.redo",
                 QKeySequence.StandardKey.Redo)):
            action = make(window, text)
            action.setObjectName(object_name)
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            edit_menu.addAction(action)
        edit_menu.addSeparator()
        window.tabs.currentChanged.connect(self._follow_tab_history)
        settings = self._action("&Settings…", "action.settings", "settings")
        settings.triggered.connect(self.open_settings)
        edit_menu.addAction(settings)

        view_menu = menu_bar.addMenu("&View")
        history_action = window.history_dock.toggleViewAction()  # shown/hidden is saved
        history_action.setObjectName("action.history")  # with the window's layout
        history_action.setShortcut(shortcut_keys("history"))
        view_menu.addAction(history_action)
        usage_action = self._action("&Usage and costs…", "action.usage", "usage")
        usage_action.triggered.connect(self.show_usage)
        view_menu.addAction(usage_action)
        view_menu.addSeparator()
        # Each entry its own Alt letter: Speech and Scripts both took S, so Alt+V, S
        # stopped at Speech and waited for a second S.
        taken = {"u"}  # &Usage and costs…
        for name in TABS:
            go = self._action(with_mnemonic(TAB_TITLES[name], taken), f"action.tab_{name}",
                              f"tab_{name}")
            go.triggered.connect(lambda _c=False, n=name: window.show_tab(n))
            view_menu.addAction(go)

        help_menu = menu_bar.addMenu("&Help")
        keys_action = self._action("&Keyboard shortcuts", "action.shortcuts", "shortcuts")
        keys_action.triggered.connect(self.show_shortcuts)
        help_menu.addAction(keys_action)
        about = self._action("&About XI Studio")
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    # -- the dialogs -----------------------------------------------------------------
    def show_usage(self) -> QDialog:
        from app.ui.usage.usage_window import show_usage_window

        return show_usage_window(self._window, self._ctx, self._window.runner)

    def show_shortcuts(self) -> QDialog:
        from app.ui.shortcuts import ShortcutsDialog

        dialog = ShortcutsDialog(self._window)
        dialog.open()
        return dialog

    def ask_open_paths(self) -> QFileDialog:
        """File → Open…: the chosen files go where the command line's would."""
        from app.ui.widgets.file_dialogs import ask_open_paths

        window = self._window
        patterns = open_dialog_patterns()
        return ask_open_paths(window, "main.open_dialog", "Open", [
            f"Text, audio, transcripts, plans and scripts ({patterns})", "All files (*)"],
            lambda files: window.open_paths([Path(f) for f in files]))

    def open_settings(self) -> SettingsDialog:
        from app.ui.settings_dialog import SettingsDialog

        window = self._window
        dialog = SettingsDialog(self._ctx, window.runner, window)
        dialog.key_changed.connect(self._on_key_changed)
        dialog.settings_saved.connect(self._on_settings_saved)
        name_controls(dialog)
        # A voice installed or removed in Settings > Offline models: list the voices again.
        dialog.models_changed.connect(
            lambda: window.speech_tab.load_catalog(getattr(window.speech_tab, "_offline",
                                                           False)))
        dialog.open()  # not exec(): no nested event loop under qasync
        return dialog

    def show_about(self) -> AboutDialog:
        from app.ui.about_dialog import AboutDialog

        dialog = AboutDialog(self._ctx.paths, self._window)
        name_controls(dialog)
        dialog.open()
        return dialog

    # -- what a saved Settings change sets going -------------------------------------
    def _on_key_changed(self) -> None:
        # A new key or server: work in flight belongs to the old one.
        window = self._window
        for task in ("speech.generate", "transcripts.transcribe", "music.compose"):
            window.runner.cancel(task)
        if window.tab_builder.is_built("scripts"):  # its queue stops, keeping the takes made
            window.scripts_tab.generation.stop_for_new_key()
        window.backend.connect_backend()

    def _on_settings_saved(self) -> None:
        self._ctx.player.device = self._ctx.settings.output_device
