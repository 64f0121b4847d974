"""The rest of the speech request through the window, against the cloud test server:
zero retention, latency, PVC-as-IVC, Japanese normalisation, language only for models
that take it, the whole seed range, and the voice's saved settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QToolButton,
)

from tests.support.spec import validate_request
from tests.ui.conftest import save_screenshot

pytestmark = pytest.mark.e2e

SARAH = "EXAVITQu4vr4xnSDxMaL"


def pick(combo: QComboBox, data: object) -> None:
    index = combo.findData(data)
    assert index >= 0, f"{data!r} is not offered in {combo.objectName()}"
    combo.setCurrentIndex(index)


def generate(qtbot: Any, studio: Any, cloud: Any, count: int) -> dict[str, Any]:
    button = studio.find(QPushButton, "speech.generate")
    qtbot.waitUntil(button.isEnabled, timeout=30_000)  # as a person waits for the last one
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    history = studio.find(QTableView, "history.list")
    qtbot.waitUntil(lambda: history.model().rowCount() == count, timeout=30_000)
    sent = [r for r in cloud.control.requests() if r["path"].startswith("/v1/text-to-speech/")]
    validate_request("POST", sent[-1]["path"], sent[-1]["query"], sent[-1]["json"])
    return sent[-1]


def test_more_options_reach_the_request_and_are_remembered(launch, cloud, qtbot,
                                                           tmp_path: Path) -> None:
    studio = launch(cloud_url=cloud.url)
    tab = studio.window.speech_tab
    content = studio.find(type(tab.more_options.content), "speech.more_options")
    assert not content.isVisibleTo(tab)
    qtbot.mouseClick(studio.find(QToolButton, "speech.more_options_toggle"),
                     Qt.MouseButton.LeftButton)
    assert content.isVisibleTo(tab)

    tab.select_voice(SARAH)
    model = studio.find(QComboBox, "speech.model")
    language = studio.find(QComboBox, "speech.language")
    pick(model, "eleven_multilingual_v2")
    assert not language.isEnabled()  # multilingual v2 takes no language
    pick(model, "eleven_flash_v2_5")
    assert language.isEnabled()
    pick(language, "ja")
    normalize = studio.find(QCheckBox, "speech.language_normalization")
    assert normalize.isEnabled()  # flash v2.5 speaks Japanese
    normalize.setChecked(True)
    zero = studio.find(QCheckBox, "speech.zero_retention")
    zero.setChecked(True)
    assert "Enterprise" in studio.find(QLabel, "speech.zero_retention_note").text()
    studio.find(QCheckBox, "speech.use_pvc_as_ivc").setChecked(True)
    pick(studio.find(QComboBox, "speech.latency"), 2)
    studio.find(QCheckBox, "speech.seed_fixed").setChecked(True)
    seed = studio.find(QSpinBox, "speech.seed")
    seed.selectAll()
    qtbot.keyClicks(seed, "4294967295")
    assert seed.value() == 4_294_967_295
    column = tab.settings_column  # (the scroll area gives it room once laid out again)
    qtbot.waitUntil(lambda: column.height() >= column.minimumSizeHint().height())
    save_screenshot(column, "speech-more-options", tmp_path)
    studio.find(QPlainTextEdit, "speech.text").insertPlainText("こんにちは。")  # (no keys for it)

    sent = generate(qtbot, studio, cloud, 1)
    assert sent["query"]["enable_logging"] == ["false"]
    assert sent["query"]["optimize_streaming_latency"] == ["2"]
    body = sent["json"]
    assert body["seed"] == 4_294_967_295
    assert body["use_pvc_as_ivc"] is True
    assert body["apply_language_text_normalization"] is True
    assert body["language_code"] == "ja"

    # A model without a language: none is sent, whatever the box held.
    pick(model, "eleven_multilingual_v2")
    assert "language_code" not in generate(qtbot, studio, cloud, 2)["json"]

    qtbot.waitUntil(lambda: (studio.ctx.drafts.load("speech-more-options") or {}).get(
        "enable_logging") is False, timeout=5000)
    again = launch(cloud_url=cloud.url)
    extras = again.window.speech_tab.more_options.extras()
    assert not extras.enable_logging and extras.use_pvc_as_ivc
    assert extras.optimize_streaming_latency == 2


def test_use_the_voices_saved_settings(launch, cloud, qtbot) -> None:
    saved = {"stability": 0.2, "similarity_boost": 0.6, "style": 0.3, "speed": 1.15,
             "use_speaker_boost": False}
    cloud.server._voice(SARAH)["settings"] = saved
    studio = launch(cloud_url=cloud.url)
    tab = studio.window.speech_tab
    tab.select_voice(SARAH)
    pick(studio.find(QComboBox, "speech.model"), "eleven_multilingual_v2")
    qtbot.mouseClick(studio.find(QToolButton, "speech.more_options_toggle"),
                     Qt.MouseButton.LeftButton)
    qtbot.mouseClick(studio.find(QPushButton, "speech.use_voice_settings"),
                     Qt.MouseButton.LeftButton)
    status = studio.find(QLabel, "speech.more_options_status")
    qtbot.waitUntil(lambda: "saved settings;" in status.text(), timeout=10_000)
    values = tab.voice_settings.values()
    assert (values.stability, values.similarity_boost, values.style, values.speed) == (
        0.2, 0.6, 0.3, 1.15)
    assert values.use_speaker_boost is False
