"""A server that lists voices but no model that speaks text: the Speech tab says why
Generate cannot be pressed, instead of inviting a press on a disabled button; driven
through the real window against the cloud test server on loopback."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QLabel, QPushButton

from tests.ui.test_settings_history_drafts import generate

pytestmark = pytest.mark.e2e

SPEECH_TO_SPEECH_ONLY = [{
    "model_id": "eleven_english_sts_v2", "name": "Eleven English v2 (speech to speech)",
    "can_do_text_to_speech": False, "can_do_voice_conversion": True,
}]


@pytest.mark.parametrize("models", [[], SPEECH_TO_SPEECH_ONLY], ids=["empty", "no-tts"])
def test_no_speaking_model_is_said_not_press_generate(launch, cloud, qtbot: Any,
                                                      models: list[Any]) -> None:
    cloud.control.add_faults({"path_regex": "^/v1/models$", "fault": "json_body",
                              "body": models, "count": 100})
    studio = launch(cloud_url=cloud.url)
    status = studio.find(QLabel, "speech.status")
    qtbot.waitUntil(lambda: "voices" in status.text() or "model" in status.text(),
                    timeout=10_000)
    qtbot.wait(200)
    generate = studio.find(QPushButton, "speech.generate")
    assert not generate.isEnabled()
    assert "press Generate" not in status.text(), status.text()
    assert "model" in status.text(), status.text()


@pytest.mark.parametrize("limit", [0, -5])
def test_a_model_without_a_usable_text_limit_sends_the_text_in_one_request(
        launch, cloud, qtbot: Any, limit: int) -> None:
    """`maximum_text_length_per_request` of 0 or less says nothing usable: the text was
    split into one-character requests (each charged, stitched from dozens of parts)."""
    cloud.control.add_faults({"path_regex": "^/v1/models$", "fault": "json_body",
                              "count": 100, "body": [{
                                  "model_id": "eleven_multilingual_v2",
                                  "name": "Eleven Multilingual v2",
                                  "maximum_text_length_per_request": limit}]})
    studio = launch(cloud_url=cloud.url)
    tab = studio.window.speech_tab
    qtbot.waitUntil(lambda: tab.catalog_ready, timeout=10_000)
    generate(qtbot, studio, "Hello there, world.")
    sent = [r for r in cloud.control.requests()
            if r["path"].startswith("/v1/text-to-speech/")]
    assert len(sent) == 1, len(sent)
    assert sent[0]["json"]["text"] == "Hello there, world."
    assert "-" not in studio.find(QLabel, "speech.char_count").text()
