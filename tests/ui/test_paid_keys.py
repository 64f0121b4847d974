"""Paid actions from the keyboard: a stray Enter never pays. Enter in a field, on a
choice or on a check box sets off no generation, alignment or take; only the button that
says so does, when the focus is on it (or its shortcut, where its label names one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWidget


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def press(qtbot: Any, key: Qt.Key,
          modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    widget = focused()
    assert widget is not None, "nothing has the keyboard focus"
    qtbot.keyClick(widget, key, modifier)


def shown(qtbot: Any, dialog: QWidget) -> None:
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)


# -- Transcripts → Align to a script --------------------------------------------------

def test_align_starts_on_the_script_choice_and_enter_there_aligns_nothing(
        qtbot: Any, tmp_path: Path) -> None:
    """With a transcript open, the focus started on Align (it may be paid): the first
    Enter aligned at once."""
    from app.ui.transcripts.align_script import AlignScriptDialog

    dialog = AlignScriptDialog(tmp_path / "interview.wav", has_transcript=True)
    aligned: list[bool] = []
    dialog.accepted.connect(lambda: aligned.append(True))
    shown(qtbot, dialog)
    assert dialog.align_button.isEnabled()
    assert focused() is dialog.use_transcript  # the script: what the user settles first
    assert not dialog.align_button.isDefault()  # (it does not look like what Enter does)
    press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    qtbot.wait(50)
    assert aligned == [] and dialog.isVisible()
    # Aimed at: the focus on Align, Enter aligns.
    dialog.align_button.setFocus()
    qtbot.waitUntil(lambda: focused() is dialog.align_button)
    press(qtbot, Qt.Key.Key_Return)
    assert aligned == [True]


def test_align_without_a_transcript_starts_on_the_file_choice(qtbot: Any,
                                                              tmp_path: Path) -> None:
    from app.ui.transcripts.align_script import AlignScriptDialog

    dialog = AlignScriptDialog(tmp_path / "interview.wav", has_transcript=False)
    aligned: list[bool] = []
    dialog.accepted.connect(lambda: aligned.append(True))
    shown(qtbot, dialog)
    assert focused() is dialog.use_file
    dialog.set_script_path(tmp_path / "script.txt")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.wait(50)
    assert aligned == [] and dialog.isVisible()


def test_align_without_a_recording_starts_on_choosing_it(qtbot: Any) -> None:
    """No recording chosen in the tab: the first thing to fill in is the top line, the
    recording (the focus started on the script choice below it)."""
    from app.ui.transcripts.align_script import AlignScriptDialog

    dialog = AlignScriptDialog(None, has_transcript=False)
    shown(qtbot, dialog)
    choose = dialog.findChild(QPushButton, "transcripts.align_choose_recording")
    assert focused() is choose
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is dialog.use_file  # then down the dialog


@pytest.mark.parametrize("backwards", [False, True], ids=["tab", "shift-tab"])
def test_align_looks_like_the_default_only_where_enter_aligns(qtbot: Any, tmp_path: Path,
                                                             backwards: bool) -> None:
    """After a Tab round, the focus back on the script choice, Align wore the default
    frame again (Qt gave it back when the focus left another push button), telling the
    user Enter would align, where Enter did nothing. Now it wears it only while it has
    the focus, the one place Enter aligns."""
    from app.ui.transcripts.align_script import AlignScriptDialog

    dialog = AlignScriptDialog(tmp_path / "interview.wav", has_transcript=True)
    aligned: list[bool] = []
    dialog.accepted.connect(lambda: aligned.append(True))
    shown(qtbot, dialog)
    align = dialog.align_button
    modifier = (Qt.KeyboardModifier.ShiftModifier if backwards
                else Qt.KeyboardModifier.NoModifier)
    seen: list[str] = []
    for _ in range(12):  # twice round the dialog
        press(qtbot, Qt.Key.Key_Backtab if backwards else Qt.Key.Key_Tab, modifier)
        here = focused()
        assert here is not None
        seen.append(here.objectName())
        assert not align.autoDefault()
        assert align.isDefault() == (here is align), seen
    assert seen.count("transcripts.align_start") >= 2
    # Back on the script choice after the rounds: nothing looks like the default and
    # Enter aligns nothing.
    dialog.use_transcript.setFocus()
    qtbot.waitUntil(lambda: focused() is dialog.use_transcript)
    assert not align.isDefault()
    press(qtbot, Qt.Key.Key_Return)
    qtbot.wait(50)
    assert aligned == [] and dialog.isVisible()
    while focused() is not align:
        press(qtbot, Qt.Key.Key_Tab)
    assert align.isDefault()
    press(qtbot, Qt.Key.Key_Return)
    assert aligned == [True]


# -- Scripts → Make a new take --------------------------------------------------------

def regenerate_dialog(qtbot: Any) -> tuple[Any, list[list[str]]]:
    from app.ui.scripts.regenerate_dialog import Neighbour, RegenerateDialog

    made: list[list[str]] = []
    dialog = RegenerateDialog("block 2", 120, [Neighbour("b1", "block 1 · ANNA: Hello", 80),
                                               Neighbour("b3", "block 3 · ANNA: Bye", 60)],
                              made.append)
    shown(qtbot, dialog)
    return dialog, made


def test_enter_on_a_neighbours_box_makes_no_take(qtbot: Any) -> None:
    """Make new take was the default: Enter on a neighbour's box paid for the take."""
    from PySide6.QtWidgets import QCheckBox

    dialog, made = regenerate_dialog(qtbot)
    first = dialog.findChild(QCheckBox, "scripts.regenerate_neighbour_0")
    first.setFocus()
    qtbot.waitUntil(lambda: focused() is first)
    press(qtbot, Qt.Key.Key_Space)  # ticks it, as ever
    assert first.isChecked()
    press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    qtbot.wait(50)
    assert made == [] and dialog.isVisible()
    # Ctrl+Enter, as the button says, makes it (with the neighbour ticked).
    assert "Ctrl+Enter" in dialog.go_button.text()
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert made == [["b1"]]


