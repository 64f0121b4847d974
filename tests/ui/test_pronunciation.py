"""Pronunciation dictionaries through the window, against the cloud test server: make a
dictionary with an alias and a phoneme rule, attach it, generate (the request carries
the locator and validates against the spec), restart, round-trip a .pls, and the bad
cases each with a clear message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QTableView,
)

from app.domain.pronunciation import AliasRule, PhonemeRule, read_pls
from app.ui.speech.dictionaries_panel import DictionariesDialog
from app.ui.speech.rule_editor import RuleEditor
from tests.support.cloud_dictionaries import forget
from tests.support.spec import validate_request
from tests.ui.conftest import save_screenshot

pytestmark = pytest.mark.e2e

SARAH = "EXAVITQu4vr4xnSDxMaL"


def click(qtbot: Any, button: QPushButton) -> None:
    assert button.isEnabled(), f"{button.objectName()} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def open_dialog(qtbot: Any, studio: Any) -> DictionariesDialog:
    click(qtbot, studio.find(QPushButton, "speech.pronunciation"))
    dialog = studio.window.findChild(DictionariesDialog, "dictionaries")
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.refresh_button.isEnabled(), timeout=10_000)
    return dialog


def make_dictionary(qtbot: Any, dialog: DictionariesDialog, name: str) -> None:
    dialog.name.clear()
    qtbot.keyClicks(dialog.name, name)
    click(qtbot, dialog.create_button)
    qtbot.waitUntil(lambda: dialog.current is not None and dialog.current.name == name
                    and dialog.add_rule_button.isEnabled(), timeout=10_000)


def add_rule(qtbot: Any, dialog: DictionariesDialog, word: str, kind: str, said: str) -> None:
    count = dialog.rules_model.rowCount()
    click(qtbot, dialog.add_rule_button)
    editor = dialog.findChild(RuleEditor, "rule_editor")
    assert editor is not None
    fill_rule(qtbot, editor, word, kind, said)
    click(qtbot, editor.findChild(QPushButton, "rule_editor.ok"))
    qtbot.waitUntil(lambda: dialog.rules_model.rowCount() == count + 1
                    and dialog.add_rule_button.isEnabled(), timeout=10_000)


def fill_rule(qtbot: Any, editor: RuleEditor, word: str, kind: str, said: str) -> None:
    editor.word.clear()
    qtbot.keyClicks(editor.word, word)
    editor.kind.setCurrentIndex(editor.kind.findData(kind))
    editor.replacement.clear()
    editor.replacement.insert(said)  # (QTest cannot type IPA: it has no key for ˈ)


def attach(qtbot: Any, dialog: DictionariesDialog, row: int) -> None:
    model = dialog.list_model
    model.setData(model.index(row), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)


def test_make_attach_generate_and_restart(launch, cloud, qtbot, tmp_path: Path) -> None:
    studio = launch(cloud_url=cloud.url)
    studio.find(QComboBox, "speech.model").setCurrentIndex(
        studio.find(QComboBox, "speech.model").findData("eleven_multilingual_v2"))
    dialog = open_dialog(qtbot, studio)
    assert "No dictionaries yet" in dialog.message.text()
    make_dictionary(qtbot, dialog, "Brand names")
    add_rule(qtbot, dialog, "XI", "alias", "eleven")
    add_rule(qtbot, dialog, "tomato", "ipa", "təˈmɑːtoʊ")
    assert dialog.rules_model.rules == [AliasRule("XI", "eleven"),
                                        PhonemeRule("tomato", "təˈmɑːtoʊ", "ipa")]
    attach(qtbot, dialog, 0)
    assert "Brand names" in dialog.attached_label.text()
    dialog.resize(1024, 640)
    save_screenshot(dialog, "pronunciation-dialog", tmp_path)
    click(qtbot, dialog.close_button)

    tab = studio.window.speech_tab
    attached = studio.find(QLabel, "speech.pronunciation_attached")
    assert "Brand names" in attached.text()
    # A phoneme rule on a model that skips phoneme rules: a warning.
    warning = studio.find(QLabel, "speech.pronunciation_warning")
    assert warning.isVisibleTo(tab) and "skips" in warning.text()
    qtbot.keyClicks(studio.find(QPlainTextEdit, "speech.text"), "XI grows a tomato.")
    click(qtbot, studio.find(QPushButton, "speech.generate"))
    history = studio.find(QTableView, "history.list")
    qtbot.waitUntil(lambda: history.model().rowCount() == 1, timeout=30_000)
    sent = [r for r in cloud.control.requests() if r["path"].startswith("/v1/text-to-speech/")]
    assert len(sent) == 1
    version = dialog.current.latest_version_id
    assert sent[0]["json"]["pronunciation_dictionary_locators"] == [
        {"pronunciation_dictionary_id": dialog.current.id, "version_id": version}]
    validate_request("POST", sent[0]["path"], sent[0]["query"], sent[0]["json"])

    # The attachment is remembered: a new window on the same home uses it again.
    qtbot.waitUntil(lambda: bool((studio.ctx.drafts.load("speech-pronunciation") or {}).get(
        "attachments")), timeout=5000)
    again = launch(cloud_url=cloud.url)
    assert again.window.speech_tab.pronunciation.locators() == ((dialog.current.id, version),)


def test_pls_round_trip_and_fix_how_this_is_said(launch, cloud, qtbot,
                                                 tmp_path: Path) -> None:
    studio = launch(cloud_url=cloud.url)
    dialog = open_dialog(qtbot, studio)
    make_dictionary(qtbot, dialog, "Names")
    add_rule(qtbot, dialog, "Nguyen", "cmu-arpabet", "W IH1 N")
    add_rule(qtbot, dialog, "SQL", "alias", "sequel")
    exported = tmp_path / "names.pls"
    dialog.export_file(str(exported))
    qtbot.waitUntil(exported.exists, timeout=10_000)
    rules = read_pls(exported.read_bytes())
    assert rules == dialog.rules_model.rules
    dialog.import_file(str(exported))
    qtbot.waitUntil(lambda: dialog.list_model.rowCount() == 2
                    and dialog.current is not None and dialog.current.name == "names",
                    timeout=30_000)
    assert dialog.rules_model.rules == rules

    # "Fix how this is said…" on selected text: a rule with the word filled in, and a
    # preview with and without it.
    click(qtbot, dialog.close_button)
    text = studio.find(QPlainTextEdit, "speech.text")
    qtbot.keyClicks(text, "Call Siobhan now.")
    cursor = text.textCursor()
    cursor.setPosition(5)
    cursor.setPosition(12, QTextCursor.MoveMode.KeepAnchor)
    text.setTextCursor(cursor)
    studio.window.speech_tab.pronunciation._on_text_context_menu(QPoint(5, 5))
    menu = studio.window.findChild(QMenu, "speech.text_menu")
    action = menu.findChild(QAction, "speech.fix_pronunciation")
    assert action.isEnabled()
    action.trigger()
    menu.close()
    editor = dialog.findChild(RuleEditor, "rule_editor")
    assert editor is not None and editor.word.text() == "Siobhan"
    qtbot.keyClicks(editor.replacement, "shiv awn")
    before = len(cloud.control.requests())
    click(qtbot, editor.preview_without)
    qtbot.waitUntil(lambda: "as now" in dialog.message.text(), timeout=15_000)
    click(qtbot, editor.preview_with)
    qtbot.waitUntil(lambda: "with the rule" in dialog.message.text(), timeout=15_000)
    spoken = [r for r in cloud.control.requests()[before:]
              if r["path"].startswith("/v1/text-to-speech/")]
    assert [r["json"]["text"] for r in spoken] == ["Siobhan", "Siobhan"]
    assert "pronunciation_dictionary_locators" not in spoken[0]["json"]
    assert spoken[1]["json"]["pronunciation_dictionary_locators"]
    click(qtbot, editor.findChild(QPushButton, "rule_editor.ok"))
    qtbot.waitUntil(lambda: any(r.string_to_replace == "Siobhan"
                                for r in dialog.rules_model.rules), timeout=10_000)
    # The preview's scratch dictionary is never listed.
    assert dialog.list_model.rowCount() == 2


def test_bad_input_gets_a_clear_message(launch, cloud, qtbot, tmp_path: Path) -> None:
    studio = launch(cloud_url=cloud.url)
    dialog = open_dialog(qtbot, studio)
    broken = tmp_path / "broken.pls"
    broken.write_bytes(b"<lexicon><lexeme><grapheme>a</grapheme>")
    dialog.import_file(str(broken))
    qtbot.waitUntil(lambda: "could not be imported" in dialog.message.text(), timeout=10_000)
    assert dialog.message.property("problem")
    assert dialog.list_model.rowCount() == 0

    make_dictionary(qtbot, dialog, "Short lived")
    click(qtbot, dialog.add_rule_button)
    editor = dialog.findChild(RuleEditor, "rule_editor")
    fill_rule(qtbot, editor, "   ", "alias", "x")
    click(qtbot, editor.findChild(QPushButton, "rule_editor.ok"))
    error = editor.findChild(QLabel, "rule_editor.error")
    assert editor.isVisible() and "empty" in error.text()
    editor.reject()

    # Deleted on the server while attached: generating says so plainly, and opening
    # the dialog detaches it.
    attach(qtbot, dialog, 0)
    click(qtbot, dialog.close_button)
    forget(cloud.server, dialog.current.id)
    qtbot.keyClicks(studio.find(QPlainTextEdit, "speech.text"), "Hello.")
    click(qtbot, studio.find(QPushButton, "speech.generate"))
    tab = studio.window.speech_tab
    qtbot.waitUntil(lambda: "pronunciation dictionary is missing"
                    in tab.error_banner.text().lower(), timeout=15_000)
    dialog = open_dialog(qtbot, studio)
    qtbot.waitUntil(lambda: "no longer exists" in dialog.message.text(), timeout=10_000)
    assert tab.pronunciation.locators() == ()
    assert studio.find(QLineEdit, "dictionaries.name") is not None


def test_edit_remove_and_rename(launch, cloud, qtbot) -> None:
    studio = launch(cloud_url=cloud.url)
    dialog = open_dialog(qtbot, studio)
    make_dictionary(qtbot, dialog, "Draft")
    add_rule(qtbot, dialog, "GIF", "alias", "gift")
    add_rule(qtbot, dialog, "SQL", "alias", "sequel")
    attach(qtbot, dialog, 0)
    attached_version = dialog.attachments[0].version_id
    dialog.rules.selectRow(0)
    click(qtbot, dialog.edit_rule_button)
    editor = dialog.findChild(RuleEditor, "rule_editor")
    assert editor.word.text() == "GIF" and editor.replacement.text() == "gift"
    fill_rule(qtbot, editor, "GIF", "alias", "jif")
    click(qtbot, editor.findChild(QPushButton, "rule_editor.ok"))
    qtbot.waitUntil(lambda: AliasRule("GIF", "jif") in dialog.rules_model.rules,
                    timeout=10_000)
    # An attached dictionary that changed is used in its newest version.
    assert dialog.attachments[0].version_id == dialog.current.latest_version_id
    assert dialog.attachments[0].version_id != attached_version
    dialog.rules.selectRow(1)
    qtbot.waitUntil(dialog.remove_rule_button.isEnabled)
    click(qtbot, dialog.remove_rule_button)
    qtbot.waitUntil(lambda: dialog.rules_model.rules == [AliasRule("GIF", "jif")],
                    timeout=10_000)
    dialog.name.clear()
    qtbot.keyClicks(dialog.name, "Final")
    click(qtbot, dialog.rename_button)
    qtbot.waitUntil(lambda: dialog.current.name == "Final", timeout=10_000)
    assert "Final" in studio.find(QLabel, "speech.pronunciation_attached").text()


def test_offline_engine_dictionary_and_its_history(launch, engine_url, qtbot) -> None:
    """Offline: the engine stores the dictionary, speaks with it, keeps the generation
    in its own history, which the account-history window shows."""
    from app.ui.history.account_history_dialog import AccountHistoryDialog

    studio = launch(engine_url=engine_url, key=None)
    dialog = open_dialog(qtbot, studio)
    make_dictionary(qtbot, dialog, "Offline words")
    add_rule(qtbot, dialog, "XI", "alias", "eleven")
    attach(qtbot, dialog, dialog.list_model.row_of(dialog.current.id))
    click(qtbot, dialog.close_button)
    qtbot.keyClicks(studio.find(QPlainTextEdit, "speech.text"), "XI, offline.")
    click(qtbot, studio.find(QPushButton, "speech.generate"))
    history = studio.find(QTableView, "history.list")
    qtbot.waitUntil(lambda: history.model().rowCount() == 1, timeout=60_000)
    assert studio.window.speech_tab.status.text().startswith("Done:")
    click(qtbot, studio.find(QPushButton, "history.account"))
    account = studio.window.findChild(AccountHistoryDialog, "account_history")
    qtbot.waitUntil(lambda: "XI, offline." in [i.text for i in account.model.items],
                    timeout=15_000)


def test_a_lexicon_that_is_gone_or_huge_is_said_without_reading_it(
        launch, cloud, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A lexicon moved away after it was chosen was called a file that "could not be
    written" (check the disk's space); a damaged one of gigabytes was read whole and its
    XML parsed on the window's thread."""
    import tracemalloc

    from PySide6.QtWidgets import QFileDialog

    from app.ui.speech import dictionary_files

    studio = launch(cloud_url=cloud.url)
    dialog = open_dialog(qtbot, studio)
    dialog.import_file(str(tmp_path / "moved.pls"))
    qtbot.waitUntil(lambda: "could not be imported" in dialog.message.text(), timeout=10_000)
    said = dialog.message.text()
    assert "moved.pls" in said and "No such file" in said and "write" not in said, said

    monkeypatch.setattr(dictionary_files, "MAX_PLS_BYTES", 1024 * 1024)
    huge = tmp_path / "huge.pls"
    with huge.open("wb") as file:
        file.truncate(64 * 1024 * 1024)  # sparse: no disk taken
    click(qtbot, dialog.import_button)
    chooser = dialog.findChild(QFileDialog, "dictionaries.import_dialog")
    chooser.selectFile(str(huge))
    tracemalloc.start()
    try:
        chooser.accept()
        qtbot.waitUntil(lambda: "huge.pls" in dialog.message.text(), timeout=10_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024
    assert "larger than" in dialog.message.text() and dialog.message.property("problem")
    assert dialog.list_model.rowCount() == 0
