"""Hostile-server faults for endpoints the fault matrix (test_fault_matrix.py) does not
drive, one test per defect a probe of them found, through the real window (or the
app's own services inside it) against the cloud test server on loopback.

Probed at the service layer and found sound (no test here): pronunciation dictionaries
(list, create from rules, set rules, download PLS), GET voice, account history (list,
audio, delete), stems, video to music, music upload, forced alignment, text to dialogue
(convert, with timestamps) against 401, 429 + Retry-After, 500, invalid JSON, JSON of
the wrong shape, an empty body, truncated body, wrong content type, stall before
headers and mid-body, far too large, and a redirect to another host (never followed,
no key sent).
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton

from tests.reliability.conftest import StudioFactory

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

SARAH = "EXAVITQu4vr4xnSDxMaL"
SAMPLE_PATH = "/samples/sarah.mp3"


def _one_voice_with_sample(cloud: Any) -> None:
    """The voice list holds Sarah, whose sample lives on the (faulty) server."""
    voice = {"voice_id": SARAH, "name": "Sarah", "category": "premade",
             "labels": {"language": "en"}, "available_for_tiers": [],
             "high_quality_base_model_ids": [], "preview_url": cloud.url + SAMPLE_PATH}
    cloud.control.add_faults({"path_regex": "^/v2/voices$", "fault": "json_body",
                              "count": 100, "body": {"voices": [voice], "has_more": False,
                                                     "total_count": 1}})


def _banner(tab: Any) -> str:
    banner = tab.error_banner
    return " ".join(label.text() for label in banner.findChildren(QLabel)) \
        if banner.isVisible() else ""


@pytest.mark.parametrize("fault", ["wrong_content_type", "invalid_json"])
def test_a_voice_sample_that_is_not_audio_is_said_as_the_servers_fault(
        fault: str, studios: StudioFactory, cloud: Any, qtbot: Any) -> None:
    """A captive portal's page (or any non-audio answer) where the voice's sample should
    be: the user is told the answer could not be used and to try again, not to "try
    another output format" (the sample has no output format), and nothing is played."""
    _one_voice_with_sample(cloud)
    studio = studios.start(studios.home(), cloud_url=cloud.url)
    tab = studio.window.speech_tab
    qtbot.waitUntil(lambda: tab.catalog_ready, timeout=10_000)
    studio.find(QPlainTextEdit, "speech.text").setPlainText("Kept text.")
    cloud.control.add_faults({"method": "GET", "path_regex": "^" + SAMPLE_PATH + "$",
                              "fault": fault})
    qtbot.mouseClick(studio.find(QPushButton, "speech.voice_preview"),
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _banner(tab) != "", timeout=10_000)
    shown = _banner(tab)
    assert "sample" in shown, shown
    assert "could not be used" in shown and "Try again" in shown, shown
    assert "output format" not in shown, shown
    assert studio.find(QPlainTextEdit, "speech.text").toPlainText() == "Kept text."
    assert studio.ctx.history.list() == []
    sent = [r for r in cloud.control.requests() if r["path"] == SAMPLE_PATH]
    assert len(sent) == 1 and not sent[0]["has_key"], sent  # no key to the sample's host


def test_a_cut_off_pronunciation_file_is_not_called_audio(
        studios: StudioFactory, cloud: Any, qtbot: Any) -> None:
    """Downloading a dictionary's rules (a PLS text file) cut off mid-way: the
    message names the server's answer, not "audio" (there is none), and says to try
    again; the next download works."""
    from app.api.dictionaries import DictionariesService
    from app.api.errors import ApiError
    from app.ui.errors import describe_error
    from tests.reliability.conftest import run_coroutine
    from tests.support.cloud_dictionaries import seed

    studio = studios.start(studios.home(), cloud_url=cloud.url)
    studio.ctx.client.reconfigure(retry_base_delay_s=0.05, read_timeout_s=0.5)
    rules = [{"type": "alias", "string_to_replace": "tomato", "alias": "tomahto"}]
    dictionary_id, version_id = seed(cloud.server, "Words", rules)
    service = DictionariesService(studio.ctx.client)
    cloud.control.add_faults({"method": "GET", "path_regex": r"/download$",
                              "fault": "truncated_body"})
    _, exc, _ = run_coroutine(qtbot, lambda: service.download(dictionary_id, version_id))
    assert isinstance(exc, ApiError), repr(exc)
    shown = describe_error(exc).as_text()
    assert "audio" not in shown.lower(), shown
    assert "answer was cut off" in shown and "Try again" in shown, shown
    data, exc, _ = run_coroutine(qtbot, lambda: service.download(dictionary_id, version_id))
    assert exc is None and b"tomahto" in data