def test_enter_on_make_new_take_makes_it(qtbot: Any) -> None:
    """Aimed at, the button takes Enter (and Space) like any other."""
    dialog, made = regenerate_dialog(qtbot)
    dialog.go_button.setFocus()
    qtbot.waitUntil(lambda: focused() is dialog.go_button)
    press(qtbot, Qt.Key.Key_Return)
    assert made == [[]]


# -- Pronunciation dictionaries: the name field ---------------------------------------

def test_enter_in_the_name_field_renames_the_chosen_dictionary(launch, cloud, qtbot) -> None:
    """Enter in the name field always meant New: renaming the chosen dictionary from
    the keyboard made a copy of it under the new name instead."""
    from tests.ui.test_pronunciation import open_dialog

    studio = launch(cloud_url=cloud.url)
    dialog = open_dialog(qtbot, studio)
    dialog.name.setFocus()
    qtbot.waitUntil(lambda: focused() is dialog.name)
    qtbot.keyClicks(dialog.name, "Brand names")
    press(qtbot, Qt.Key.Key_Return)  # nothing chosen: a new dictionary
    qtbot.waitUntil(lambda: dialog.current is not None and dialog.refresh_button.isEnabled(),
                    timeout=10_000)
    assert dialog.name.text() == "Brand names"
    dialog.name.setFocus()
    qtbot.waitUntil(lambda: focused() is dialog.name)
    dialog.name.selectAll()
    qtbot.keyClicks(dialog.name, "Brands")
    press(qtbot, Qt.Key.Key_Return)  # the chosen one's name, changed: a rename
    qtbot.waitUntil(lambda: dialog.current is not None and dialog.current.name == "Brands"
                    and dialog.refresh_button.isEnabled(), timeout=10_000)
    assert [d.name for d in dialog.list_model.items] == ["Brands"]
    creates = [r for r in cloud.control.requests()
               if r["method"] == "POST" and "pronunciation-dictionaries" in r["path"]
               and "rename" not in r["path"]]
    assert len(creates) == 1, creates


# -- Pronunciation rule editor: the preview -------------------------------------------

