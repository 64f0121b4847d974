"""Bring your own song through the window, against the engine and the cloud test
server: the upload's plan opens with every section kept; one section is unticked and
re-made; the compose request keeps the other two (`source_from` the uploaded song) and
validates against the spec. A text file gets a plain error and the plan being edited
stays; a song the server no longer keeps says "upload it again"."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtWidgets import QFileDialog, QLabel

from app.domain.music_plan import Plan, Section
from tests.audio.test_song_sections import _part
from tests.support.spec import validate_request
from tests.ui.test_music_sections import click

pytestmark = pytest.mark.e2e

# How each server says where the sections came from: the engine estimates them from the
# audio offline; the cloud (test server) sends the plan it heard.
HOW_FOUND = {"engine": "estimated from the audio", "cloud": "as the server heard them"}


def _song(path: Path) -> Path:
    rng = np.random.default_rng(5)
    song = np.concatenate([_part(12, "low", rng, 22050), _part(10, "noise", rng, 22050),
                           _part(12, "high", rng, 22050)]).astype(np.float32)
    buffer = io.BytesIO()
    sf.write(buffer, song, 22050, format="WAV", subtype="PCM_16")
    path.write_bytes(buffer.getvalue())
    return path


def choose(qtbot, studio, path: Path) -> None:
    click(qtbot, studio, "music.own_song")
    dialog = studio.find(QFileDialog, "music.own_song_dialog")
    dialog.selectFile(str(path))
    dialog.accept()


def open_own_song(launch, music_backend, qtbot, tmp_path: Path):
    """The window with the uploaded song's plan open, every section kept."""
    studio = launch(**music_backend.launch_options())
    studio.window.show_tab("music")
    tab = studio.window.music_tab
    tab.output.select(tab.output.model, "music_v1")
    choose(qtbot, studio, _song(tmp_path / "mine.wav"))
    model = tab.editor.model
    qtbot.waitUntil(lambda: len(model.plan.sections) == 3, timeout=30_000)
    assert all(s.source is not None for s in model.plan.sections)
    assert HOW_FOUND[music_backend.kind] in studio.find(QLabel, "music.base").text()
    upload = [r for r in music_backend.requests() if r["path"] == "/v1/music/upload"]
    assert len(upload) == 1
    return studio, tab, model


def test_upload_keep_two_remake_one(launch, music_backend, qtbot, tmp_path: Path) -> None:
    studio, tab, model = open_own_song(launch, music_backend, qtbot, tmp_path)
    song_id = model.section(0).source.song_id

    assert model.set_kept(1, False)  # re-make the middle
    click(qtbot, studio, "music.compose")
    qtbot.waitUntil(lambda: len(studio.ctx.history.list(kind="music")) == 1
                    and not tab.controller.is_composing, timeout=60_000)
    sent = [r for r in music_backend.requests() if r["path"].startswith("/v1/music")
            and r["path"] != "/v1/music/upload"][-1]
    validate_request(sent["method"], sent["path"], sent["query"], sent["json"])
    sections = sent["json"]["composition_plan"]["sections"]
    assert [("source_from" in s) for s in sections] == [True, False, True]
    assert sections[0]["source_from"]["song_id"] == song_id
    assert not studio.find(QLabel, "music.error.text").isVisible()


def test_a_text_file_is_refused_and_the_plan_stays(launch, music_backend, qtbot,
                                                   tmp_path: Path) -> None:
    studio = launch(**music_backend.launch_options())
    studio.window.show_tab("music")
    tab = studio.window.music_tab
    tab.editor.set_plan(Plan(sections=[Section("Mine", 5000)]), "test")
    notes = tmp_path / "notes.mp3"
    notes.write_text("not a song")
    choose(qtbot, studio, notes)
    banner = studio.find(QLabel, "music.error.text")
    qtbot.waitUntil(banner.isVisible, timeout=20_000)
    assert "not audio" in banner.text()
    assert [s.name for s in tab.editor.model.plan.sections] == ["Mine"]


def test_a_song_the_server_forgot_says_upload_it_again(launch, music_backend, qtbot,
                                                       tmp_path: Path) -> None:
    """Re-making a section of an uploaded song whose id the server no longer keeps: a
    404 `song_not_found`, shown as "upload it again"; the plan, its kept sections and the
    versions are all still there."""
    studio, tab, model = open_own_song(launch, music_backend, qtbot, tmp_path)
    song_id = model.section(0).source.song_id
    music_backend.forget_songs()  # the server restarted, say

    assert model.set_kept(1, False)
    click(qtbot, studio, "music.compose")
    banner = studio.find(QLabel, "music.error.text")
    qtbot.waitUntil(lambda: banner.isVisible() and not tab.controller.is_composing,
                    timeout=60_000)
    assert "no longer has this song; upload it again" in banner.text()
    assert [s.source is not None for s in model.plan.sections] == [True, False, True]
    assert model.section(0).source.song_id == song_id
    assert studio.ctx.history.list(kind="music") == []


