"""A music stream stopped partway was paid for (the server charges a song when it starts
it) but was not on the usage ledger; speech counted its part stopped mid-download. Now a
streamed song stopped while arriving is on the ledger at the server's own cost, marked
stopped, with no version kept. Against the cloud test server on loopback."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QCheckBox

from tests.support.cloud import Cloud
from tests.ui.test_music_sections import click

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("details", [False, True], ids=["stream", "detailed_stream"])
def test_a_song_stopped_while_arriving_is_on_the_ledger(
        launch: Any, cloud: Cloud, qtbot: Any, details: bool) -> None:
    # Slow pieces, so the song is still arriving when the first of it is heard.
    cloud.control.configure(chunk_delay_s=0.05, chunk_bytes=1024, max_seconds=8.0)
    studio = launch(cloud_url=cloud.url)
    studio.window.show_tab("music")
    tab = studio.window.music_tab
    tab.mode.setCurrentIndex(0)
    tab.prompt_panel.set_values("A long ambient drone", 120_000, True)
    detailed = studio.find(QCheckBox, "music.detailed")
    detailed.setChecked(details)
    endpoints: list[str] = []
    tab.controller.compose_started.connect(endpoints.append)
    heard: list[float] = []

    def stop_once(_peaks: object, seconds: float) -> None:
        if not heard:
            heard.append(seconds)
            click(qtbot, studio, "music.cancel")

    tab.controller.audio_arrived.connect(stop_once)
    click(qtbot, studio, "music.compose")
    qtbot.waitUntil(lambda: bool(heard) and not tab.controller.is_composing, timeout=60_000)
    assert endpoints == ["detailed_stream" if details else "stream"]
    assert "Stopped" in tab.status.text()
    assert studio.ctx.history.list(kind="music") == []
    qtbot.waitUntil(lambda: bool(studio.ctx.costs.ledger.entries()), timeout=10_000)
    rows = [e for e in studio.ctx.costs.ledger.entries() if e.kind == "music"]
    assert len(rows) == 1, rows
    assert rows[0].what.endswith("(stopped)"), rows[0].what
    # The server's own figure from the answer's headers: 120 s at its 10 credits a second.
    assert rows[0].credits == 1200, rows[0]
    assert not rows[0].estimated and rows[0].request_id
