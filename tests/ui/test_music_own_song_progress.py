"""Music "Your song…" against the cloud test server on loopback: a big file says how far
its upload got (more than once), Stop upload ends it mid-file (the server never receives
the rest, nothing is charged and the plan stays), and a paid upload is on the usage
ledger, also when its answer is refused as unusable (the `charged_malformed` fault)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtWidgets import QLabel

from app.domain.music_plan import Plan, Section
from tests.support.cloud import Cloud
from tests.ui.test_music_own_song import choose
from tests.ui.test_music_sections import click

pytestmark = pytest.mark.e2e

UPLOAD = "/v1/music/upload"


def _big_song(path: Path, size: int) -> Path:
    """A WAV of `size` bytes: a real header, then (sparse) silence."""
    header = io.BytesIO()
    sf.write(header, np.zeros(2205, np.float32), 22050, format="WAV", subtype="PCM_16")
    with path.open("wb") as f:
        f.write(header.getvalue())
        f.truncate(size)
    return path


def _music_tab(launch: Any, cloud: Cloud) -> tuple[Any, Any]:
    studio = launch(cloud_url=cloud.url)
    studio.window.show_tab("music")
    tab = studio.window.music_tab
    tab.output.select(tab.output.model, "music_v1")
    tab.editor.set_plan(Plan(sections=[Section("Mine", 5000)]), "test")
    return studio, tab


def _uploads(cloud: Cloud) -> list[dict[str, Any]]:
    return [r for r in cloud.control.requests() if r["path"] == UPLOAD]


def _music_rows(studio: Any) -> list[Any]:
    return [e for e in studio.ctx.costs.ledger.entries() if e.kind == "music"]


def test_a_big_upload_says_how_far_it_got(launch: Any, cloud: Cloud, qtbot: Any,
                                          tmp_path: Path) -> None:
    """Before: "Uploading…" and nothing more until the plan came back. Now the status
    says the share sent, many times over for a multi-MB file, then that the server is
    finding the sections; the paid upload is on the usage ledger at the server's cost."""
    size = 16 * 1024 * 1024
    song = _big_song(tmp_path / "long mix.wav", size)
    studio, tab = _music_tab(launch, cloud)
    reported: list[tuple[int, int]] = []
    said: list[str] = []
    tab.producer.own_song.progress.connect(lambda sent, total: reported.append((sent, total)))
    tab.producer.own_song.progress.connect(lambda *_: said.append(tab.status.text()))
    choose(qtbot, studio, song)
    qtbot.waitUntil(lambda: tab.producer.own_song_button.text() == "Your song…"
                    and tab.editor.model.plan.sections[0].source is not None,
                    timeout=60_000)
    assert len(reported) > 10, reported
    assert reported[-1] == (size, size)
    assert any(sent < size for sent, _ in reported)
    assert any("% of 16.8 MB sent" in text for text in said), said
    assert "the server is finding its sections" in said[-1], said[-1]
    assert [sent for sent, _ in reported] == sorted(sent for sent, _ in reported)

    rows = _music_rows(studio)
    assert len(rows) == 1, rows
    assert "“long mix.wav” uploaded" in rows[0].what
    assert rows[0].credits is not None and rows[0].credits > 0 and not rows[0].estimated
    assert rows[0].request_id
    assert cloud.control.stats()["generations"]["upload_song"] == 1


def test_stop_upload_ends_it_mid_file(launch: Any, cloud: Cloud, qtbot: Any,
                                      tmp_path: Path) -> None:
    """Stop upload pressed once 2 MB of a 64 MB file are sent: the upload ends there (the
    server receives far less than the file), the plan is as it was, nothing is charged
    or put on the ledger, and the button offers "Your song…" again."""
    size = 64 * 1024 * 1024
    song = _big_song(tmp_path / "whole album.wav", size)
    studio, tab = _music_tab(launch, cloud)
    at_stop: list[int] = []

    def stop_once(sent: int, _total: int) -> None:
        if sent >= 2 * 1024 * 1024 and not at_stop:
            at_stop.append(sent)
            click(qtbot, studio, "music.own_song")  # Stop upload

    tab.producer.own_song.progress.connect(stop_once)
    choose(qtbot, studio, song)
    button = tab.producer.own_song_button
    qtbot.waitUntil(lambda: bool(at_stop) and button.text() == "Your song…", timeout=60_000)
    assert tab.status.text() == "Upload stopped. The plan is as it was."
    # The server saw the connection go and let the request end where it stopped.
    qtbot.waitUntil(lambda: len(_uploads(cloud)) == 1, timeout=30_000)
    received = _uploads(cloud)[0]["body_size"]
    assert received < size // 4, (received, at_stop)
    assert [s.name for s in tab.editor.model.plan.sections] == ["Mine"]
    assert tab.editor.model.plan.sections[0].source is None
    assert not studio.find(QLabel, "music.error.text").isVisible()
    assert _music_rows(studio) == []
    assert cloud.control.stats()["generations"].get("upload_song", 0) == 0


def test_an_upload_refused_after_it_was_charged_is_on_the_ledger(
        launch: Any, cloud: Cloud, qtbot: Any, tmp_path: Path) -> None:
    """The server took the song and charged it, but its answer had no song id: the
    error is shown, the plan stays, and the charge is on the usage ledger."""
    cloud.control.add_faults({"path_regex": "^/v1/music/upload$", "method": "POST",
                              "fault": "charged_malformed"})
    studio, tab = _music_tab(launch, cloud)
    choose(qtbot, studio, _big_song(tmp_path / "mine.wav", 1024 * 1024))
    banner = studio.find(QLabel, "music.error.text")
    qtbot.waitUntil(banner.isVisible, timeout=30_000)
    assert "no song id" in banner.text(), banner.text()
    assert [s.name for s in tab.editor.model.plan.sections] == ["Mine"]
    rows = _music_rows(studio)
    assert len(rows) == 1, rows
    assert "(answer unusable)" in rows[0].what
    assert rows[0].credits is not None and rows[0].credits > 0 and not rows[0].estimated