def test_a_failed_preview_is_said_in_the_rule_editor(launch, cloud, qtbot) -> None:
    """A failed "Hear it" was said on the Pronunciation window, behind the modal rule
    editor: the user, in the editor, saw nothing happen."""
    from app.ui.speech.rule_editor import RuleEditor
    from tests.ui.test_pronunciation import click, make_dictionary, open_dialog

    studio = launch(cloud_url=cloud.url)
    qtbot.waitUntil(lambda: studio.window.speech_tab.current_voice() is not None,
                    timeout=20_000)
    dialog = open_dialog(qtbot, studio)
    make_dictionary(qtbot, dialog, "Names")
    click(qtbot, dialog.add_rule_button)
    editor = dialog.findChild(RuleEditor, "rule_editor")
    qtbot.keyClicks(editor.word, "Siobhan")
    qtbot.keyClicks(editor.replacement, "shiv awn")
    cloud.control.add_faults({"path_regex": "^/v1/text-to-speech/", "fault": "400"})
    click(qtbot, editor.preview_without)
    qtbot.waitUntil(lambda: editor.error.isVisible() and bool(editor.error.text()),
                    timeout=20_000)
    assert editor.isVisible()
    # The next preview that works says so in the editor too, and the problem goes.
    click(qtbot, editor.preview_without)
    qtbot.waitUntil(lambda: "as now" in editor.preview_status.text(), timeout=20_000)
    assert editor.preview_status.isVisible() and not editor.error.isVisible()


# -- Settings → API key: Escape while the key is written ------------------------------

def test_escape_while_the_key_is_written_tells_the_app(launch, cloud, qtbot,
                                                       memory_keyring, monkeypatch) -> None:
    """Escape while the keychain was being written: the write went on in its thread and
    saved the key, but the app was never told, and went on without it."""
    import threading

    from tests.support.cloud_server import CREATOR_KEY

    writing, go_on = threading.Event(), threading.Event()
    store = memory_keyring.set_password

    def slow_keychain(service: str, username: str, password: str) -> None:
        writing.set()
        go_on.wait(30)  # the keychain is slow (a password prompt, say)
        store(service, username, password)

    monkeypatch.setattr(memory_keyring, "set_password", slow_keychain)
    studio = launch(cloud_url=cloud.url, key=None)
    dialog = studio.window.open_settings()
    told: list[bool] = []
    dialog.key_changed.connect(lambda: told.append(True))
    qtbot.waitUntil(dialog.isActiveWindow)
    assert focused() is dialog.api_key
    qtbot.keyClicks(dialog.api_key, CREATOR_KEY)
    press(qtbot, Qt.Key.Key_Return)  # checks the key, then writes it
    qtbot.waitUntil(writing.is_set, timeout=10_000)
    press(qtbot, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    go_on.set()
    qtbot.waitUntil(lambda: list(memory_keyring.passwords.values()) == [CREATOR_KEY],
                    timeout=10_000)
    qtbot.waitUntil(lambda: told == [True], timeout=10_000)  # the app knows the key stored
    assert studio.ctx.key_store.get() == CREATOR_KEY


# -- Transcripts → From a link… -------------------------------------------------------

def link_dialog(qtbot: Any) -> tuple[Any, list[str]]:
    from app.ui.transcripts.link_dialog import LinkDialog

    chosen: list[str] = []
    dialog = LinkDialog(True, chosen.append)
    shown(qtbot, dialog)
    return dialog, chosen


def test_enter_in_the_address_field_transcribes_nothing(qtbot: Any) -> None:
    """Enter in the address field (pressed after pasting) started the paid
    transcription: Transcribe was the dialog's default."""
    dialog, chosen = link_dialog(qtbot)
    assert focused() is dialog.url
    qtbot.keyClicks(dialog.url, "https://cdn.example.com/interview.mp3")
    assert dialog.transcribe.isEnabled() and not dialog.transcribe.isDefault()
    press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    qtbot.wait(50)
    assert chosen == [] and dialog.isVisible()
    # Ctrl+Enter, as the button says, transcribes.
    assert "Ctrl+Enter" in dialog.transcribe.text()
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert chosen == ["https://cdn.example.com/interview.mp3"]


def test_enter_on_transcribe_after_tab_transcribes(qtbot: Any) -> None:
    """Aimed at with Tab, the button takes Enter; Escape still closes without paying."""
    dialog, chosen = link_dialog(qtbot)
    qtbot.keyClicks(dialog.url, "https://cdn.example.com/interview.mp3")
    for _ in range(3):
        if focused() is dialog.transcribe:
            break
        press(qtbot, Qt.Key.Key_Tab)
    assert focused() is dialog.transcribe
    press(qtbot, Qt.Key.Key_Return)
    assert chosen == ["https://cdn.example.com/interview.mp3"]


def test_escape_in_the_link_dialog_pays_nothing(qtbot: Any) -> None:
    dialog, chosen = link_dialog(qtbot)
    qtbot.keyClicks(dialog.url, "https://cdn.example.com/interview.mp3")
    press(qtbot, Qt.Key.Key_Escape)
    assert chosen == [] and not dialog.isVisible()


# -- Music → Rework… ------------------------------------------------------------------

def test_enter_in_the_rework_field_asks_nothing(launch, cloud, qtbot) -> None:
    """Enter in the instruction field sent the (paid) rework at once, the focus nowhere
    near Rework. Now Enter there does nothing; Ctrl+Enter, as the button says, or Enter
    on Rework itself sends it."""
    from tests.ui.test_music_rework import PLAN

    studio = launch(cloud_url=cloud.url)
    studio.window.show_tab("music")
    tab = studio.window.music_tab
    tab.mode.setCurrentIndex(1)
    tab.editor.set_plan(PLAN, "test")
    studio.find(QPushButton, "music.rework").click()
    dialog = tab.producer.rework_dialog
    qtbot.waitUntil(lambda: focused() is dialog.instruction)

    def asked() -> int:
        return len([r for r in cloud.control.requests() if r["path"] == "/v1/music/plan"])

    qtbot.keyClicks(dialog.instruction, "make the chorus bigger")
    assert not dialog.send_button.isDefault()
    press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    qtbot.wait(500)  # (a request would have been sent by now)
    assert asked() == 0 and dialog.isVisible()
    assert "Ctrl+Enter" in dialog.send_button.text()
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.changes.count() == 2, timeout=20_000)
    assert asked() == 1
    # Aimed at with Tab, Rework takes Enter (and looks like it does).
    while focused() is not dialog.send_button:
        press(qtbot, Qt.Key.Key_Tab)
    assert dialog.send_button.isDefault()
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: asked() == 2, timeout=20_000)


