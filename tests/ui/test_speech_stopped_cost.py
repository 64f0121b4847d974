"""A long text whose later part fails: the parts the server already made (and charged)
are in the usage ledger, driven through the real window against the cloud test server
on loopback (it charges a request when it starts it)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton

from tests.support.cloud_server import CREATOR_KEY

pytestmark = pytest.mark.e2e


def test_parts_paid_for_before_a_failure_are_in_the_usage_ledger(
        launch, cloud, qtbot: Any) -> None:
    studio = launch(cloud_url=cloud.url)
    tab = studio.window.speech_tab
    qtbot.waitUntil(lambda: tab.catalog_ready, timeout=10_000)
    words = "A sentence long enough to need several parts of the request. "
    text = (words * (12_000 // len(words) + 1))[:12_000]
    studio.find(QPlainTextEdit, "speech.text").setPlainText(text)
    before = cloud.server.accounts[CREATOR_KEY].character_count

    def fail_the_next_part(done: int, _parts: int) -> None:
        if done == 1:  # (the next request leaves after this signal)
            cloud.control.add_faults({"path_regex": "^/v1/text-to-speech/",
                                      "fault": "500"})

    tab._controller.generation_progress.connect(fail_the_next_part)
    qtbot.mouseClick(studio.find(QPushButton, "speech.generate"), Qt.MouseButton.LeftButton)
    banner = tab.error_banner
    qtbot.waitUntil(banner.isVisible, timeout=60_000)
    assert studio.ctx.history.list() == []  # no History entry: the audio is not whole
    charged = cloud.server.accounts[CREATOR_KEY].character_count - before
    assert charged > 0
    recorded = studio.ctx.costs.ledger.entries()
    assert sum(e.credits or 0 for e in recorded) == charged, recorded
    usage = studio.find(QLabel, "status.usage")
    qtbot.waitUntil(lambda: f"{charged:,} credits" in usage.text(), timeout=5_000)


def test_a_part_stopped_while_its_audio_arrives_is_in_the_usage_ledger(
        launch, cloud, qtbot: Any) -> None:
    """The server charges a request when it starts it: stopping while the audio is still
    arriving must not leave that charge out of the usage ledger."""
    studio = launch(cloud_url=cloud.url)
    tab = studio.window.speech_tab
    qtbot.waitUntil(lambda: tab.catalog_ready, timeout=10_000)
    studio.find(QPlainTextEdit, "speech.text").setPlainText(
        "A paragraph long enough that its audio takes a moment to arrive, which the "
        "user stops half-way because they noticed a typo in the second sentence.")
    account = cloud.server.accounts[CREATOR_KEY]
    before = account.character_count
    cloud.control.add_faults({"path_regex": "^/v1/text-to-speech/",
                              "fault": "stall_mid_body", "seconds": 30})
    with qtbot.waitSignal(tab._controller.audio_arrived, timeout=20_000):
        qtbot.mouseClick(studio.find(QPushButton, "speech.generate"),
                         Qt.MouseButton.LeftButton)
    charged = account.character_count - before
    assert charged > 0
    qtbot.mouseClick(studio.find(QPushButton, "speech.cancel"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab._controller.is_generating, timeout=10_000)
    assert studio.ctx.history.list() == []  # stopped: no History entry
    qtbot.waitUntil(lambda: len(studio.ctx.costs.ledger.entries()) == 1, timeout=5_000)
    recorded = studio.ctx.costs.ledger.entries()
    assert [(e.credits, e.estimated) for e in recorded] == [(charged, False)], recorded
    assert "(stopped)" in recorded[0].what
    assert recorded[0].request_id  # the answer's, to match the server's own history
