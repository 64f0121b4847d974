"""A music stream stopped partway was paid for (the server charges a song when it starts
it) but was not on the usage ledger; speech counted its part stopped mid-download. Now a
streamed song stopped while arriving is on the ledger at the server's own cost, marked
stopped, with no version kept. Against the cloud test server on loopback."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QCheckBox

from app.domain.music_plan import Plan, Section
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


@pytest.mark.parametrize("details", [False, True], ids=["compose", "detailed"])
def test_a_whole_song_stopped_while_its_body_arrives_is_on_the_ledger(
        launch: Any, cloud: Cloud, qtbot: Any, details: bool) -> None:
    """A music v1 plan with free section lengths does not stream: the song comes as one
    answer (POST /v1/music or its detailed form). Stopped after its headers and half its
    body arrived, it was charged but was missing from the ledger (only a streamed song
    was counted)."""
    studio, tab = _open_a_free_length_plan(launch, cloud)
    studio.find(QCheckBox, "music.detailed").setChecked(details)
    endpoints: list[str] = []
    tab.controller.compose_started.connect(endpoints.append)
    cloud.control.add_faults({"path_regex": "^/v1/music(/detailed)?$",
                              "fault": "stall_mid_body", "seconds": 60})
    click(qtbot, studio, "music.compose")
    # Server-side: the headers and the first half of the body are sent, the rest held.
    qtbot.waitUntil(lambda: cloud.server.stats.stalled_mid_body == 1, timeout=30_000)
    qtbot.wait(300)  # the client has read what was sent and waits for the rest
    click(qtbot, studio, "music.cancel")
    qtbot.waitUntil(lambda: not tab.controller.is_composing, timeout=15_000)
    assert endpoints == ["detailed" if details else "compose"]
    assert "Stopped" in tab.status.text()
    assert studio.ctx.history.list(kind="music") == []  # no version of a half song
    qtbot.waitUntil(lambda: bool(studio.ctx.costs.ledger.entries()), timeout=10_000)
    rows = [e for e in studio.ctx.costs.ledger.entries() if e.kind == "music"]
    assert len(rows) == 1, rows
    assert rows[0].what.endswith("(stopped)"), rows[0].what
    assert rows[0].credits == 300, rows[0]  # the server's figure: 30 s at 10 a second
    assert not rows[0].estimated and rows[0].request_id
    audio_dir = studio.ctx.history.new_audio_dir
    assert not audio_dir.exists() or [p for p in audio_dir.iterdir() if p.is_file()] == []


def test_a_whole_song_stopped_before_its_answer_is_not_on_the_ledger(
        launch: Any, cloud: Cloud, qtbot: Any) -> None:
    """No headers yet: the server has not answered, so nothing was charged."""
    studio, tab = _open_a_free_length_plan(launch, cloud)
    cloud.control.add_faults({"path_regex": "^/v1/music$",
                              "fault": "stall_before_headers", "seconds": 60})
    click(qtbot, studio, "music.compose")
    qtbot.waitUntil(lambda: any(r["path"] == "/v1/music" for r in cloud.control.requests()),
                    timeout=30_000)
    click(qtbot, studio, "music.cancel")
    qtbot.waitUntil(lambda: not tab.controller.is_composing, timeout=15_000)
    qtbot.wait(500)  # a row, if one were wrongly written, would be in by now
    assert [e for e in studio.ctx.costs.ledger.entries() if e.kind == "music"] == []


def _open_a_free_length_plan(launch: Any, cloud: Cloud) -> tuple[Any, Any]:
    """The Music tab holding a 30 s music v1 plan whose section lengths may change: the
    stream requests cannot say so, so it is asked for as one whole answer."""
    studio = launch(cloud_url=cloud.url)
    studio.window.show_tab("music")
    tab = studio.window.music_tab
    tab.output.select(tab.output.model, "music_v1")
    tab.editor.set_plan(Plan(["ambient"], [], [
        Section("Intro", 10_000, ["pads"]), Section("Drone", 20_000, ["low drone"])],
        respect_sections_durations=False), "test")
    return studio, tab