# -- Speech and Music tabs: Generate and Compose --------------------------------------

def test_generate_looks_like_enters_button_only_where_enter_generates(
        launch, cloud, qtbot) -> None:
    """Generate wore the default frame all the time, in the text box too, where Enter
    starts a new line and generates nothing (it is a tab, not a dialog: no Enter reaches
    a default button there). Now it wears it while it has the focus, where Enter on it
    generates; Ctrl+Enter generates from anywhere, as its tooltip says."""
    from PySide6.QtWidgets import QPlainTextEdit

    studio = launch(cloud_url=cloud.url)
    tab = studio.window.speech_tab
    qtbot.waitUntil(lambda: tab.current_voice() is not None, timeout=20_000)
    text = studio.find(QPlainTextEdit, "speech.text")
    generate = studio.find(QPushButton, "speech.generate")
    studio.window.activateWindow()
    text.setFocus()
    qtbot.waitUntil(lambda: focused() is text)
    qtbot.keyClicks(text, "Hello there.")
    qtbot.waitUntil(generate.isEnabled)
    assert not generate.isDefault()
    press(qtbot, Qt.Key.Key_Return)  # a new line, nothing paid

    def spoken() -> int:
        return len([r for r in cloud.control.requests()
                    if r["path"].startswith("/v1/text-to-speech/")])

    qtbot.wait(300)
    assert spoken() == 0
    generate.setFocus()
    qtbot.waitUntil(lambda: focused() is generate)
    assert generate.isDefault()  # aimed at: the frame says Enter presses it, and it does
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: spoken() == 1, timeout=20_000)


def test_compose_looks_like_enters_button_only_while_aimed_at(qtbot: Any) -> None:
    from PySide6.QtWidgets import QLineEdit, QVBoxLayout

    from app.ui.music.compose_bar import ComposeBar

    host = QWidget()
    field = QLineEdit(host)
    bar = ComposeBar(host)
    layout = QVBoxLayout(host)
    layout.addWidget(field)
    layout.addWidget(bar)
    composed: list[bool] = []
    bar.compose_button.clicked.connect(lambda: composed.append(True))
    shown(qtbot, host)
    field.setFocus()
    qtbot.waitUntil(lambda: focused() is field)
    assert not bar.compose_button.isDefault()
    bar.compose_button.setFocus()
    qtbot.waitUntil(lambda: focused() is bar.compose_button)
    assert bar.compose_button.isDefault()
    press(qtbot, Qt.Key.Key_Return)
    assert composed == [True]
    field.setFocus()
    qtbot.waitUntil(lambda: focused() is field)
    assert not bar.compose_button.isDefault()
