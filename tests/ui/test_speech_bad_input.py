"""The Speech tab meets bad input and a misbehaving cloud, through the real UI.

For each: a specific message with a next step, the app usable again, the text kept, and
no file saved as if complete (the audio folder holds no stray or partial file)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QPlainTextEdit, QPushButton, QWidget

from app.audio.decode import decode_file
from tests.support.cloud_server import FREE_KEY
from tests.ui.conftest import save_screenshot

pytestmark = pytest.mark.e2e

TEXT = "Please read this sentence aloud."
TTS = r"^/v1/text-to-speech/"


def banner_text(studio: Any) -> str:
    banner = studio.find(QWidget, "speech.error")
    return banner.text() if banner.isVisible() else ""


def generate(qtbot: Any, studio: Any, text: str = TEXT) -> None:
    box = studio.find(QPlainTextEdit, "speech.text")
    box.clear()
    qtbot.keyClicks(box, text) if len(text) < 300 else box.setPlainText(text)
    qtbot.mouseClick(studio.find(QPushButton, "speech.generate"), Qt.MouseButton.LeftButton)


def assert_recovered(qtbot: Any, studio: Any, text: str = TEXT) -> None:
    """Usable again, the text kept, nothing saved."""
    generate_button = studio.find(QPushButton, "speech.generate")
    qtbot.waitUntil(generate_button.isEnabled, timeout=10_000)
    assert studio.find(QPlainTextEdit, "speech.text").toPlainText() == text
    assert studio.ctx.history.list() == []
    audio_dir: Path = studio.ctx.paths.audio_dir
    assert [p.name for p in audio_dir.iterdir()] == [], "a file was left in the audio folder"


FAULTS = [
    ("quota", {"fault": "401", "code": "quota_exceeded"}, "Out of credits"),
    ("unknown voice", {"fault": "404"}, "This voice is not available"),
    ("422 field details", {"fault": "422"}, "text: Field required"),
    ("429 concurrency", {"fault": "429", "code": "too_many_concurrent_requests",
                         "retry_after": 0.05, "count": 3}, "Too many generations at once"),
    ("429 busy with Retry-After", {"fault": "429", "retry_after": 0.05, "count": 3},
     "ElevenLabs is busy"),
    ("429 busy without Retry-After", {"fault": "429", "count": 3}, "ElevenLabs is busy"),
    ("500", {"fault": "500"}, "error 500"),
    ("502", {"fault": "502"}, "error 502"),
    ("503 with Retry-After", {"fault": "503", "retry_after": 0.05, "count": 3}, "error 503"),
    ("connection dropped", {"fault": "close_connection"}, "Could not reach the server"),
    ("truncated body", {"fault": "truncated_body"}, "cut off before the end"),
    ("invalid content type", {"fault": "wrong_content_type"}, "could not be used"),
    ("redirect elsewhere", {"fault": "redirect_to_other_host"}, "not followed"),
]


@pytest.mark.parametrize(("fault", "expected"), [f[1:] for f in FAULTS],
                         ids=[f[0] for f in FAULTS])
def test_generation_fault(launch, cloud, qtbot, fault: dict, expected: str) -> None:
    studio = launch(cloud_url=cloud.url)
    cloud.control.add_faults({"path_regex": TTS, **fault})
    generate(qtbot, studio)
    qtbot.waitUntil(lambda: banner_text(studio) != "", timeout=20_000)
    assert expected in banner_text(studio)
    assert "Your text is still here" in studio.find(QLabel, "speech.status").text()
    assert_recovered(qtbot, studio)
    # Usable again: the next try (no fault left) works and is saved.
    qtbot.mouseClick(studio.find(QPushButton, "speech.generate"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(studio.ctx.history.list()) == 1, timeout=20_000)
    assert not studio.find(QWidget, "speech.error").isVisible()


def test_retries_are_shown_while_waiting(launch, cloud, qtbot, tmp_path: Path) -> None:
    studio = launch(cloud_url=cloud.url)
    cloud.control.add_faults({"path_regex": TTS, "fault": "503", "retry_after": 1.5})
    shown: list[str] = []
    studio.window.statusBar().messageChanged.connect(shown.append)
    generate(qtbot, studio)
    qtbot.waitUntil(lambda: any("trying again in" in m for m in shown), timeout=10_000)
    qtbot.waitUntil(lambda: len(studio.ctx.history.list()) == 1, timeout=20_000)
    assert any("unavailable" in m for m in shown)


def test_error_banner_screenshot(launch, cloud, qtbot, tmp_path: Path) -> None:
    studio = launch(cloud_url=cloud.url)
    cloud.control.add_faults({"path_regex": TTS, "fault": "429", "count": 3,
                              "code": "too_many_concurrent_requests", "retry_after": 0.05})
    generate(qtbot, studio)
    qtbot.waitUntil(lambda: banner_text(studio) != "", timeout=20_000)
    save_screenshot(studio.window, "speech-error", tmp_path)


def test_bad_key_is_explained_at_start(launch, cloud, qtbot) -> None:
    studio = launch(cloud_url=cloud.url, key="not-a-real-key")
    assert "API key was not accepted" in banner_text(studio)
    assert "Settings" in banner_text(studio)
    assert not studio.find(QPushButton, "speech.generate").isEnabled()
    # What the user types is kept even though nothing can be generated yet.
    qtbot.keyClicks(studio.find(QPlainTextEdit, "speech.text"), TEXT)
    assert studio.find(QPlainTextEdit, "speech.text").toPlainText() == TEXT


def test_format_above_the_plan(launch, cloud, qtbot) -> None:
    studio = launch(cloud_url=cloud.url, key=FREE_KEY)
    combo = studio.find(QComboBox, "speech.format")
    combo.setCurrentIndex(combo.findData("mp3_44100_192"))
    note = studio.find(QLabel, "speech.format_note").text()
    assert "plan" in note
    generate(qtbot, studio)
    qtbot.waitUntil(lambda: banner_text(studio) != "", timeout=20_000)
    assert "Not included in your plan" in banner_text(studio)
    assert_recovered(qtbot, studio)


def test_empty_text_says_what_to_do(launch, cloud, qtbot) -> None:
    studio = launch(cloud_url=cloud.url)
    qtbot.mouseClick(studio.find(QPushButton, "speech.generate"), Qt.MouseButton.LeftButton)
    assert "Type some text first" in studio.find(QLabel, "speech.status").text()
    assert cloud.control.requests() == [] or all(
        not r["path"].startswith("/v1/text-to-speech") for r in cloud.control.requests())


def test_network_down(launch, cloud, qtbot) -> None:
    studio = launch(cloud_url=cloud.url)
    # The server vanishes: nothing listens on this port any more.
    studio.ctx.client.reconfigure(base_url="http://127.0.0.1:9", api_key="xi-test-creator")
    generate(qtbot, studio)
    qtbot.waitUntil(lambda: banner_text(studio) != "", timeout=30_000)
    assert "Could not reach the server" in banner_text(studio)
    assert "internet connection" in banner_text(studio)
    assert_recovered(qtbot, studio)


def test_cancel_mid_stream_saves_nothing(launch, cloud, qtbot) -> None:
    cloud.control.configure(chunk_delay_s=0.15, chunk_bytes=512)
    studio = launch(cloud_url=cloud.url)
    generate(qtbot, studio, "A long, slow sentence that takes a while to arrive. " * 4)
    cancel = studio.find(QPushButton, "speech.cancel")
    qtbot.waitUntil(cancel.isVisible, timeout=5000)
    qtbot.waitUntil(lambda: studio.ctx.player.duration_ms > 0, timeout=10_000)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    status = studio.find(QLabel, "speech.status")
    qtbot.waitUntil(lambda: status.text().startswith("Stopped"), timeout=10_000)
    assert_recovered(qtbot, studio, "A long, slow sentence that takes a while to arrive. " * 4)
    # The server saw the request end (no generation left running, and billed, there).
    qtbot.waitUntil(lambda: cloud.control.stats()["in_flight"] == 0, timeout=10_000)
    stats = cloud.control.stats()
    assert stats["disconnects"] >= 1 and stats["completed"] == 0, stats


def test_text_over_the_limit_is_stitched_into_one_file(launch, cloud, qtbot) -> None:
    studio = launch(cloud_url=cloud.url)
    model = studio.find(QComboBox, "speech.model")
    model.setCurrentIndex(model.findData("eleven_v3"))  # 5,000 characters per request
    sentence = "This sentence is one of many in a long script for the stitching test. "
    text = (sentence * 90).strip()  # about 6,300 characters: two parts
    generate(qtbot, studio, text)
    qtbot.waitUntil(lambda: len(studio.ctx.history.list()) == 1, timeout=60_000)
    sent = [r for r in cloud.control.requests() if r["path"].startswith("/v1/text-to-speech/")]
    assert len(sent) == 2
    first, second = (r["json"] for r in sent)
    # Split at a sentence end, losing nothing (the space between stays with a part).
    assert first["text"] + second["text"] == text
    assert first["text"].rstrip().endswith(".") and len(first["text"]) <= 5000
    assert first.get("next_text") == second["text"] and "previous_text" not in first
    generation = studio.ctx.history.list()[0]
    assert len(generation.request_ids) == 2
    assert second["previous_request_ids"] == generation.request_ids[:1]
    clip = decode_file(studio.ctx.history.audio_path(generation))
    assert clip.duration_ms >= 2 * 7000  # both parts are in the one file


def test_no_sound_output_still_saves_the_generation(launch, cloud, qtbot) -> None:
    """The sound device is gone (an unplugged headset): the audio is still made and
    saved in History; the user is told why they heard nothing and what to do."""
    studio = launch(cloud_url=cloud.url)
    studio.ctx.player.device = "Headset that was unplugged"
    generate(qtbot, studio)
    qtbot.waitUntil(lambda: len(studio.ctx.history.list()) == 1, timeout=30_000)
    qtbot.waitUntil(lambda: "could not be played" in banner_text(studio), timeout=10_000)
    assert "Headset that was unplugged" in banner_text(studio)
    assert "Settings" in banner_text(studio)
    saved = studio.ctx.history.audio_path(studio.ctx.history.list()[0])
    assert decode_file(saved).duration_ms > 500
    qtbot.waitUntil(studio.find(QPushButton, "speech.generate").isEnabled, timeout=10_000)
