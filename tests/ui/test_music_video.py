"""Music for a video through the window: a video chosen, a poster strip shown, music as
long as the video made (engine), heard, and the video exported with it; two videos on the
cloud test server, the request checked against the spec and each video exported with its
own part of the music; files without pictures (text, a sound-only container) get a plain
message naming them, and nothing the user chose is lost."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog, QLabel, QLineEdit, QPushButton

from tests.engine.test_music_video import make_sound_only, make_video
from tests.support.alsa_sink import read_played
from tests.ui.conftest import save_screenshot
from tests.ui.test_music_sections import click

pytestmark = pytest.mark.e2e


def open_video_window(studio, qtbot):
    studio.window.show_tab("music")
    tab = studio.window.music_tab
    tab.mode.setCurrentIndex(0)
    click(qtbot, studio, "music.video")
    return tab.producer.video_dialog


def choose_videos(qtbot, studio, folder: Path, names: list[str]) -> None:
    """As the user does: Choose videos…, pick several files in the folder, Open."""
    click(qtbot, studio, "music.video_choose")
    chooser = studio.find(QFileDialog, "music.video_file_dialog")
    chooser.setDirectory(str(folder))
    chooser.selectFile(" ".join(f'"{n}"' for n in names))
    chooser.accept()


def sound_and_pitch(path: Path) -> tuple[int, float, float]:
    """(pictures, seconds of sound, the sound's main pitch in Hz) of an exported video."""
    with av.open(str(path), "r") as video:
        pictures = sum(1 for _ in video.decode(video=0))
    with av.open(str(path), "r") as video:
        rate = video.streams.audio[0].sample_rate
        sound = np.concatenate([f.to_ndarray()[0] for f in video.decode(audio=0)])
    middle = sound[len(sound) // 4: 3 * len(sound) // 4]
    pitch = np.fft.rfftfreq(len(middle), 1 / rate)[np.abs(np.fft.rfft(middle)).argmax()]
    return pictures, len(sound) / rate, float(pitch)


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
    qtbot.waitUntil(lambda: "“notes.mp4” is not a video" in status.text(), timeout=10_000)
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
    from PySide6.QtWidgets import QTableView

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


def test_two_videos_on_the_cloud_each_exported_with_its_part(launch, cloud, qtbot,
                                                             tmp_path: Path) -> None:
    """Two videos, words and tags sent as the spec's form (the cloud test server checks
    it field by field); the music comes back as long as both, each video's part at its
    own pitch; Export videos… writes both videos into a chosen folder, each with the
    music that plays while it does."""
    import json

    studio = launch(cloud_url=cloud.url)
    dialog = open_video_window(studio, qtbot)
    (tmp_path / "beach.mp4").write_bytes(make_video(3.0))
    (tmp_path / "sunset.mp4").write_bytes(make_video(2.0, fps=25))
    choose_videos(qtbot, studio, tmp_path, ["beach.mp4", "sunset.mp4"])
    assert dialog.videos == [tmp_path / "beach.mp4", tmp_path / "sunset.mp4"]
    strip = studio.find(QLabel, "music.video_strip")
    qtbot.waitUntil(lambda: strip.pixmap() is not None and not strip.pixmap().isNull(),
                    timeout=10_000)
    assert strip.pixmap().width() == 6 * 96  # 4 pictures of the 3 s, 2 of the 2 s
    qtbot.keyClicks(studio.find(QLineEdit, "music.video_description"), "calm piano")
    qtbot.keyClicks(studio.find(QLineEdit, "music.video_tags"), "cinematic, 1990s")
    click(qtbot, studio, "music.video_make")
    status = studio.find(QLabel, "music.video_status")
    assert status.text() == "Making music for the videos… (Cancel stops it)"
    try:
        qtbot.waitUntil(lambda: dialog.music is not None, timeout=60_000)
    except Exception:
        raise AssertionError(status.text()) from None
    assert abs(dialog.music.duration_ms - 5000) < 150
    assert status.text().endswith(" s for the videos, kept in History. Play it, or export "
                                  "the videos with it (each with its own part).")
    [sent] = [r for r in cloud.control.requests() if r["path"] == "/v1/music/video-to-music"]
    assert sent["query"] == {"output_format": ["mp3_44100_128"]}
    assert cloud.server._stt_music["video_forms"] == [{  # the form as the spec reads it
        "videos": [f"<file beach.mp4: {(tmp_path / 'beach.mp4').stat().st_size} bytes>",
                   f"<file sunset.mp4: {(tmp_path / 'sunset.mp4').stat().st_size} bytes>"],
        "description": "calm piano", "tags": ["cinematic", "1990s"],
        "model_id": dialog._model_id}]
    assert cloud.control.stats()["generations"] == {"video_to_music": 1}

    export = studio.find(QPushButton, "music.video_export")
    assert export.text() == "Export videos…"
    out = tmp_path / "with music"
    out.mkdir()

    def export_into_folder() -> None:
        click(qtbot, studio, "music.video_export")
        chooser = studio.find(QFileDialog, "music.video_folder_dialog")  # a folder: 2 files
        chooser.setDirectory(str(out))
        chooser.selectFile(str(out))
        chooser.accept()

    export_into_folder()
    click(qtbot, studio, "music.video_cancel")  # changed their mind at once
    runner = studio.window.music_tab._runner
    qtbot.waitUntil(lambda: not runner.is_running("music.video.export"), timeout=10_000)
    assert status.text() == "Stopped: no video was written. Your videos are unchanged."
    assert list(out.iterdir()) == [] and export.isEnabled()
    export_into_folder()
    qtbot.waitUntil(lambda: "Saved 2 videos" in status.text(), timeout=30_000)
    assert "beach with music.mp4 (music 0:00.0–0:03.0)" in status.text()
    assert "sunset with music.mp4 (music 0:03.0–0:05.0)" in status.text()
    written = sorted(out.iterdir())
    assert [p.name for p in written] == ["beach with music.mp4", "sunset with music.mp4"]
    for path, (pictures, seconds, pitch) in zip(written, [(30, 3.0, 330), (50, 2.0, 440)],
                                                 strict=True):
        got = sound_and_pitch(path)
        assert got[0] == pictures, path.name
        assert abs(got[1] - seconds) < 0.06, (path.name, got)
        assert abs(got[2] - pitch) < 5, (path.name, got)  # its own part of the music
    [row] = studio.ctx.history.list(kind="music")
    assert json.loads(row.extra_json)["exported_videos"] == [str(p) for p in written]
    save_screenshot(dialog, "music-video-two", tmp_path)


def test_a_sound_only_video_is_named_and_nothing_is_lost(launch, engine_url, qtbot,
                                                         tmp_path: Path) -> None:
    """A real container with only a sound track (a voice memo saved as .mp4) among the
    chosen videos: the window names it as soon as it is chosen, and the engine's refusal
    names it too; the videos, the words and the tags stay as they were."""
    studio = launch(engine_url=engine_url)
    dialog = open_video_window(studio, qtbot)
    (tmp_path / "beach.mp4").write_bytes(make_video(2.0))
    (tmp_path / "voice.mp4").write_bytes(make_sound_only(2.0))
    choose_videos(qtbot, studio, tmp_path, ["beach.mp4", "voice.mp4"])
    status = studio.find(QLabel, "music.video_status")
    qtbot.waitUntil(lambda: "“voice.mp4” has no pictures" in status.text(), timeout=10_000)
    assert "Choose the videos again" in status.text()
    qtbot.keyClicks(studio.find(QLineEdit, "music.video_description"), "warm synths")
    qtbot.keyClicks(studio.find(QLineEdit, "music.video_tags"), "sunny, slow")
    click(qtbot, studio, "music.video_make")  # the engine is asked anyway: it says so too
    try:
        qtbot.waitUntil(lambda: "did not work" in status.text(), timeout=30_000)
    except Exception:
        raise AssertionError(status.text()) from None
    assert status.text() == ("That did not work: “voice.mp4” has no pictures (no video "
                             "track). Choose the videos again without it, or with another "
                             "file in its place. Your description and tags are kept.")
    assert dialog.music is None and studio.ctx.history.list(kind="music") == []
    assert dialog.videos == [tmp_path / "beach.mp4", tmp_path / "voice.mp4"]
    assert dialog.description.text() == "warm synths" and dialog.tags.text() == "sunny, slow"
    assert studio.find(QPushButton, "music.video_make").isEnabled()


def test_enter_presses_only_the_button_it_is_aimed_at(launch, engine_url, qtbot,
                                                      tmp_path: Path) -> None:
    """From the keyboard: Enter typed in a field makes nothing (Make is paid); Enter on
    a focused button presses it, as Space does (it did nothing before)."""
    from PySide6.QtCore import Qt

    studio = launch(engine_url=engine_url)
    dialog = open_video_window(studio, qtbot)
    video = tmp_path / "holiday.mp4"
    video.write_bytes(make_video(2.0))
    dialog.set_videos([str(video)])
    make = studio.find(QPushButton, "music.video_make")
    qtbot.waitUntil(make.isEnabled, timeout=10_000)
    description = studio.find(QLineEdit, "music.video_description")
    description.setFocus()
    qtbot.keyClicks(description, "calm piano")
    qtbot.keyClick(description, Qt.Key.Key_Return)
    qtbot.wait(200)
    assert dialog.music is None and not dialog.progress.isVisible()
    assert dialog.isVisible()
    assert not make.isDefault()  # it does not look like what Enter does there

    make.setFocus()
    qtbot.waitUntil(make.hasFocus)
    assert make.isDefault()
    qtbot.keyClick(make, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.music is not None, timeout=60_000)
