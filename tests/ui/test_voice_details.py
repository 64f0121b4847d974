"""Voice details from the Speech tab: description, labels, languages (verified_languages
from GET /v1/voices/{id}) and a sample played through the app's player."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton

from app.domain.wire import Voice
from app.ui.speech.voice_details import VoiceDetailsDialog, labels_text, languages_of
from tests.support.alsa_sink import read_played
from tests.ui.conftest import save_screenshot

pytestmark = pytest.mark.e2e

GEORGE = "JBFqnCBsd6RMkjVDRZzb"


def test_labels_and_languages_read_leniently() -> None:
    voice = Voice.model_validate({"voice_id": "v", "name": "V",
                                  "labels": {"use_case": "news", "gender": "female"},
                                  "verified_languages": [{"language": "fr", "locale": "fr-FR"},
                                                         {"bad": 1}, "x"]})
    assert labels_text(voice.labels) == "Gender: female · Use case: news"
    assert [v["locale"] for v in languages_of(voice)] == ["fr-FR"]
    assert languages_of(Voice(voice_id="w", name="W")) == []


def open_details(qtbot, studio) -> VoiceDetailsDialog:
    button = studio.find(QPushButton, "speech.voice_details")
    qtbot.waitUntil(lambda: studio.window.speech_tab.current_voice() is not None,
                    timeout=20_000)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = studio.window.findChild(VoiceDetailsDialog, "voice_details")
    assert dialog is not None
    qtbot.waitUntil(lambda: not dialog.runner.is_running(dialog.LOAD), timeout=20_000)
    return dialog


def test_details_from_the_cloud(launch, cloud, qtbot, tmp_path: Path) -> None:
    studio = launch(cloud_url=cloud.url)
    studio.window.speech_tab.select_voice(GEORGE)
    dialog = open_details(qtbot, studio)
    assert "Warm resonance" in dialog.findChild(QLabel, "voice_details.description").text()
    labels = dialog.findChild(QLabel, "voice_details.labels").text()
    assert "Accent: british" in labels and "Gender: male" in labels
    assert "en-GB" in dialog.findChild(QLabel, "voice_details.languages").text()
    assert any(r["path"] == f"/v1/voices/{GEORGE}" for r in cloud.control.requests())
    assert dialog.findChild(QPushButton, "voice_details.play").isEnabled()
    save_screenshot(dialog, "voice-details", tmp_path)
    dialog.close()
    qtbot.waitUntil(lambda: studio.window.findChild(VoiceDetailsDialog) is None)
    # The fresh fetch fails: what the list had is still shown, and said so.
    cloud.control.add_faults({"path_regex": rf"^/v1/voices/{GEORGE}$", "fault": "500"})
    dialog = open_details(qtbot, studio)
    assert "Warm resonance" in dialog.description.text()
    assert "Showing what the voice list had" in dialog.status.text()


def test_sample_plays_through_the_player(launch, engine_url, qtbot,
                                         alsa_played_file: Path) -> None:
    studio = launch(engine_url=engine_url)
    dialog = open_details(qtbot, studio)
    assert dialog.languages.text() != "Not stated."
    sample = dialog.findChild(QComboBox, "voice_details.sample")
    assert sample.count() >= 1 and sample.isEnabled()
    qtbot.mouseClick(dialog.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: np.abs(read_played(alsa_played_file)).max(initial=0) > 0.05,
                    timeout=30_000)
