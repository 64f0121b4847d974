"""Files the window is given (command line, File → Open, drops) go to the right tab or are
refused in plain words; saved files play in the shared player, short ones decoded whole
and long ones from disk, both heard on the ALSA file sink."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QLabel, QPlainTextEdit

from app.audio.file_stream import LONG_FILE_S

SAMPLES = Path("/work/shared/api/samples")


@pytest.fixture
def studio(launch: Any, engine_url: str) -> Any:
    return launch(engine_url=engine_url)


def loudest_played(path: Path) -> float:
    data = path.read_bytes()
    return float(np.abs(np.frombuffer(data[: len(data) - len(data) % 4], np.float32)).max(
        initial=0.0))


def status(studio: Any) -> str:
    return str(studio.window.statusBar().currentMessage())


def test_text_goes_to_speech_and_unknown_files_are_refused(studio: Any, qtbot: Any,
                                                           tmp_path: Path) -> None:
    window = studio.window
    script = tmp_path / "script.md"
    script.write_text("Words from a file.")
    window.open_paths([script])
    text = studio.find(QPlainTextEdit, "speech.text")
    qtbot.waitUntil(lambda: text.toPlainText() == "Words from a file.")  # (read off the UI)
    assert window.tabs.currentWidget() is window.speech_tab

    odd = tmp_path / "sheet.xlsx"
    odd.write_bytes(b"PK")
    window.open_paths([odd])
    assert "cannot open sheet.xlsx" in status(studio)
    window.open_paths([tmp_path / "gone.txt"])
    assert status(studio).startswith("File not found")
    neither = tmp_path / "neither.json"
    neither.write_text(json.dumps({"hello": 1}))
    window.open_paths([neither])
    qtbot.waitUntil(lambda: "neither a transcript nor a music plan" in status(studio))


def test_json_nested_too_deep_is_refused_in_words(studio: Any, qtbot: Any,
                                                   tmp_path: Path) -> None:
    """json.loads raises RecursionError (not ValueError) on `[[[…]]]` nested 100,000
    deep: File → Open let it out as a traceback."""
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    studio.window.open_paths([deep])
    qtbot.waitUntil(lambda: "deep.json is not a readable JSON file" in status(studio))


def test_a_big_json_file_is_read_while_the_window_keeps_working(
        studio: Any, qtbot: Any, tmp_path: Path) -> None:
    """Deciding where a JSON file goes reads it whole: that happens off the window's
    thread, so the window keeps handling events meanwhile (counted: a zero-interval
    timer ticks between the open and the answer), and a file cut short is said plainly."""
    from PySide6.QtCore import QTimer

    big = tmp_path / "big.json"
    words = ",".join('{"text": "word", "start": 1.0, "end": 1.5, "type": "word"}'
                     for _ in range(300_000))
    big.write_text('{"language_code": "en", "text": "x", "words": [' + words)  # cut short
    ticks = [0]
    timer = QTimer()
    timer.setInterval(0)
    timer.timeout.connect(lambda: ticks.__setitem__(0, ticks[0] + 1))
    timer.start()
    studio.window.statusBar().clearMessage()
    studio.window.open_paths([big])
    at_return = ticks[0]
    assert status(studio) == ""  # not decided on the window's thread
    qtbot.waitUntil(lambda: "big.json is not a readable JSON file" in status(studio),
                    timeout=30_000)
    timer.stop()
    assert ticks[0] > at_return, ticks
    assert "cut short" in status(studio)


def test_a_huge_json_file_is_refused_before_it_is_read(
        studio: Any, qtbot: Any, tmp_path: Path) -> None:
    huge = tmp_path / "huge.json"
    with huge.open("wb") as f:  # 300 MB on paper, no disk space taken (sparse)
        f.truncate(300 * 1024 * 1024)
    studio.window.open_paths([huge])
    qtbot.waitUntil(lambda: "too big" in status(studio), timeout=10_000)
    assert "huge.json is larger than 200 MB" in status(studio)


def test_a_dropped_plan_opens_in_music(studio: Any, qtbot: Any, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text((SAMPLES / "music_composition_plan_v1.json").read_text())
    window = studio.window
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(plan))])
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(drop)
    assert drop.isAccepted()
    qtbot.waitUntil(lambda: window.tabs.currentWidget() is window.music_tab)


def test_a_short_file_plays_whole(studio: Any, qtbot: Any, tmp_path: Path,
                                  alsa_played_file: Path) -> None:
    path = tmp_path / "short.wav"
    t = np.arange(16000) / 16000
    soundfile.write(path, (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 16000)
    studio.window.play_file(path, "A short tone")
    title = studio.find(QLabel, "player.title")
    qtbot.waitUntil(lambda: title.text() == "A short tone", timeout=10_000)
    assert studio.ctx.player.duration_ms == 1000
    assert len(studio.window.player_bar.waveform_peaks()) > 0
    qtbot.waitUntil(lambda: loudest_played(alsa_played_file) > 0.4, timeout=10_000)


def test_a_long_file_plays_from_disk_and_its_waveform_follows(
        studio: Any, qtbot: Any, tmp_path: Path, alsa_played_file: Path) -> None:
    rate = 4000
    frames = int((LONG_FILE_S + 5) * rate)
    path = tmp_path / "long.wav"
    t = np.arange(frames) / rate
    soundfile.write(path, (0.5 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), rate,
                    subtype="PCM_16")
    studio.window.play_file(path, "A long recording")
    title = studio.find(QLabel, "player.title")
    qtbot.waitUntil(lambda: title.text() == "A long recording", timeout=10_000)
    assert studio.window.file_playback._file_stream is not None  # not decoded whole
    qtbot.waitUntil(lambda: len(studio.window.player_bar.waveform_peaks()) > 0,
                    timeout=20_000)
    qtbot.waitUntil(lambda: loudest_played(alsa_played_file) > 0.4, timeout=10_000)


def test_a_file_that_cannot_be_played_is_said_in_the_tab_on_screen(
        studio: Any, qtbot: Any, tmp_path: Path) -> None:
    path = tmp_path / "broken.mp3"
    path.write_bytes(b"not audio at all" * 100)
    studio.window.show_tab("music")
    studio.window.play_file(path, "Broken")
    banner = studio.window.music_tab.error_banner
    qtbot.waitUntil(banner.isVisible, timeout=10_000)


@pytest.mark.parametrize("kind", ["plan", "transcript"])
def test_an_opened_json_file_is_read_once(studio: Any, qtbot: Any, tmp_path: Path,
                                          monkeypatch: Any, kind: str) -> None:
    """Routing a JSON file read it to tell what it holds, then its tab read it again: a
    200 MB file was read twice. Counted: every read of the file's bytes or text."""
    opened = tmp_path / f"{kind}.json"
    sample = ("music_composition_plan_v1.json" if kind == "plan"
              else "stt_diarized_word.json")
    opened.write_text((SAMPLES / sample).read_text())
    reads: list[str] = []
    real_bytes, real_text = Path.read_bytes, Path.read_text

    def counting_bytes(self: Path) -> bytes:
        if self == opened:
            reads.append("bytes")
        return real_bytes(self)

    def counting_text(self: Path, *args: Any, **kwargs: Any) -> str:
        if self == opened:
            reads.append("text")
        return real_text(self, *args, **kwargs)

    from app.library import bounded_read

    real_open = bounded_read.open_regular_file

    def counting_open(path: Path) -> int:  # every bounded read opens through it
        if Path(path) == opened:
            reads.append("bounded")
        return real_open(path)

    monkeypatch.setattr(Path, "read_bytes", counting_bytes)
    monkeypatch.setattr(Path, "read_text", counting_text)
    monkeypatch.setattr(bounded_read, "open_regular_file", counting_open)
    window = studio.window
    window.open_paths([opened])
    if kind == "plan":
        qtbot.waitUntil(lambda: "Opened" in window.music_tab.status.text(), timeout=10_000)
        assert f"“{opened.name}”" in window.music_tab.status.text()
    else:
        tab = window.transcripts_tab
        qtbot.waitUntil(lambda: tab.document.original is not None, timeout=10_000)
    assert len(reads) == 1, reads


