"""The Transcripts tab meets bad input through the window: each case gets a clear
message, the app stays usable, and an open transcript with edits is not lost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget

pytestmark = pytest.mark.e2e

SAMPLES = Path(__file__).resolve().parents[1] / "contract" / "samples"


def message(studio: Any) -> str:
    banner = studio.find(QWidget, "transcripts.error")
    text = banner.text() if banner.isVisible() else ""
    return f"{text} {studio.find(QLabel, 'transcripts.status').text()}"


def opens(studio: Any, qtbot: Any, path: Path) -> None:
    """Open `path` as File → Open does and check it opened (not the error banner)."""
    studio.window.open_paths([path])
    qtbot.waitUntil(lambda: "Opened" in message(studio)
                    or studio.find(QWidget, "transcripts.error").isVisible(), timeout=10_000)
    assert "Opened" in message(studio), message(studio)


def transcribe(qtbot: Any, studio: Any, path: Path) -> None:
    studio.window.open_paths([path])
    button = studio.find(QPushButton, "transcripts.transcribe")
    if button.isEnabled():
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


@pytest.fixture
def studio(launch: Any, engine_url: str) -> Any:
    studio = launch(engine_url=engine_url)
    studio.window.show_tab("transcripts")
    return studio


def test_malformed_truncated_and_foreign_json(studio: Any, qtbot: Any, tmp_path: Path) -> None:
    cases = {
        "broken.json": "{\"text\": \"hello\", \"words\": [",
        "truncated.json": (SAMPLES / "stt_diarized_word.json").read_text()[:200],
        "other.json": json.dumps({"hello": "world"}),
    }
    for name, content in cases.items():
        path = tmp_path / name
        path.write_text(content)
        studio.window.open_paths([path])
        qtbot.waitUntil(lambda: studio.find(QWidget, "transcripts.error").isVisible()
                        or "neither" in studio.window.statusBar().currentMessage()
                        or "not a readable" in studio.window.statusBar().currentMessage(),
                        timeout=10_000)
        shown = message(studio) + studio.window.statusBar().currentMessage()
        assert name in shown or "JSON" in shown or "transcript" in shown, shown


def test_a_transcript_without_timings_opens(studio: Any, qtbot: Any, tmp_path: Path) -> None:
    data = json.loads((SAMPLES / "stt_diarized_word.json").read_text())
    for word in data["words"]:
        word.pop("start", None)
        word.pop("end", None)
    path = tmp_path / "untimed.json"
    path.write_text(json.dumps(data))
    studio.window.open_paths([path])
    qtbot.waitUntil(lambda: "Opened" in message(studio), timeout=10_000)


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("empty.wav", b"", "empty"),
    ("not-audio.mp3", b"This is a text file pretending to be audio.\n" * 50, "audio"),
])
def test_files_that_are_not_audio(studio: Any, qtbot: Any, tmp_path: Path, name: str,
                                  content: bytes, expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    transcribe(qtbot, studio, path)
    banner = studio.find(QWidget, "transcripts.error")
    qtbot.waitUntil(banner.isVisible, timeout=30_000)
    assert expected in banner.text().lower()
    assert "some settings need a change" not in banner.text().lower()  # it is the file
    if content:  # the engine's message names the user's file, not its temporary copy
        assert name in banner.text() and "upload" not in banner.text()
    assert studio.ctx.history.list(kind="transcript") == []


def test_unknown_transcription_id(studio: Any, qtbot: Any) -> None:
    box = studio.find(QLineEdit, "transcripts.id_input")
    qtbot.keyClicks(box, "no_such_transcript_id")
    qtbot.mouseClick(studio.find(QPushButton, "transcripts.fetch"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: studio.find(QWidget, "transcripts.error").isVisible(),
                    timeout=10_000)
    assert "No transcript with that id" in message(studio)
    assert box.text() == "no_such_transcript_id"  # what the user typed stays


def test_a_transcript_with_a_deeply_nested_extra_field_opens(
        studio: Any, qtbot: Any, tmp_path: Path) -> None:
    """JSON reads hundreds of levels; keeping the copy wrote two Python frames a level
    and fell over with "Something unexpected went wrong: maximum recursion depth"."""
    data = json.loads((SAMPLES / "stt_diarized_word.json").read_text())
    path = tmp_path / "deep.json"
    path.write_text(json.dumps(data)[:-1] + ', "notes": ' + '{"a": ' * 900 + "1"
                    + "}" * 900 + "}")
    opens(studio, qtbot, path)


def test_saved_edits_with_an_odd_word_number_open(studio: Any, qtbot: Any,
                                                  tmp_path: Path) -> None:
    """'²' passed str.isdigit, then int() refused it: "Something unexpected went wrong"."""
    data = json.loads((SAMPLES / "stt_diarized_word.json").read_text())
    data["xi_studio"] = {"edits": {"timings": {"²": [1, 2], "0": [-5, -1]},
                                   "speaker_overrides": {"²": "speaker_1"}}}
    path = tmp_path / "odd-edits.json"
    path.write_text(json.dumps(data))
    opens(studio, qtbot, path)


def test_a_linked_recording_that_is_gone_is_said(studio: Any, qtbot: Any,
                                                 tmp_path: Path) -> None:
    """The summary said nothing about it (a recording was linked), and clicking a word
    said "No recording linked"."""
    data = json.loads((SAMPLES / "stt_diarized_word.json").read_text())
    data["xi_studio"] = {"audio_path": str(tmp_path / "moved-away.wav")}
    path = tmp_path / "linked.json"
    path.write_text(json.dumps(data))
    studio.window.open_paths([path])
    qtbot.waitUntil(lambda: "Opened" in message(studio), timeout=10_000)
    assert "moved-away.wav is no longer where it was" in message(studio)
    assert "Link audio" in message(studio)


def test_a_utf16_transcript_opens(studio: Any, qtbot: Any, tmp_path: Path) -> None:
    """PowerShell's `curl ... > t.json` writes UTF-16 with a byte order mark: valid JSON,
    yet it was "not a readable JSON file"."""
    path = tmp_path / "from-powershell.json"
    path.write_bytes((SAMPLES / "stt_diarized_word.json").read_text().encode("utf-16"))
    studio.window.open_paths([path])
    qtbot.waitUntil(lambda: "Opened" in message(studio)
                    or bool(studio.window.statusBar().currentMessage()), timeout=10_000)
    assert "Opened: 7 words" in message(studio), studio.window.statusBar().currentMessage()


def test_linking_a_file_that_is_not_audio_keeps_the_recording_linked_before(
        studio: Any, qtbot: Any, tmp_path: Path) -> None:
    """The new path was written into the transcript before it was read: a wrong pick
    in Link audio… left the transcript pointing at the text file, its working recording
    forgotten (on the next opening too)."""
    import wave

    recording = tmp_path / "rec.wav"
    with wave.open(str(recording), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\x10\x00" * 16000 * 4)
    data = json.loads((SAMPLES / "stt_diarized_word.json").read_text())
    data["xi_studio"] = {"audio_path": str(recording)}
    path = tmp_path / "linked.json"
    path.write_text(json.dumps(data))
    studio.window.open_paths([path])
    tab = studio.window.transcripts_tab
    qtbot.waitUntil(lambda: tab.playback.has_audio, timeout=10_000)
    wrong = tmp_path / "notes.mp3"
    wrong.write_bytes(b"This is a text file pretending to be audio.\n" * 50)
    tab.link_audio(wrong)
    banner = studio.find(QWidget, "transcripts.error")
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    assert "could not be played" in banner.text()
    assert tab.document.source.audio_path == recording
    assert tab.playback.has_audio
    qtbot.wait(1500)  # past the save timer
    saved = json.loads(tab.document.source.saved_path.read_text())
    assert saved["xi_studio"]["audio_path"] == str(recording)


def open_with_the_button(studio: Any, qtbot: Any, path: Path) -> None:
    from PySide6.QtWidgets import QFileDialog

    qtbot.mouseClick(studio.find(QPushButton, "transcripts.open_json"),
                     Qt.MouseButton.LeftButton)
    dialog = studio.find(QFileDialog, "transcripts.file_dialog")
    dialog.selectFile(str(path))
    dialog.accept()


def test_a_transcript_file_of_gigabytes_is_refused_unread(
        studio: Any, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tab's own Transcript file… button read the chosen file whole (a damaged 2 GB
    file: gigabytes of memory), and a file that could not be read was called one that
    "could not be written", with advice about disk space."""
    import tracemalloc

    from app.library import json_files

    monkeypatch.setattr(json_files, "MAX_JSON_FILE_BYTES", 1024 * 1024)
    opens(studio, qtbot, SAMPLES / "stt_diarized_word.json")
    path = tmp_path / "huge.json"
    with path.open("wb") as file:
        file.truncate(64 * 1024 * 1024)  # sparse: no disk taken
    banner = studio.find(QWidget, "transcripts.error")
    tracemalloc.start()
    try:
        open_with_the_button(studio, qtbot, path)
        qtbot.waitUntil(banner.isVisible, timeout=10_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024
    shown = message(studio)
    assert "could not be opened" in shown and "huge.json is larger than" in shown, shown
    assert "write" not in shown and "disk" not in shown, shown
    assert studio.window.transcripts_tab.document.is_open  # the transcript open stays