def test_deleting_account_history_already_gone_elsewhere_is_not_an_error(
        studios: StudioFactory, cloud: Any, qtbot: Any) -> None:
    """Two generations chosen for deletion, one of them already deleted on the website:
    the server's 404 for it means it is gone, as asked. Both leave the list, the other
    is deleted too, and no message talks of voices or transcription ids."""
    from PySide6.QtWidgets import QTableView

    from app.ui.history.account_history_dialog import AccountHistoryDialog
    from tests.support.cloud_history import seed

    made = seed(cloud.server, 3)
    studio = studios.start(studios.home(), cloud_url=cloud.url)
    qtbot.mouseClick(studio.find(QPushButton, "history.account"), Qt.MouseButton.LeftButton)
    dialog = studio.window.findChild(AccountHistoryDialog, "account_history")
    assert dialog is not None

    def idle() -> bool:
        return not dialog._busy and not dialog._runner.is_running("account_history")

    qtbot.waitUntil(lambda: dialog.model.rowCount() == 3 and idle(), timeout=15_000)
    table = dialog.findChild(QTableView, "account_history.list")
    table.selectRow(0)
    table.selectionModel().select(
        dialog.model.index(1, 0), table.selectionModel().SelectionFlag.Select
        | table.selectionModel().SelectionFlag.Rows)
    chosen = [i.history_item_id for i in dialog.chosen()]
    assert len(chosen) == 2
    with cloud.server.lock:  # deleted on the website meanwhile: the first one chosen
        history = cloud.server._stt_music_state()["history"]
        history[:] = [h for h in history if h["history_item_id"] != chosen[0]]
    dialog.delete_items(dialog.chosen())  # as after "Delete" in the confirmation
    qtbot.waitUntil(idle, timeout=15_000)
    shown = dialog.message.text()
    assert not dialog.message.property("problem"), shown
    assert "transcription" not in shown and "voice" not in shown, shown
    assert "already gone" in shown, shown
    assert [i.history_item_id for i in dialog.model.items] == [
        h["history_item_id"] for h in made if h["history_item_id"] not in chosen]
    deletes = [r for r in cloud.control.requests() if r["method"] == "DELETE"]
    assert len(deletes) == 2, deletes  # the other one was deleted too
    with cloud.server.lock:
        left = {h["history_item_id"] for h in cloud.server._stt_music_state()["history"]}
    assert left.isdisjoint(chosen)


@pytest.mark.parametrize("fault", [{"fault": "500"}, {"fault": "truncated_body"},
                                   {"fault": "stall_before_headers", "seconds": 30}])
def test_a_pronunciation_rule_that_failed_to_save_is_not_lost(
        fault: dict[str, Any], studios: StudioFactory, cloud: Any, qtbot: Any) -> None:
    """The server fails while a new rule is saved: the message says so, and the rule the
    user typed comes back in the editor (it was gone with the editor, under a message
    saying "Your text is kept"); Save rule again works."""
    from app.ui.speech.dictionaries_panel import DictionariesDialog
    from app.ui.speech.rule_editor import RuleEditor
    from tests.ui.test_pronunciation import fill_rule, make_dictionary

    studio = studios.start(studios.home(), cloud_url=cloud.url)
    studio.ctx.client.reconfigure(retry_base_delay_s=0.05, read_timeout_s=0.5)
    qtbot.mouseClick(studio.find(QPushButton, "speech.pronunciation"),
                     Qt.MouseButton.LeftButton)
    dialog = studio.window.findChild(DictionariesDialog, "dictionaries")
    assert dialog is not None
    qtbot.waitUntil(dialog.refresh_button.isEnabled, timeout=10_000)
    make_dictionary(qtbot, dialog, "Names")

    def editors() -> list[RuleEditor]:
        return [e for e in dialog.findChildren(RuleEditor, "rule_editor") if e.isVisible()]

    qtbot.mouseClick(dialog.add_rule_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(editors()) == 1, timeout=5_000)
    fill_rule(qtbot, editors()[0], "Siobhan", "alias", "shiv awn")
    cloud.control.add_faults({"method": "POST", "path_regex": r"/add-rules$", **fault})
    qtbot.mouseClick(editors()[0].findChild(QPushButton, "rule_editor.ok"),
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.message.property("problem")), timeout=8_000)
    assert "try again" in dialog.message.text().lower(), dialog.message.text()
    qtbot.waitUntil(lambda: len(editors()) == 1, timeout=5_000)
    editor = editors()[0]
    assert editor.word.text() == "Siobhan"
    assert editor.replacement.text() == "shiv awn"
    assert "try again" in editor.error.text().lower(), editor.error.text()
    assert dialog.rules_model.rowCount() == 0
    qtbot.waitUntil(dialog.add_rule_button.isEnabled, timeout=5_000)
    qtbot.mouseClick(editor.findChild(QPushButton, "rule_editor.ok"),
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.rules_model.rowCount() == 1, timeout=10_000)
    assert [r.string_to_replace for r in dialog.rules_model.rules] == ["Siobhan"]


