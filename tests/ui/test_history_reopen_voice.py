"""Re-open puts back the entry's own voice, also when the voice search hides it, and
says so when that voice is no longer offered; driven through the real window against
the cloud test server on loopback."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton, QTableView

from tests.ui.test_settings_history_drafts import generate

pytestmark = pytest.mark.e2e

SARAH = "EXAVITQu4vr4xnSDxMaL"


def generated_by_sarah(launch: Any, cloud: Any, qtbot: Any) -> tuple[Any, QLineEdit, QComboBox]:
    """A window whose History holds one generation in Sarah's voice, chosen through the
    voice search (still showing "Sarah")."""
    studio = launch(cloud_url=cloud.url)
    tab = studio.window.speech_tab
    qtbot.waitUntil(lambda: tab.catalog_ready, timeout=10_000)
    search = studio.find(QLineEdit, "speech.voice_search")
    qtbot.keyClicks(search, "Sarah")
    voice = studio.find(QComboBox, "speech.voice")
    qtbot.waitUntil(lambda: voice.count() == 1)
    voice.setCurrentIndex(0)
    generate(qtbot, studio, "Said by Sarah.")
    return studio, search, voice


def test_reopen_brings_back_the_entry_voice_when_the_search_hides_it(
        launch, cloud, qtbot: Any) -> None:
    studio, search, voice = generated_by_sarah(launch, cloud, qtbot)
    tab = studio.window.speech_tab
    assert studio.ctx.history.list()[0].voice_id == SARAH

    search.clear()
    qtbot.keyClicks(search, "George")  # Sarah is not listed now
    qtbot.waitUntil(lambda: voice.count() == 1)
    voice.setCurrentIndex(0)
    assert tab.current_voice_id() != SARAH
    table = studio.find(QTableView, "history.list")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1, timeout=10_000)
    table.selectRow(0)
    qtbot.mouseClick(studio.find(QPushButton, "history.reopen"), Qt.MouseButton.LeftButton)
    assert tab.current_voice_id() == SARAH
    assert tab.form() is not None and tab.form().voice.voice_id == SARAH


def test_reopen_says_when_the_entry_voice_is_gone(launch, cloud, qtbot: Any) -> None:
    studio, search, _voice = generated_by_sarah(launch, cloud, qtbot)
    tab = studio.window.speech_tab
    search.clear()
    generation = studio.ctx.history.list()[0]
    gone = replace(generation, voice_id="deletedVoice00000000", voice_name="Old Friend")
    tab.load_generation(gone)
    status = studio.find(QLabel, "speech.status")
    assert "Old Friend" in status.text(), status.text()


def test_reopen_keeps_the_settings_it_can_use_when_one_is_out_of_range(
        launch, cloud, qtbot: Any) -> None:
    """An entry imported from the account's history may hold a value outside today's
    range: that one shows the default, the others (and the seed) are still put back,
    never the previous entry's values; settings that are not an object are ignored."""
    studio = launch(cloud_url=cloud.url)
    tab = studio.window.speech_tab
    qtbot.waitUntil(lambda: tab.catalog_ready, timeout=10_000)
    generate(qtbot, studio, "Settings, please.")
    generation = studio.ctx.history.list()[0]
    tab.load_generation(replace(generation, settings_json=json.dumps(
        {"voice_settings": {"stability": 0.9, "similarity_boost": 0.1}, "seed": 3})))
    assert tab.voice_settings.values().stability == pytest.approx(0.9)
    odd = {"voice_settings": {"stability": 0.2, "similarity_boost": 0.6, "speed": 1.5},
           "seed": 7}
    tab.load_generation(replace(generation, settings_json=json.dumps(odd)))
    values = tab.voice_settings.values()
    assert values.stability == pytest.approx(0.2)
    assert values.similarity_boost == pytest.approx(0.6)
    assert values.speed == pytest.approx(1.0)  # the default, not 1.5 nor the last one
    assert tab.seed_fixed.isChecked() and tab.seed.value() == 7
    for unreadable in ("null", "[1, 2]", '{"voice_settings": 5}', "{"):
        tab.load_generation(replace(generation, settings_json=unreadable))
        assert tab.text.toPlainText() == "Settings, please."
