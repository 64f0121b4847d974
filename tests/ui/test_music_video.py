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


def test_video_music_is_kept_in_history_and_reopens(launch, engine_url, qtbot,
                                                    tmp_path: Path) -> None:
    """The music made for a video is a History row like any song (listed in the History
    panel and the Music tab's versions); its exported video is noted in it; Re-open in
    History brings back the window with the videos, the words and the music."""
    import json

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton, QTableView

    studio = launch(engine_url=engine_url)
    studio.window.show_tab("music")
    tab = studio.window.music_tab
    click(qtbot, studio, "music.video")
    dialog = tab.producer.video_dialog
    video = tmp_path / "beach.mp4"
    video.write_bytes(make_video(3.0))
    dialog.set_videos([str(video)])
    qtbot.keyClicks(studio.find(QLineEdit, "music.video_description"), "warm synths")
    qtbot.keyClicks(studio.find(QLineEdit, "music.video_tags"), "sunny, slow")
    click(qtbot, studio, "music.video_make")
    qtbot.waitUntil(lambda: dialog.generation is not None, timeout=60_000)
    table = studio.find(QTableView, "history.list")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1, timeout=10_000)
    [row] = studio.ctx.history.list(kind="music")
    assert row.title == "Music for beach.mp4" and abs(row.duration_ms - 3000) < 150
    assert "warm synths" in row.text and row.file_exists
    qtbot.waitUntil(lambda: tab.versions.list.count() == 1, timeout=10_000)

    out = tmp_path / "beach with music.mp4"
    dialog.export_to(str(out))
    status = studio.find(QLabel, "music.video_status")
    qtbot.waitUntil(lambda: "History notes where it is" in status.text(), timeout=30_000)
    [row] = studio.ctx.history.list(kind="music")
    assert json.loads(row.extra_json)["exported_video"] == str(out)
    dialog.close()

    table.selectRow(0)
    qtbot.mouseClick(studio.find(QPushButton, "history.reopen"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.producer.video_dialog is not None
                    and tab.producer.video_dialog is not dialog
                    and tab.producer.video_dialog.music is not None, timeout=20_000)
    again = tab.producer.video_dialog
    assert again.isVisible() and again.videos == [video]
    assert again.description.text() == "warm synths" and again.tags.text() == "sunny, slow"
    assert abs(again.music.duration_ms - 3000) < 150
    assert "from History" in again.status.text()
    assert again.export_button.isEnabled()
