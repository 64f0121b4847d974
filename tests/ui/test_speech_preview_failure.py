"""A voice sample that cannot be fetched: the Speech tab says the sample failed, and its
Try again fetches the sample again; it never generates the user's text (which costs
credits). Driven through the real window against the cloud test server on loopback."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton

pytestmark = pytest.mark.e2e

SARAH = "EXAVITQu4vr4xnSDxMaL"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_failed_voice_sample_is_retried_as_a_sample_not_a_generation(
        launch, cloud, qtbot: Any) -> None:
    sample = f"http://127.0.0.1:{_closed_port()}/sarah.mp3"  # nothing listens there
    voice = {"voice_id": SARAH, "name": "Sarah", "category": "premade",
             "labels": {"language": "en"}, "available_for_tiers": [],
             "high_quality_base_model_ids": [], "preview_url": sample}
    cloud.control.add_faults({"path_regex": "^/v2/voices$", "fault": "json_body",
                              "count": 100, "body": {"voices": [voice], "has_more": False,
                                                     "total_count": 1}})
    studio = launch(cloud_url=cloud.url)
    tab = studio.window.speech_tab
    qtbot.waitUntil(lambda: tab.catalog_ready, timeout=10_000)
    studio.find(QPlainTextEdit, "speech.text").setPlainText("A long and costly text.")
    qtbot.mouseClick(studio.find(QPushButton, "speech.voice_preview"),
                     Qt.MouseButton.LeftButton)
    banner = tab.error_banner
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    shown = " ".join(label.text() for label in banner.findChildren(QLabel))
    assert "sample" in shown, shown
    status = studio.find(QLabel, "speech.status")
    assert "Nothing was saved" not in status.text(), status.text()
    retry = next(b for b in banner.findChildren(QPushButton) if b.text() == "Try again")
    assert retry.isVisible()
    qtbot.mouseClick(retry, Qt.MouseButton.LeftButton)
    qtbot.wait(1_000)
    sent = [r for r in cloud.control.requests() if r["path"].startswith("/v1/text-to-speech")]
    assert sent == [], "Try again after a failed sample generated the text"
    qtbot.waitUntil(banner.isVisible, timeout=10_000)  # the sample failed again
    assert studio.ctx.history.list() == []
