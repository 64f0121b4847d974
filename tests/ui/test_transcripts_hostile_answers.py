"""The Transcripts tab meets hostile speech-to-text answers from a real (loopback) cloud
server: each is refused in plain words, and nothing is kept as if it were a transcript."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPushButton, QWidget

from tests.support.cloud import Cloud

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("times", [(1e300, 1e301), (10**30, 10**31)])
def test_enormous_word_times_are_refused_in_plain_words(
        launch: Any, cloud: Cloud, qtbot: Any, times: tuple[float, float]) -> None:
    """Finite, so they were taken, and then History could not store the duration:
    "Something unexpected went wrong: Python int too large to convert to SQLite INTEGER"."""
    start, end = times
    body = {"language_code": "en", "text": "hello",
            "words": [{"text": "hello", "start": start, "end": end, "type": "word"}]}
    cloud.control.add_faults({"path_regex": "^/v1/speech-to-text/transcripts/",
                              "method": "GET", "fault": "json_body", "body": body})
    studio = launch(cloud_url=cloud.url)
    studio.window.show_tab("transcripts")
    qtbot.keyClicks(studio.find(QLineEdit, "transcripts.id_input"), "abc123")
    qtbot.mouseClick(studio.find(QPushButton, "transcripts.fetch"), Qt.MouseButton.LeftButton)
    banner = studio.find(QWidget, "transcripts.error")
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    assert "too large" in banner.text() and "unexpected" not in banner.text().lower()
    assert studio.ctx.history.list(kind="transcript") == []
    fetch = studio.find(QPushButton, "transcripts.fetch")
    qtbot.waitUntil(fetch.isEnabled, timeout=5_000)  # the tab stays usable
