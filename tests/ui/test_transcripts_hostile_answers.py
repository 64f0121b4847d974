"""The Transcripts tab meets hostile speech-to-text answers from a real (loopback) cloud
server: each is refused in plain words, and nothing is kept as if it were a transcript."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPushButton, QWidget

from tests.support.cloud import Cloud

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("times", [(1e300, 1e301), (10**30, 10**31)])
def test_enormous_word_times_are_refused_in_plain_words(
        launch: Any, cloud: Cloud, qtbot: Any, times: tuple[float, float]) -> None:
    """Finite, so they were taken, and then History could not store the duration:
    "Something unexpected went wrong: Python int too large to convert to SQLite INTEGER"."""
    start, end = times
    body = {"language_code": "en", "text": "hello",
            "words": [{"text": "hello", "start": start, "end": end, "type": "word"}]}
    cloud.control.add_faults({"path_regex": "^/v1/speech-to-text/transcripts/",
                              "method": "GET", "fault": "json_body", "body": body})
    studio = launch(cloud_url=cloud.url)
    studio.window.show_tab("transcripts")
    qtbot.keyClicks(studio.find(QLineEdit, "transcripts.id_input"), "abc123")
    qtbot.mouseClick(studio.find(QPushButton, "transcripts.fetch"), Qt.MouseButton.LeftButton)
    banner = studio.find(QWidget, "transcripts.error")
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    assert "too large" in banner.text() and "unexpected" not in banner.text().lower()
    assert studio.ctx.history.list(kind="transcript") == []
    fetch = studio.find(QPushButton, "transcripts.fetch")
    qtbot.waitUntil(fetch.isEnabled, timeout=5_000)  # the tab stays usable


def test_an_unreadable_answer_is_still_on_the_usage_ledger(
        launch: Any, cloud: Cloud, qtbot: Any, tmp_path: Path) -> None:
    """The charge was written only after the answer was read: one bad word in a paid
    transcription left no trace of it in Usage."""
    body = {"language_code": "en", "text": "hello there",
            "words": [{"text": "hello", "start": 0.1, "end": 0.4, "type": "word"},
                      {"start": 0.5, "end": 0.9, "type": "word"}]}
    cloud.control.add_faults({"path_regex": "^/v1/speech-to-text$", "method": "POST",
                              "fault": "json_body", "body": body})
    recording = tmp_path / "interview.wav"
    recording.write_bytes(b"RIFF" + b"\0" * 4000)
    studio = launch(cloud_url=cloud.url)
    studio.window.show_tab("transcripts")
    studio.window.open_paths([recording])
    qtbot.mouseClick(studio.find(QPushButton, "transcripts.transcribe"),
                     Qt.MouseButton.LeftButton)
    banner = studio.find(QWidget, "transcripts.error")
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    assert "Word 2 has no text" in banner.text()
    assert studio.ctx.history.list(kind="transcript") == []
    rows = [e for e in studio.ctx.costs.ledger.entries() if e.kind == "transcription"]
    assert [(e.what, e.file) for e in rows] == [("interview.wav", str(recording))]


@pytest.mark.parametrize("word", [
    {"text": "hello", "end": 0.4, "loss": 0.1},  # no start
    {"text": "hello", "start": "soon", "end": 0.4, "loss": 0.1},
    {"text": "hello", "start": 0.1, "end": 0.4, "loss": None},
    "hello",
])
def test_a_damaged_alignment_answer_is_refused_in_plain_words(
        launch: Any, cloud: Cloud, qtbot: Any, tmp_path: Path, word: Any) -> None:
    """A word without its start (or with text for a time) went on to KeyError/ValueError:
    "Something unexpected went wrong: 'start'"."""
    from app.ui.transcripts.align_script import ALIGN_TASK

    cloud.control.add_faults({"path_regex": "^/v1/forced-alignment$", "method": "POST",
                              "fault": "json_body",
                              "body": {"words": [word], "characters": [], "loss": 0.1}})
    recording = tmp_path / "interview.wav"
    recording.write_bytes(b"RIFF" + b"\0" * 4000)
    script = tmp_path / "script.txt"
    script.write_text("hello")
    studio = launch(cloud_url=cloud.url)
    studio.window.show_tab("transcripts")
    studio.window.open_paths([recording])
    tab = studio.window.transcripts_tab
    dialog = tab.aligner.open_dialog()
    dialog.set_script_path(script)
    dialog.align_button.click()
    banner = studio.find(QWidget, "transcripts.error")
    qtbot.waitUntil(lambda: banner.isVisible()
                    and not tab.controller.is_running(ALIGN_TASK), timeout=10_000)
    assert "unexpected" not in banner.text().lower(), banner.text()
    assert "alignment" in banner.text(), banner.text()
    assert studio.ctx.history.list(kind="transcript") == []


def test_words_sent_out_of_time_order_read_in_time_order(
        launch: Any, cloud: Cloud, qtbot: Any) -> None:
    """The server lists the words shuffled (their times are right): the document reads
    them in the order they were spoken, the word playing at a time is the right one, and
    search's "next" goes forward in the recording."""
    spoken = ["one", "two", "three", "four", "two"]
    timed = [{"text": w, "start": 0.5 * i, "end": 0.5 * i + 0.4, "type": "word",
              "speaker_id": "speaker_0"} for i, w in enumerate(spoken)]
    shuffled = [timed[i] for i in (2, 0, 4, 3, 1)]
    words = []
    for item in shuffled:
        words += [item, {"text": " ", "start": item["end"], "end": item["end"],
                         "type": "spacing", "speaker_id": "speaker_0"}]
    body = {"language_code": "en", "language_probability": 0.99,
            "text": "one two three four two", "words": words}
    cloud.control.add_faults({"path_regex": "^/v1/speech-to-text/transcripts/",
                              "method": "GET", "fault": "json_body", "body": body})
    studio = launch(cloud_url=cloud.url)
    studio.window.show_tab("transcripts")
    tab = studio.window.transcripts_tab
    qtbot.keyClicks(studio.find(QLineEdit, "transcripts.id_input"), "abc123")
    qtbot.mouseClick(studio.find(QPushButton, "transcripts.fetch"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.document.original is not None, timeout=10_000)
    transcript = tab.document.original
    said = [w for w in transcript.words if w.kind == "word"]
    assert [w.text for w in said] == spoken
    assert [w.start_ms for w in said] == sorted(w.start_ms for w in said)
    assert "one two three four two" in tab.model.index(0).data()
    at = transcript.word_index.word_at(1_600)  # 1.5-1.9 s: "four"
    assert at is not None and transcript.words[at].text == "four"
    tab.viewer.search.setText("two")
    qtbot.waitUntil(lambda: tab.viewer.match_count.text() == "1 of 2", timeout=3000)
    first, second = tab.search.matches[:2]
    assert transcript.words[first].start_ms < transcript.words[second].start_ms