def release_pipe(pipe: Path) -> None:
    """Opens the pipe's writing end a moment: a reader blocked on it (the defect) is let
    go, so a failing test ends instead of hanging the run."""
    import contextlib
    import os

    with contextlib.suppress(OSError):
        os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))


def test_devices_and_pipes_are_refused_in_words_and_the_window_keeps_working(
        studio: Any, qtbot: Any, tmp_path: Path) -> None:
    """A link named chapter.txt to /dev/zero was read forever; a named pipe named .txt
    or .csv froze the window (the Scripts sniff opened it on the window's thread) until
    something wrote to it. Each is refused by name, and the text typed stays."""
    import os

    window = studio.window
    text = studio.find(QPlainTextEdit, "speech.text")
    text.setPlainText("My own words.")
    endless = tmp_path / "chapter.txt"
    endless.symlink_to("/dev/zero")
    pipes = [tmp_path / "lines.csv", tmp_path / "notes.txt"]
    for pipe in pipes:
        os.mkfifo(pipe)
    try:
        for path in [endless, *pipes]:
            window.open_paths([path])
            qtbot.waitUntil(lambda p=path: f"{p.name} is not an ordinary saved file"
                            in status(studio), timeout=30_000)
        # Still working: an ordinary file opens as before, nothing else was replaced.
        assert text.toPlainText() == "My own words."
        assert window.scripts_tab.error_banner.isHidden()
        ordinary = tmp_path / "ordinary.txt"
        ordinary.write_text("Words from a file.")
        window.open_paths([ordinary])
        qtbot.waitUntil(lambda: text.toPlainText() == "Words from a file.", timeout=30_000)
    finally:
        for pipe in pipes:  # lets go of a reader that blocked on one (the defect)
            release_pipe(pipe)


def test_the_scripts_tab_refuses_a_pipe_it_is_asked_to_import(
        studio: Any, qtbot: Any, tmp_path: Path) -> None:
    """Scripts → Open of a named pipe: said in the tab (the import read blocked forever
    in a worker before), and the tab opens an ordinary file afterwards."""
    import os

    pipe = tmp_path / "cast.csv"
    os.mkfifo(pipe)
    tab = studio.window.scripts_tab
    try:
        tab.open_path(pipe)
        qtbot.waitUntil(lambda: not tab.error_banner.isHidden(), timeout=30_000)
        assert "cast.csv is not an ordinary saved file" in tab.error_banner.text()
    finally:
        release_pipe(pipe)
