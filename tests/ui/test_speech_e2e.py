"""The Speech tab end to end, as a user drives it: the real app (composition root,
window, service layer, player) against real servers on 127.0.0.1, and real sound into
the ALSA file sink."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QWidget,
)

from app.audio.decode import decode_file
from app.domain.formats import OutputFormat
from tests.support.alsa_sink import read_played
from tests.support.spec import validate_request
from tests.ui.conftest import save_screenshot

pytestmark = pytest.mark.e2e

SARAH = "EXAVITQu4vr4xnSDxMaL"


def pick(combo: QComboBox, data: object) -> None:
    index = combo.findData(data)
    assert index >= 0, f"{data!r} is not offered in {combo.objectName()}"
    combo.setCurrentIndex(index)


def tick(qtbot: Any, box: QCheckBox) -> None:
    """Click a check box on its indicator (the widget may be wider than its label)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(6, box.height() // 2))


def type_into_slider(qtbot: Any, window: QWidget, name: str, value: float) -> None:
    """Type a value into the number box beside a labelled slider, as a user would."""
    slider = window.findChild(QWidget, name)
    box = slider.findChild(QLineEdit)  # superqt's label is an editable line
    box.selectAll()
    qtbot.keyClicks(box, f"{value:.2f}")
    qtbot.keyClick(box, Qt.Key.Key_Return)


def test_generate_speech_with_chosen_settings(launch, cloud, qtbot, alsa_played_file: Path,
                                              tmp_path: Path) -> None:
    studio = launch(cloud_url=cloud.url)
    window = studio.window
    badge = studio.find(QLabel, "status.backend")
    assert badge.text() == "ElevenLabs cloud"
    save_screenshot(window, "speech-empty", tmp_path)

    text = studio.find(QPlainTextEdit, "speech.text")
    qtbot.keyClicks(text, "Hello from XI Studio. This is a test of the speech tab.")

    search = studio.find(QLineEdit, "speech.voice_search")
    qtbot.keyClicks(search, "Sarah")
    voice = studio.find(QComboBox, "speech.voice")
    qtbot.waitUntil(lambda: voice.count() == 1)
    voice.setCurrentIndex(0)
    pick(studio.find(QComboBox, "speech.model"), "eleven_multilingual_v2")
    pick(studio.find(QComboBox, "speech.format"), "mp3_22050_32")
    type_into_slider(qtbot, window, "speech.stability", 0.3)
    type_into_slider(qtbot, window, "speech.similarity", 0.8)
    type_into_slider(qtbot, window, "speech.speed", 1.1)
    type_into_slider(qtbot, window, "speech.style", 0.25)
    boost = studio.find(QCheckBox, "speech.speaker_boost")
    boost.setChecked(True)
    tick(qtbot, boost)
    assert not boost.isChecked()
    tick(qtbot, studio.find(QCheckBox, "speech.seed_fixed"))
    seed = studio.find(QSpinBox, "speech.seed")
    seed.selectAll()
    qtbot.keyClicks(seed, "42")

    generate = studio.find(QPushButton, "speech.generate")
    assert generate.isEnabled()
    qtbot.mouseClick(generate, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: studio.find(QPushButton, "speech.cancel").isVisible(), timeout=5000)
    save_screenshot(window, "speech-generating", tmp_path)

    history = studio.find(QTableView, "history.list")
    qtbot.waitUntil(lambda: history.model().rowCount() == 1, timeout=30_000)
    status = studio.find(QLabel, "speech.status")
    assert status.text().startswith("Done:"), status.text()

    # The request the server received, field by field, and valid against the spec.
    sent = [r for r in cloud.control.requests() if r["path"].startswith("/v1/text-to-speech/")]
    assert len(sent) == 1
    request = sent[0]
    # With timestamps: the spoken word is marked while it plays.
    assert request["path"] == f"/v1/text-to-speech/{SARAH}/stream/with-timestamps"
    assert request["query"]["output_format"] == ["mp3_22050_32"]
    body = request["json"]
    assert body["text"] == "Hello from XI Studio. This is a test of the speech tab."
    assert body["model_id"] == "eleven_multilingual_v2"
    assert body["voice_settings"] == {"stability": 0.3, "similarity_boost": 0.8,
                                      "style": 0.25, "speed": 1.1,
                                      "use_speaker_boost": False}
    assert body["seed"] == 42
    validate_request("POST", request["path"], request["query"], body)

    # The samples really reached the sound device, and they are not silence.
    qtbot.waitUntil(lambda: np.abs(read_played(alsa_played_file)).max(initial=0) > 0.05,
                    timeout=10_000)

    # The history row and its file: complete, decodable, the right format.
    generation = studio.ctx.history.list()[0]
    assert generation.voice_id == SARAH
    assert generation.model_id == "eleven_multilingual_v2"
    assert generation.output_format == "mp3_22050_32"
    assert generation.request_ids and generation.character_cost is not None
    path = studio.ctx.history.audio_path(generation)
    assert path.exists() and not list(path.parent.glob("*.partial"))
    clip = decode_file(path, OutputFormat.parse("mp3_22050_32"))
    assert clip.sample_rate_hz == 22050 and clip.duration_ms > 300
    save_screenshot(window, "speech-playing", tmp_path)


def test_offline_engine_speaks_without_a_key(launch, engine_url: str, qtbot,
                                             alsa_played_file: Path) -> None:
    studio = launch(engine_url=engine_url)
    assert studio.find(QLabel, "status.backend").text() == "Offline voices"
    text = studio.find(QPlainTextEdit, "speech.text")
    qtbot.keyClicks(text, "Offline voices need no key.")
    qtbot.mouseClick(studio.find(QPushButton, "speech.generate"), Qt.MouseButton.LeftButton)
    history = studio.find(QTableView, "history.list")
    qtbot.waitUntil(lambda: history.model().rowCount() == 1, timeout=30_000)
    generation = studio.ctx.history.list()[0]
    assert generation.character_cost == 0
    qtbot.waitUntil(lambda: np.abs(read_played(alsa_played_file)).max(initial=0) > 0.05,
                    timeout=10_000)
    assert "free" in studio.find(QLabel, "speech.status").text()


def test_voice_preview_plays(launch, engine_url: str, qtbot, alsa_played_file: Path) -> None:
    studio = launch(engine_url=engine_url)
    studio.ctx.player.stop()
    alsa_played_file.write_bytes(b"")
    qtbot.mouseClick(studio.find(QPushButton, "speech.voice_preview"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: studio.ctx.player.duration_ms > 500, timeout=20_000)
    qtbot.waitUntil(lambda: np.abs(read_played(alsa_played_file)).max(initial=0) > 0.05,
                    timeout=10_000)
    assert studio.ctx.history.list() == []  # a preview is not a generation
