"""The Speech tab marks the word being heard: generated through the with-timestamps
endpoints, played into the ALSA file sink, the mark walks through the text in order."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QPushButton, QTableView

from app.audio.player import PlayerState
from app.ui.contrast import contrast
from app.ui.widgets.word_highlight import SPOKEN_BACKGROUND, SPOKEN_FOREGROUND
from tests.support.alsa_sink import read_played
from tests.support.spec import validate_request

pytestmark = pytest.mark.e2e

SARAH = "EXAVITQu4vr4xnSDxMaL"


def _generate_and_follow(studio, qtbot, text: str) -> list[tuple[int, str]]:
    """Generate `text` and let it play to the end; then, paused, click on the waveform in
    the middle of each word in turn, as a user would (on a busy machine the 16 ms
    playhead ticks alone may step over short words). Returns the marks seen, in order."""
    editor = studio.find(QPlainTextEdit, "speech.text")
    qtbot.keyClicks(editor, text)
    follower = studio.window.speech_tab.spoken_words
    marks: list[tuple[int, str]] = []
    follower.word_changed.connect(lambda i: marks.append((i, follower.marked_word())))
    qtbot.mouseClick(studio.find(QPushButton, "speech.generate"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: studio.find(QTableView, "history.list").model().rowCount() == 1,
                    timeout=60_000)
    player = studio.ctx.player
    qtbot.waitUntil(lambda: player.state in (PlayerState.FINISHED, PlayerState.STOPPED),
                    timeout=30_000)
    assert follower.following and follower.word_count >= 3
    heard = [i for i, _ in marks if i >= 0]
    assert heard == sorted(heard), f"while playing, the mark went back: {heard}"
    # Played to its end: no word stays marked.
    assert follower.marked_word() == ""
    # Now word by word from the waveform, playing and paused at once (the bar's seek).
    bar = studio.window.player_bar
    spans = follower.spans()
    player.play()
    player.pause()
    for span in spans:
        bar.waveform.seek_requested.emit(((span.start_ms + span.end_ms) / 2)
                                         / player.duration_ms)
        qtbot.waitUntil(lambda span=span: follower.marked_word() == text[span.first:span.end])
    return marks


def _assert_in_order(marks: list[tuple[int, str]], text: str, at_least: int) -> None:
    lit = [(i, word) for i, word in marks if i >= 0]
    indices = [i for i, _ in lit]
    assert len(set(indices)) >= at_least, f"too few words marked: {lit}"
    words = re.findall(r"\S+", text)
    for _i, word in lit:  # each mark is a whole word of the text
        assert word in words, word


def test_offline_engine_marks_each_word_in_order(launch, engine_url: str, qtbot,
                                                alsa_played_file: Path) -> None:
    studio = launch(engine_url=engine_url)
    text = "One two three four five six seven eight."
    marks = _generate_and_follow(studio, qtbot, text)
    _assert_in_order(marks, text, at_least=6)
    assert np.abs(read_played(alsa_played_file)).max(initial=0) > 0.05


@pytest.mark.parametrize("fmt, suffix", [("mp3_22050_32", "/stream/with-timestamps"),
                                         ("wav_22050", "/with-timestamps")])
def test_cloud_timestamps_request_and_mark(launch, cloud, qtbot, alsa_played_file: Path,
                                           fmt: str, suffix: str) -> None:
    studio = launch(cloud_url=cloud.url)
    search = studio.find(QLineEdit, "speech.voice_search")
    qtbot.keyClicks(search, "Sarah")
    voice = studio.find(QComboBox, "speech.voice")
    qtbot.waitUntil(lambda: voice.count() == 1)
    voice.setCurrentIndex(0)
    combo = studio.find(QComboBox, "speech.format")
    combo.setCurrentIndex(combo.findData(fmt))
    text = "Alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima."
    marks = _generate_and_follow(studio, qtbot, text)
    sent = [r for r in cloud.control.requests() if r["path"].startswith("/v1/text-to-speech/")]
    assert [r["path"] for r in sent] == [f"/v1/text-to-speech/{SARAH}{suffix}"]
    validate_request("POST", sent[0]["path"], sent[0]["query"], sent[0]["json"])
    _assert_in_order(marks, text, at_least=5)


def test_editing_the_text_drops_the_mark(launch, engine_url: str, qtbot,
                                         alsa_played_file: Path) -> None:
    studio = launch(engine_url=engine_url)
    editor = studio.find(QPlainTextEdit, "speech.text")
    follower = studio.window.speech_tab.spoken_words
    qtbot.keyClicks(editor, "Words to follow while they play, one after another.")
    qtbot.mouseClick(studio.find(QPushButton, "speech.generate"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: studio.find(QTableView, "history.list").model().rowCount() == 1,
                    timeout=60_000)
    # The test sound card plays faster than real time, so the mark may never be seen
    # while it plays: put the playhead in the second word (the waveform's seek, paused).
    player = studio.ctx.player
    qtbot.waitUntil(lambda: player.state in (PlayerState.FINISHED, PlayerState.STOPPED),
                    timeout=30_000)
    span = follower.spans()[1]
    player.play()
    player.pause()
    studio.window.player_bar.waveform.seek_requested.emit(
        ((span.start_ms + span.end_ms) / 2) / player.duration_ms)
    qtbot.waitUntil(lambda: follower.marked_word() == "to", timeout=10_000)
    qtbot.keyClicks(editor, " More")
    assert not follower.following and follower.marked_word() == ""


def test_mark_reads_in_light_and_dark_palettes() -> None:
    from tests.ui.test_palettes import dark_palette

    assert contrast(SPOKEN_FOREGROUND, SPOKEN_BACKGROUND) >= 7
    for palette in (QPalette(), dark_palette()):
        base = palette.color(QPalette.ColorRole.Base)
        # The marked word stands out from the text around it in both palettes.
        assert contrast(SPOKEN_BACKGROUND, base) >= 1.3 or \
            contrast(SPOKEN_BACKGROUND, palette.color(QPalette.ColorRole.Text)) >= 3