def test_a_file_gone_or_empty_says_so_and_sends_nothing(launch, music_backend, qtbot,
                                                        tmp_path: Path) -> None:
    """A song deleted after it was chosen said "Could not write a file … check that the
    disk has space"; an empty file was uploaded (uploads are charged like songs). Both
    now say what is wrong with the file, send nothing and leave the plan alone."""
    studio = launch(**music_backend.launch_options())
    studio.window.show_tab("music")
    tab = studio.window.music_tab
    tab.editor.set_plan(Plan(sections=[Section("Mine", 5000)]), "test")
    banner = studio.find(QLabel, "music.error.text")
    gone = tmp_path / "gone song.wav"
    tab.producer.own_song.upload(gone, "music_v1")  # chosen, then deleted
    qtbot.waitUntil(banner.isVisible, timeout=20_000)
    assert "Your song could not be read" in banner.text()
    assert "“gone song.wav” could not be read: No such file or directory" in banner.text()
    assert "write" not in banner.text()

    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    choose(qtbot, studio, empty)
    qtbot.waitUntil(lambda: "empty.wav" in banner.text(), timeout=20_000)
    assert "“empty.wav” is empty (0 bytes)" in banner.text()
    assert [r for r in music_backend.requests() if r["path"] == "/v1/music/upload"] == []
    assert [s.name for s in tab.editor.model.plan.sections] == ["Mine"]


def test_an_upload_under_way_is_said_and_can_be_stopped(launch, cloud, qtbot,
                                                        tmp_path: Path) -> None:
    """A long upload showed nothing (the status still said "Ready… Press Compose") and
    could not be stopped. Now the status says it is uploading, the button turns into
    Stop upload, and stopping leaves the plan as it was."""
    cloud.control.add_faults({"path_regex": "^/v1/music/upload$",
                              "fault": "stall_before_headers", "seconds": 30})
    studio = launch(cloud_url=cloud.url)
    studio.window.show_tab("music")
    tab = studio.window.music_tab
    tab.editor.set_plan(Plan(sections=[Section("Mine", 5000)]), "test")
    choose(qtbot, studio, _song(tmp_path / "long mix.wav"))
    button = tab.producer.own_song_button
    qtbot.waitUntil(lambda: button.text() == "Stop upload", timeout=10_000)
    assert "Uploading “long mix.wav”" in tab.status.text()

    click(qtbot, studio, "music.own_song")  # Stop upload
    qtbot.waitUntil(lambda: button.text() == "Your song…", timeout=10_000)
    assert tab.status.text() == "Upload stopped. The plan is as it was."
    assert button.accessibleName() == "Bring your own song"
    assert [s.name for s in tab.editor.model.plan.sections] == ["Mine"]
    assert not studio.find(QLabel, "music.error.text").isVisible()


def test_a_file_far_too_large_for_a_song_is_refused_before_sending(
        launch, cloud, qtbot, tmp_path: Path) -> None:
    """A 3 GB file (sparse: no disk taken) is said to be too large in GB, with what to
    choose instead; nothing is sent and the plan is left alone."""
    studio = launch(cloud_url=cloud.url)
    studio.window.show_tab("music")
    tab = studio.window.music_tab
    tab.editor.set_plan(Plan(sections=[Section("Mine", 5000)]), "test")
    huge = tmp_path / "whole night.wav"
    with huge.open("wb") as f:
        f.truncate(3 * 1024 ** 3)
    tab.producer.own_song.upload(huge, "music_v1")
    banner = studio.find(QLabel, "music.error.text")
    qtbot.waitUntil(banner.isVisible, timeout=20_000)
    assert "“whole night.wav” is 3.0 GB, more than the 2 GB a song can be" in banner.text()
    assert [r for r in cloud.control.requests() if r["path"] == "/v1/music/upload"] == []
    assert [s.name for s in tab.editor.model.plan.sections] == ["Mine"]


def test_a_long_song_is_sent_from_disk_not_read_whole(launch, cloud, qtbot,
                                                      tmp_path: Path) -> None:
    """A 64 MB song reaches a (loopback) server whole, while the app's memory never holds
    it: the peak of Python's allocations during the upload stays far below its size
    (read whole, it was at least the file's size)."""
    import tracemalloc

    from tests.support.raw_server import RawConnection, serve_raw

    size = 64 * 1024 * 1024
    song = tmp_path / "long mix.wav"
    with song.open("wb") as f:  # a real WAV header, then (sparse) silence
        header = io.BytesIO()
        sf.write(header, np.zeros(10, np.float32), 22050, format="WAV", subtype="PCM_16")
        f.write(header.getvalue())
        f.truncate(size)
    received: list[int] = []
    plan = {"positive_global_styles": [], "negative_global_styles": [], "sections": [
        {"section_name": "All of it", "positive_local_styles": [], "negative_local_styles": [],
         "duration_ms": 5000, "lines": []}]}

    async def handler(conn: RawConnection) -> None:
        await conn.read_head()
        if conn.headers.get("expect", "").lower() == "100-continue":
            await conn.send(b"HTTP/1.1 100 Continue\r\n\r\n")
        left, got = int(conn.headers["content-length"]), 0
        while left:  # read and let go, a piece at a time (the server holds no copy)
            piece = await conn.reader.read(min(left, 1 << 20))
            if not piece:
                return
            left -= len(piece)
            got += len(piece)
        received.append(got)
        await conn.answer("200 OK", {"Content-Type": "application/json"},
                          json.dumps({"song_id": "song123", "composition_plan": plan}).encode())

    studio = launch(cloud_url=cloud.url)
    studio.window.show_tab("music")
    tab = studio.window.music_tab
    tab.editor.set_plan(Plan(sections=[Section("Mine", 5000)]), "test")
    with serve_raw(handler) as server:
        studio.ctx.client.reconfigure(base_url=server.url)
        tracemalloc.start()
        try:
            tab.producer.own_song.upload(song, "music_v1")
            qtbot.waitUntil(lambda: [s.name for s in tab.editor.model.plan.sections]
                            == ["All of it"], timeout=60_000)
            _now, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert received and received[0] > size  # the whole file, in its multipart wrapping
    assert peak < size // 4, f"{peak / 1e6:.0f} MB held at once for a {size // 2**20} MB file"
