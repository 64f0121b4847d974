"""Every keyboard shortcut of the app, in one list: the menus take their keys from it,
Help → Keyboard shortcuts shows it, and a test checks that each key bound anywhere in
the window is listed here (so the map cannot drift from what the keys do)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True)
class Shortcut:
    keys: str  # portable text, as QKeySequence reads it ("Ctrl+O")
    what: str
    where: str = "Everywhere"
    bound: bool = True  # False: a key a widget handles itself (no QShortcut/QAction)


SHORTCUTS: dict[str, Shortcut] = {
    "open": Shortcut("Ctrl+O", "Open a text, audio, transcript or music-plan file"),
    "open_script": Shortcut("Ctrl+Shift+O", "Open or import a script (Scripts tab)"),
    "save": Shortcut("Ctrl+S", "Save the last generated speech as a file"),
    "quit": Shortcut("Ctrl+Q", "Quit"),
    "settings": Shortcut("Ctrl+,", "Settings (API key, sound output, defaults)"),
    "history": Shortcut("Ctrl+Shift+H", "Show or hide the History panel"),
    "usage": Shortcut("Ctrl+Shift+U", "Usage and costs (what each operation cost)"),
    "tab_speech": Shortcut("Ctrl+1", "Go to the Speech tab"),
    "tab_transcripts": Shortcut("Ctrl+2", "Go to the Transcripts tab"),
    "tab_music": Shortcut("Ctrl+3", "Go to the Music tab"),
    "tab_scripts": Shortcut("Ctrl+4", "Go to the Scripts tab"),
    "shortcuts": Shortcut("F1", "This list of keyboard shortcuts"),
    "generate": Shortcut("Ctrl+Return", "Generate speech / compose music / make the new take "
                         "/ transcribe a link / rework the plan",
                         "Speech, Music, Make a new take, From a link, Rework"),
    "generate_enter": Shortcut("Ctrl+Enter", "The same, with the keypad's Enter",
                               "Speech, Music, Make a new take, From a link, Rework"),
    "play": Shortcut("Space", "Play or pause", "Player bar"),
    "undo": Shortcut("Ctrl+Z", "Undo an edit", "Transcripts, Music plan"),
    "redo": Shortcut("Ctrl+Shift+Z", "Redo", "Transcripts, Music plan"),
    "redo_y": Shortcut("Ctrl+Y", "Redo", "Transcripts, Music plan"),
    "find": Shortcut("Ctrl+F", "Find in the transcript", "Transcripts"),
    "find_back": Shortcut("Shift+Return", "Previous match", "Transcripts search box"),
    "jump": Shortcut("J / L", "Jump 5 s back / ahead", "Transcript text", bound=False),
    # Review playback (app/ui/transcripts/review.py binds these by name).
    "review_slower": Shortcut("Ctrl+Shift+Down", "Play slower (down to 0.5x)", "Transcripts"),
    "review_faster": Shortcut("Ctrl+Shift+Up", "Play faster (up to 2x)", "Transcripts"),
    "review_loop": Shortcut("Ctrl+Shift+L", "Loop the current sentence (again: stop)",
                            "Transcripts"),
    "review_next_flag": Shortcut("F8", "Next doubtful (flagged) word", "Transcripts"),
    "review_prev_flag": Shortcut("Shift+F8", "Previous doubtful (flagged) word",
                                 "Transcripts"),
    "review_back": Shortcut("Alt+Left", "Skip 5 s back", "Transcripts"),
    "review_forward": Shortcut("Alt+Right", "Skip 5 s ahead", "Transcripts"),
    "review_follow": Shortcut("Ctrl+Shift+F", "Follow the playing word, or leave the view "
                              "where it is", "Transcripts"),
    "record": Shortcut("Ctrl+R", "Record from the microphone, then transcribe it",
                       "Transcripts"),
    "queue_remove": Shortcut("Del", "Remove the chosen recordings from the queue",
                             "Transcripts queue"),
    # The waveform strip under the transcript (app/ui/transcripts/strip_editing.py).
    "nudge_start_earlier": Shortcut("Ctrl+Alt+Left", "Move the selected word's start "
                                    "20 ms earlier", "Transcripts"),
    "nudge_start_later": Shortcut("Ctrl+Alt+Right", "Move the selected word's start "
                                  "20 ms later", "Transcripts"),
    "nudge_end_earlier": Shortcut("Ctrl+Alt+Shift+Left", "Move the selected word's end "
                                  "20 ms earlier", "Transcripts"),
    "nudge_end_later": Shortcut("Ctrl+Alt+Shift+Right", "Move the selected word's end "
                                "20 ms later", "Transcripts"),
    "add_section": Shortcut("Ctrl+N", "Add a section", "Music plan"),
    "duplicate_section": Shortcut("Ctrl+D", "Duplicate the section", "Music plan"),
    "move_up": Shortcut("Alt+Up", "Move the section earlier", "Music sections"),
    "move_down": Shortcut("Alt+Down", "Move the section later", "Music sections"),
    "delete_section": Shortcut("Del", "Delete the section", "Music sections"),
    "history_play": Shortcut("Enter", "Play the chosen entry", "History", bound=False),
    "history_delete": Shortcut("Del", "Delete the chosen entry (asks first)", "History",
                               bound=False),
    "next_field": Shortcut("Tab / Shift+Tab", "Next / previous control (text boxes too: "
                           "they take no tab characters)", bound=False),
    "next_tab": Shortcut("Ctrl+Tab", "Next tab (in a tab bar)", bound=False),
}


def keys(name: str) -> QKeySequence:
    return QKeySequence(SHORTCUTS[name].keys)


def portable(sequence: QKeySequence) -> str:
    return sequence.toString(QKeySequence.SequenceFormat.PortableText)


def bound_keys() -> set[str]:
    """The registered keys a QShortcut or QAction binds, as portable text."""
    return {portable(QKeySequence(s.keys)) for s in SHORTCUTS.values() if s.bound}


class ShortcutsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcuts.dialog")
        self.setWindowTitle("Keyboard shortcuts")
        table = QTableWidget(len(SHORTCUTS), 3, self)
        table.setObjectName("shortcuts.table")
        table.setAccessibleName("Keyboard shortcuts")
        table.setAccessibleDescription("Each key, what it does and where it works")
        table.setHorizontalHeaderLabels(["Keys", "What it does", "Where"])
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setTabKeyNavigation(False)
        for row, shortcut in enumerate(SHORTCUTS.values()):
            shown = QKeySequence(shortcut.keys).toString(
                QKeySequence.SequenceFormat.NativeText) if shortcut.bound else shortcut.keys
            for column, text in enumerate((shown, shortcut.what, shortcut.where)):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                table.setItem(row, column, item)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.resize(640, 480)
