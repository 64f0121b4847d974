"""Composing with streamed details (`/v1/music/detailed/stream`) through the Music tab:
the section times reach the version timeline while the song is still arriving (before
it is complete and kept), one section after another; the finished version keeps them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QPushButton, QTabWidget, QWidget

from app.domain.music_plan import Plan, Section
from tests.ui.test_music_tab import find, make_tab, music_server, wait_done

pytestmark = pytest.mark.e2e
__all__ = ["make_tab", "music_server"]  # the fixtures, shared with test_music_tab

PLAN = Plan(["pop", "120 bpm"], [], [
    Section("Intro", 6_000, ["soft pads"]), Section("Verse", 8_000, ["piano"]),
    Section("Chorus", 8_000, ["big drums"]), Section("Outro", 6_000, ["fade out"])])


def test_section_times_arrive_while_the_song_plays(make_tab: Any, music_server: Any,
                                                   qtbot: Any, tmp_path: Path) -> None:
    url, recorded = music_server
    tab = make_tab(url)
    tab.output.select(tab.output.model, "music_v1")
    tab.editor.set_plan(PLAN, "test")
    find(tab, QCheckBox, "music.detailed").setChecked(True)
    fmt = find(tab, QComboBox, "music.format")
    fmt.setCurrentIndex(fmt.findData("pcm_44100"))
    player = tab.producer.section_player
    seen: list[tuple[bool, int, list[tuple[str, int, int]], int]] = []

    def on_sections(_asked: object, _plan: object, _times: list) -> None:
        seen.append((tab.controller.is_composing, player.live_count,
                     [(s.name, s.start_ms, s.duration_ms) for s in player.timeline.sections()],
                     tab._ctx.history.list(kind="music").__len__()))

    tab.controller.sections_arrived.connect(on_sections)
    recorded.requests.clear()
    qtbot.mouseClick(find(tab, QPushButton, "music.compose"), Qt.MouseButton.LeftButton)
    wait_done(qtbot, tab)
    assert recorded.requests[-1]["path"] == "/v1/music/detailed/stream"

    # Live: the sections were placed one by one while composing, nothing kept yet.
    assert [count for _composing, count, _spans, _kept in seen] == [0, 1, 2, 3, 4]
    assert all(composing and kept == 0 for composing, _count, _spans, kept in seen)
    assert seen[-1][2] == [("Intro", 0, 6_000), ("Verse", 6_000, 8_000),
                           ("Chorus", 14_000, 8_000), ("Outro", 22_000, 6_000)]
    # The version kept them; Section by section shows them from the server.
    [version] = tab._ctx.history.list(kind="music")
    extra = json.loads(version.extra_json)
    assert extra["section_timings_ms"] == [[0, 6000], [6000, 14000], [14000, 22000],
                                           [22000, 28000]]
    assert extra["endpoint"] == "detailed_stream"
    qtbot.waitUntil(lambda: player.generation is not None, timeout=10_000)
    assert "as the server returned" in player.note.text()
    assert version.duration_ms == pytest.approx(28_000, abs=50)


def _plan_with_details(launch: Any, cloud: Any) -> tuple[Any, Any]:
    """The main window against the cloud test server, on the Music tab's plan page with
    PLAN (v1) and Song details ticked, as a user would set it up."""
    studio = launch(cloud_url=cloud.url)
    studio.window.show_tab("music")
    studio.find(QTabWidget, "music.mode").setCurrentIndex(1)
    tab = studio.window.music_tab
    tab.output.select(tab.output.model, "music_v1")
    tab.editor.set_plan(PLAN, "test")
    studio.find(QCheckBox, "music.detailed").setChecked(True)
    return studio, tab


def test_through_the_window_against_the_cloud(launch, cloud, qtbot) -> None:
    """The same through the main window against the cloud test server (which checks the
    request against the spec and paces its events): the sections show while composing."""
    # The whole 28 s song (the test server's default cuts songs to 8 s, and the kept
    # version's sections then stop at its end).
    cloud.control.configure(max_seconds=120.0)
    studio, tab = _plan_with_details(launch, cloud)
    player = tab.producer.section_player
    live: list[tuple[bool, int]] = []
    tab.controller.sections_arrived.connect(
        lambda _asked, _plan, _times: live.append((tab.controller.is_composing, player.live_count)))
    qtbot.mouseClick(studio.find(QPushButton, "music.compose"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(studio.ctx.history.list(kind="music")) == 1
                    and not tab.controller.is_composing, timeout=60_000)
    assert cloud.control.requests()[-1]["path"] == "/v1/music/detailed/stream"
    assert [count for _c, count in live] == [0, 1, 2, 3, 4]
    assert all(composing for composing, _n in live)
    assert [(s.name, s.start_ms) for s in player.timeline.sections()] == [
        ("Intro", 0), ("Verse", 6_000), ("Chorus", 14_000), ("Outro", 22_000)]


def test_a_server_without_the_streamed_route_gets_the_whole_reply(launch, cloud,
                                                                   qtbot) -> None:
    """A server that has no `/detailed/stream` (a bare 404, as FastAPI answers an unknown
    route) gets the whole `/detailed` request instead: the song is made and kept once.
    A 404 with the API's own code is a real answer and is shown (the fault matrix)."""
    cloud.control.reset()
    cloud.control.add_faults({"path_regex": r"^/v1/music/detailed/stream$",
                              "fault": "no_route"})
    studio, tab = _plan_with_details(launch, cloud)
    qtbot.mouseClick(studio.find(QPushButton, "music.compose"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(studio.ctx.history.list(kind="music")) == 1
                    and not tab.controller.is_composing, timeout=60_000)
    paths = [r["path"] for r in cloud.control.requests() if r["path"].startswith("/v1/music")]
    assert paths == ["/v1/music/detailed/stream", "/v1/music/detailed"]
    [version] = studio.ctx.history.list(kind="music")
    assert json.loads(version.extra_json)["endpoint"] == "detailed"
    assert not studio.find(QWidget, "music.error").isVisible()
