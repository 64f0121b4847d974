"""Settings (the key in the keychain), the History panel and the crash-safe draft,
driven through the real window against real servers on loopback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableView,
)

from app.audio.decode import decode_file
from tests.support.cloud_server import CREATOR_KEY

pytestmark = pytest.mark.e2e


def click(qtbot: Any, button: QPushButton) -> None:
    assert button.isEnabled(), f"{button.objectName()} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def generate(qtbot: Any, studio: Any, text: str) -> None:
    box = studio.find(QPlainTextEdit, "speech.text")
    box.clear()
    qtbot.keyClicks(box, text)
    before = len(studio.ctx.history.list())
    button = studio.find(QPushButton, "speech.generate")
    qtbot.waitUntil(button.isEnabled, timeout=10_000)  # the previous one has finished
    click(qtbot, button)
    qtbot.waitUntil(lambda: len(studio.ctx.history.list()) == before + 1, timeout=30_000)


def test_key_is_checked_kept_in_the_keychain_masked_and_removable(
        launch, cloud, engine_url: str, qtbot, memory_keyring) -> None:
    studio = launch(engine_url=engine_url)
    badge = studio.find(QLabel, "status.backend")
    assert badge.text() == "Offline voices"
    dialog = studio.window.open_settings()
    base_url = dialog.findChild(QLineEdit, "settings.base_url")
    base_url.selectAll()
    qtbot.keyClicks(base_url, cloud.url)
    key_box = dialog.findChild(QLineEdit, "settings.api_key")
    status = dialog.findChild(QLabel, "settings.key_status")

    qtbot.keyClicks(key_box, "sk_this_key_is_wrong")
    click(qtbot, dialog.findChild(QPushButton, "settings.save_key"))
    qtbot.waitUntil(lambda: "was not saved" in status.text(), timeout=10_000)
    assert "not accepted" in status.text()
    assert memory_keyring.passwords == {}

    key_box.clear()
    qtbot.keyClicks(key_box, CREATOR_KEY)
    click(qtbot, dialog.findChild(QPushButton, "settings.save_key"))
    qtbot.waitUntil(lambda: "system keychain" in status.text(), timeout=10_000)
    assert CREATOR_KEY not in status.text() and CREATOR_KEY[-4:] in status.text()
    assert list(memory_keyring.passwords.values()) == [CREATOR_KEY]
    assert key_box.text() == ""
    qtbot.waitUntil(lambda: badge.text() == "ElevenLabs cloud", timeout=10_000)
    dialog.accept()
    # The key went to the keychain only: not into settings, logs or anywhere on disk.
    studio.ctx.save_settings()
    for path in studio.home.rglob("*"):
        if path.is_file():
            assert CREATOR_KEY.encode() not in path.read_bytes(), f"the key leaked into {path}"

    dialog = studio.window.open_settings()
    click(qtbot, dialog.findChild(QPushButton, "settings.remove_key"))
    assert memory_keyring.passwords == {}
    qtbot.waitUntil(lambda: badge.text() == "Offline voices", timeout=20_000)
    dialog.reject()


def test_plain_http_to_another_host_is_refused(launch, engine_url: str, qtbot) -> None:
    studio = launch(engine_url=engine_url)
    dialog = studio.window.open_settings()
    base_url = dialog.findChild(QLineEdit, "settings.base_url")
    base_url.selectAll()
    qtbot.keyClicks(base_url, "http://api.example.com")
    assert "not encrypted" in dialog.findChild(QLabel, "settings.base_url_note").text()
    dialog.reject()


def test_history_search_play_reopen_export_delete(launch, engine_url: str, qtbot,
                                                  tmp_path: Path) -> None:
    studio = launch(engine_url=engine_url)
    generate(qtbot, studio, "The first line about apples.")
    generate(qtbot, studio, "The second line about pears.")
    panel_table = studio.find(QTableView, "history.list")
    qtbot.waitUntil(lambda: panel_table.model().rowCount() == 2)

    search = studio.find(QLineEdit, "history.search")
    qtbot.keyClicks(search, "apples")
    qtbot.waitUntil(lambda: panel_table.model().rowCount() == 1)
    panel_table.selectRow(0)

    studio.ctx.player.stop()
    click(qtbot, studio.find(QPushButton, "history.play"))
    qtbot.waitUntil(lambda: studio.ctx.player.duration_ms > 0, timeout=10_000)

    studio.find(QPlainTextEdit, "speech.text").clear()
    click(qtbot, studio.find(QPushButton, "history.reopen"))
    assert studio.find(QPlainTextEdit, "speech.text").toPlainText() == \
        "The first line about apples."

    click(qtbot, studio.find(QPushButton, "history.export"))
    dialog = studio.window.findChild(QFileDialog, "history.export_dialog")
    target = tmp_path / "apples.mp3"
    dialog.selectFile(str(target))
    dialog.accept()
    qtbot.waitUntil(target.exists, timeout=10_000)
    assert decode_file(target).duration_ms > 500

    generation = studio.ctx.history.list("apples")[0]
    audio = studio.ctx.history.audio_path(generation)
    click(qtbot, studio.find(QPushButton, "history.delete"))
    box = studio.window.findChild(QMessageBox, "history.confirm_delete")
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    click(qtbot, box.button(QMessageBox.StandardButton.Yes))
    qtbot.waitUntil(lambda: panel_table.model().rowCount() == 0, timeout=10_000)
    assert not audio.exists()
    assert [g.title for g in studio.ctx.history.list()] == ["The second line about pears."]


def test_usage_ledger_counts_session_and_day(launch, cloud, qtbot) -> None:
    studio = launch(cloud_url=cloud.url)
    generate(qtbot, studio, "Twenty-six characters here")
    usage = studio.find(QLabel, "status.usage")
    qtbot.waitUntil(lambda: "This session: 1 generation," in usage.text(), timeout=10_000)
    assert "1 generations" not in usage.text()
    # Said once, in the status bar, not again under the History list.
    assert not studio.find(QLabel, "history.usage").isVisible()
    cost = studio.ctx.history.list()[0].character_cost
    assert cost and f"{cost:,} credits" in usage.text()


def test_typed_text_survives_a_crash(launch, engine_url: str, qtbot) -> None:
    studio = launch(engine_url=engine_url)
    text = "A script I was writing when the power went out."
    qtbot.keyClicks(studio.find(QPlainTextEdit, "speech.text"), text)
    drafts = studio.ctx.paths.drafts_dir
    qtbot.waitUntil(lambda: any(text in p.read_text() for p in drafts.glob("*.json")),
                    timeout=5000)
    # No clean shutdown: a second app starts on the same data folder.
    again = launch(engine_url=engine_url)
    assert again.find(QPlainTextEdit, "speech.text").toPlainText() == text
    saved = json.loads((drafts / "speech.json").read_text())
    assert saved["text"] == text


def test_voice_settings_come_back_with_the_draft(launch, engine_url: str, qtbot) -> None:
    """Restored without the wire models (they load after the window shows): each value is
    checked on its own, and one out of today's range shows the default."""
    studio = launch(engine_url=engine_url)
    panel = studio.window.speech_tab.voice_settings
    panel.slider("stability").setValue(0.2)
    panel.slider("speed").setValue(1.15)
    studio.window.close()  # saves the draft
    draft_path = studio.ctx.paths.drafts_dir / "speech.json"
    draft = json.loads(draft_path.read_text())
    assert draft["voice_settings"]["stability"] == 0.2

    again = launch(engine_url=engine_url)
    restored = again.window.speech_tab.voice_settings
    assert restored.slider("stability").value() == 0.2
    assert restored.slider("speed").value() == 1.15
    again.window.close()

    draft["voice_settings"].update({"speed": 3.0, "similarity_boost": "high",
                                    "use_speaker_boost": False})
    draft_path.write_text(json.dumps(draft))
    third = launch(engine_url=engine_url)
    panel = third.window.speech_tab.voice_settings
    assert panel.slider("stability").value() == 0.2  # the good value is kept
    assert panel.slider("speed").value() == 1.0  # out of range: the default
    assert panel.slider("similarity_boost").value() == 0.75
    assert not panel.speaker_boost.isChecked()
