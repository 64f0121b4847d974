"""Music for a video through the window (engine): a video chosen, a poster strip shown,
music as long as the video made, heard, and the video exported with it; a file without
pictures gets a plain message."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from PySide6.QtWidgets import QLabel, QLineEdit

from tests.engine.test_music_video import make_video
from tests.support.alsa_sink import read_played
from tests.ui.conftest import save_screenshot
from tests.ui.test_music_sections import click

pytestmark = pytest.mark.e2e


def test_music_for_a_video_exported(launch, engine_url, qtbot, alsa_played_file: Path,
                                    tmp_path: Path) -> None:
    studio = launch(engine_url=engine_url)
    studio.window.show_tab("music")
    tab = studio.window.music_tab
    tab.mode.setCurrentIndex(0)
    click(qtbot, studio, "music.video")
    dialog = tab.producer.video_dialog
    video = tmp_path / "holiday.mp4"
    video.write_bytes(make_video(4.0))
    dialog.set_videos([str(video)])
    strip = studio.find(QLabel, "music.video_strip")
    qtbot.waitUntil(lambda: strip.pixmap() is not None and not strip.pixmap().isNull(),
                    timeout=10_000)
    qtbot.keyClicks(studio.find(QLineEdit, "music.video_description"), "calm piano")
    qtbot.keyClicks(studio.find(QLineEdit, "music.video_tags"), "cinematic, slow")
    click(qtbot, studio, "music.video_make")
    qtbot.waitUntil(lambda: dialog.music is not None, timeout=60_000)
    assert abs(dialog.music.duration_ms - 4000) < 150
    click(qtbot, studio, "music.video_play")
    qtbot.waitUntil(lambda: np.abs(read_played(alsa_played_file)).max(initial=0) > 0.02,
                    timeout=15_000)
    save_screenshot(dialog, "music-video", tmp_path)
    out = tmp_path / "holiday with music.mp4"
    dialog.export_to(str(out))
    status = studio.find(QLabel, "music.video_status")
    qtbot.waitUntil(lambda: "Saved" in status.text(), timeout=30_000)
    with av.open(str(out), "r") as result:
        assert len(result.streams.video) == 1 and len(result.streams.audio) == 1


def test_a_file_without_pictures(launch, engine_url, qtbot, tmp_path: Path) -> None:
    studio = launch(engine_url=engine_url)
    studio.window.show_tab("music")
    tab = studio.window.music_tab
    tab.mode.setCurrentIndex(0)
    click(qtbot, studio, "music.video")
    dialog = tab.producer.video_dialog
    notes = tmp_path / "notes.mp4"
    notes.write_text("no pictures here")
    dialog.set_videos([str(notes)])
    status = studio.find(QLabel, "music.video_status")
    qtbot.waitUntil(lambda: "shows no pictures" in status.text(), timeout=10_000)
    click(qtbot, studio, "music.video_make")  # and the server says so too
    try:
        qtbot.waitUntil(lambda: "did not work" in status.text(), timeout=30_000)
    except Exception:
        raise AssertionError(status.text()) from None
    assert "not a video" in status.text()
    assert dialog.music is None