def test_hearing_a_word_again_replaces_a_stalled_preview(
        studios: StudioFactory, cloud: Any, qtbot: Any) -> None:
    """The rule editor's "Hear it as now" meets a server that never answers: pressing it
    again asks again (the stalled request is dropped) instead of doing nothing until the
    read timeout, and the word plays."""
    from app.ui.speech.dictionaries_panel import DictionariesDialog
    from app.ui.speech.rule_editor import RuleEditor

    studio = studios.start(studios.home(), cloud_url=cloud.url, read_timeout_s=60.0)
    qtbot.mouseClick(studio.find(QPushButton, "speech.pronunciation"),
                     Qt.MouseButton.LeftButton)
    dialog = studio.window.findChild(DictionariesDialog, "dictionaries")
    assert dialog is not None
    qtbot.waitUntil(dialog.refresh_button.isEnabled, timeout=10_000)
    editor = dialog.open_rule_editor(word="Siobhan")
    qtbot.waitUntil(editor.isVisible, timeout=5_000)
    cloud.control.add_faults({"method": "POST", "path_regex": r"^/v1/text-to-speech/",
                              "fault": "stall_before_headers", "seconds": 30})

    def speech_requests() -> int:
        return len([r for r in cloud.control.requests()
                    if r["path"].startswith("/v1/text-to-speech/")])

    hear = editor.findChild(QPushButton, "rule_editor.preview_without")
    qtbot.mouseClick(hear, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: speech_requests() == 1, timeout=5_000)
    qtbot.mouseClick(hear, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Playing" in dialog.message.text(), timeout=8_000)
    assert speech_requests() == 2
    qtbot.waitUntil(lambda: cloud.control.stats()["disconnects"] >= 1, timeout=8_000)
    assert isinstance(editor, RuleEditor) and editor.word.text() == "Siobhan"


def _open_account_history(studio: Any, qtbot: Any, rows: int) -> Any:
    from app.ui.history.account_history_dialog import AccountHistoryDialog

    qtbot.mouseClick(studio.find(QPushButton, "history.account"), Qt.MouseButton.LeftButton)
    dialog = studio.window.findChild(AccountHistoryDialog, "account_history")
    assert dialog is not None

    def idle() -> bool:
        return not dialog._busy and not dialog._runner.is_running("account_history")

    qtbot.waitUntil(lambda: dialog.model.rowCount() == rows and idle(), timeout=15_000)
    return dialog, idle


@pytest.mark.parametrize("fault", [{"fault": "json_body"}, {"fault": "no_content"}])
def test_a_delete_answered_without_a_body_is_a_delete(
        fault: dict[str, Any], studios: StudioFactory, cloud: Any, qtbot: Any) -> None:
    """The server answers a history delete with an empty 200 or a 204: the item was
    deleted, so it leaves the list and no message calls the answer "not valid JSON"."""
    from tests.support.cloud_history import seed

    made = seed(cloud.server, 2)
    studio = studios.start(studios.home(), cloud_url=cloud.url)
    dialog, idle = _open_account_history(studio, qtbot, 2)
    first = dialog.model.items[0].history_item_id
    cloud.control.add_faults({"method": "DELETE", "path_regex": "^/v1/history/", **fault})
    dialog.delete_items([dialog.model.items[0]])  # as after "Delete" in the confirmation
    qtbot.waitUntil(lambda: idle() and dialog.model.rowCount() == 1, timeout=15_000)
    shown = dialog.message.text()
    assert not dialog.message.property("problem"), shown
    assert "JSON" not in shown, shown
    assert [i.history_item_id for i in dialog.model.items] == [
        h["history_item_id"] for h in made if h["history_item_id"] != first]


@pytest.mark.parametrize("fault", [{"fault": "429", "retry_after": 3}, {"fault": "500"}])
def test_account_history_errors_do_not_speak_of_kept_text(
        fault: dict[str, Any], studios: StudioFactory, cloud: Any, qtbot: Any) -> None:
    """Listing the account's history meets a busy or broken server: the message says to
    try again, without "Your text is kept" (there is no text in that window)."""
    from tests.support.cloud_history import seed

    seed(cloud.server, 1)
    studio = studios.start(studios.home(), cloud_url=cloud.url)
    studio.ctx.client.reconfigure(retry_base_delay_s=0.05, max_retries=0)
    cloud.control.add_faults({"method": "GET", "path_regex": "^/v1/history$", "count": 10,
                              **fault})
    qtbot.mouseClick(studio.find(QPushButton, "history.account"), Qt.MouseButton.LeftButton)
    from app.ui.history.account_history_dialog import AccountHistoryDialog

    dialog = studio.window.findChild(AccountHistoryDialog, "account_history")
    assert dialog is not None
    qtbot.waitUntil(lambda: bool(dialog.message.property("problem")), timeout=15_000)
    shown = dialog.message.text()
    assert "text" not in shown.lower(), shown
    assert "try again" in shown.lower(), shown
