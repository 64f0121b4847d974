"""The transcript viewer on its own: paragraph model, delegate layout, hit testing."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QApplication

from app.domain.transcript import Transcript
from app.domain.transcript_parse import parse_transcript
from app.ui.transcripts.paragraph_model import (
    ALL_CHANNELS,
    ParagraphModel,
    ParagraphRole,
    SpeakerNameRole,
    display_pieces,
)
from app.ui.transcripts.transcript_view import TranscriptView
from tests.ui.conftest import save_screenshot

VOCABULARY = (
    "the", "of", "and", "to", "in", "is", "it", "you", "that", "he", "was", "for", "on", "are",
    "with", "as", "his", "they", "be", "at", "one", "have", "this", "from", "or", "had", "by",
    "word", "but", "what", "some", "we", "can", "out", "other", "were", "all", "there", "when",
    "up", "use", "your", "how", "said", "each", "she", "which", "do", "their", "time", "if",
    "will", "way", "about", "many", "then", "them", "write", "would", "like", "so", "these",
    "her", "long", "make", "thing", "see", "him", "two", "has", "look", "more", "day", "could",
    "go", "come"
)


def synthetic_transcript(n_words: int, speakers: int = 3, seed: int = 1,
                         channels: int = 1) -> dict[str, Any]:
    """A transcript in the API's shape: words, spacing, sounds, speaker turns, pauses."""
    rnd = random.Random(seed)
    words: list[dict[str, Any]] = []
    t, speaker = 0.0, 0
    for _ in range(n_words):
        if rnd.random() < 0.03:
            speaker = rnd.randrange(speakers)
        who = f"speaker_{speaker}"
        if rnd.random() < 0.01:
            words.append({"text": "(laughter)", "start": round(t, 3), "end": round(t + 0.8, 3),
                          "type": "audio_event", "speaker_id": who, "logprob": -0.2})
            t += 0.9
        else:
            length = rnd.uniform(0.15, 0.5)
            text = rnd.choice(VOCABULARY) + ("." if rnd.random() < 0.08 else "")
            words.append({"text": text, "start": round(t, 3), "end": round(t + length, 3),
                          "type": "word", "speaker_id": who, "logprob": -rnd.expovariate(3)})
            t += length
        words.append({"text": " ", "start": round(t, 3), "end": round(t + 0.05, 3),
                      "type": "spacing", "speaker_id": who, "logprob": 0.0})
        t += 0.05 + (2.0 if rnd.random() < 0.02 else 0.0)
    if channels == 1:
        return {"language_code": "en", "language_probability": 0.97, "text": "",
                "words": words, "transcription_id": f"synthetic{seed}"}
    chunks = []
    for channel in range(channels):
        mine = [dict(w, speaker_id=f"speaker_{channel}", channel_index=channel)
                for n, w in enumerate(words) if (n // 40) % channels == channel]
        chunks.append({"language_code": "en", "language_probability": 0.9, "text": "",
                       "words": mine, "channel_index": channel})
    return {"transcripts": chunks, "transcription_id": f"multi{seed}"}


SMALL = {
    "language_code": "en", "language_probability": 0.99, "text": "Hello there. (laughter) Yes",
    "words": [
        {"text": "Hello", "start": 0.0, "end": 0.4, "type": "word", "speaker_id": "speaker_0",
         "logprob": -0.05},
        {"text": " ", "start": 0.4, "end": 0.45, "type": "spacing", "speaker_id": "speaker_0",
         "logprob": 0.0},
        {"text": "there.", "start": 0.45, "end": 0.9, "type": "word",
         "speaker_id": "speaker_0", "logprob": -2.5},
        {"text": " ", "start": 0.9, "end": 1.0, "type": "spacing", "speaker_id": "speaker_0",
         "logprob": 0.0},
        {"text": "(laughter)", "start": 1.0, "end": 1.8, "type": "audio_event",
         "speaker_id": "speaker_0", "logprob": -0.1},
        {"text": "Yes", "start": 2.0, "end": 2.3, "type": "word", "speaker_id": "speaker_1",
         "logprob": -0.1},
    ],
}


@pytest.fixture
def view(qtbot: Any) -> TranscriptView:
    model = ParagraphModel()
    widget = TranscriptView(model)
    widget.resize(700, 400)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def laid_out(qtbot: Any, view: TranscriptView) -> None:
    qtbot.waitUntil(lambda: view.indexAt(QPoint(30, 20)).isValid(), timeout=5000)


def test_model_passes_the_qt_model_checks(qtmodeltester: Any) -> None:
    model = ParagraphModel()
    model.set_transcript(parse_transcript(SMALL))
    qtmodeltester.check(model)


def test_paragraphs_follow_speaker_turns_and_name_each_speaker() -> None:
    model = ParagraphModel()
    model.set_transcript(parse_transcript(SMALL))
    assert model.rowCount() == 2
    assert model.index(0).data(SpeakerNameRole) == "Speaker 1"
    assert model.index(0).data() == "Speaker 1: Hello there. (laughter)"
    assert model.index(1).data() == "Speaker 2: Yes"
    assert model.speaker_color("speaker_0") != model.speaker_color("speaker_1")
    assert model.row_of_word(4) == 0 and model.row_of_word(5) == 1


def test_words_without_spacing_items_still_show_apart() -> None:
    data = {"language_code": "en", "language_probability": 1.0, "text": "a b",
            "words": [{"text": "a", "start": 0, "end": 0.1, "type": "word", "logprob": 0},
                      {"text": "b", "start": 0.1, "end": 0.2, "type": "word", "logprob": 0}]}
    transcript = parse_transcript(data)
    model = ParagraphModel()
    model.set_transcript(transcript)
    pieces = display_pieces(transcript, model.rows[0])
    assert "".join(p for p, _ in pieces) == "a b"


def test_clicking_a_word_reports_it(qtbot: Any, view: TranscriptView) -> None:
    view.paragraphs.set_transcript(parse_transcript(SMALL))
    laid_out(qtbot, view)
    rect = view.visualRect(view.paragraphs.index(0))
    box = view.delegate.word_rect(0, rect, 2)  # "there."
    assert box is not None
    with qtbot.waitSignal(view.word_clicked) as clicked:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                         pos=box.center().toPoint())
    assert clicked.args == [2]
    assert view.word_at(QPointF(box.center())) == 2
    # Far to the right of the text is no word.
    assert view.word_at(QPointF(rect.right() - 5, box.center().y())) is None


def test_keys_ask_for_playback_moves(qtbot: Any, view: TranscriptView) -> None:
    view.paragraphs.set_transcript(parse_transcript(SMALL))
    view.setFocus()
    with qtbot.waitSignal(view.play_pause_requested):
        qtbot.keyClick(view, Qt.Key.Key_Space)
    with qtbot.waitSignal(view.step_requested) as step:
        qtbot.keyClick(view, Qt.Key.Key_Right)
    assert step.args == [1]
    with qtbot.waitSignal(view.shuttle_requested) as back:
        qtbot.keyClick(view, Qt.Key.Key_J)
    assert back.args == [-5000]
    with qtbot.waitSignal(view.shuttle_requested) as forward:
        qtbot.keyClick(view, Qt.Key.Key_L)
    assert forward.args == [5000]
    with qtbot.waitSignal(view.pause_requested):
        qtbot.keyClick(view, Qt.Key.Key_K)


def test_low_confidence_follows_the_threshold() -> None:
    model = ParagraphModel()
    transcript = parse_transcript(SMALL)
    model.set_transcript(transcript)
    there = transcript.words[2]  # exp(-2.5) is about 8 %
    assert model.is_low_confidence(there)
    model.set_threshold(0.05)
    assert not model.is_low_confidence(there)
    assert not model.is_low_confidence(transcript.words[1])  # spacing never


def test_multichannel_per_channel_or_merged(qtbot: Any, view: TranscriptView) -> None:
    transcript = parse_transcript(synthetic_transcript(400, channels=2))
    model = view.paragraphs
    model.set_transcript(transcript)
    merged = model.rowCount()
    assert {row.channel for row in model.rows} == {0, 1}
    model.set_channel_view(1)
    assert {row.channel for row in model.rows} == {1}
    assert 0 < model.rowCount() < merged
    word = model.rows[0].words[0]
    assert model.row_of_word(word) == 0
    assert model.row_of_word(next(w.index for w in transcript.words if w.channel == 0)) is None
    model.set_channel_view(ALL_CHANNELS)
    assert model.rowCount() == merged


def test_thirty_thousand_words_load_and_scroll(qtbot: Any, view: TranscriptView,
                                               tmp_path: Path) -> None:
    transcript: Transcript = parse_transcript(synthetic_transcript(30_000))
    assert sum(1 for w in transcript.words if w.kind != "spacing") == 30_000
    view.paragraphs.set_transcript(transcript)
    laid_out(qtbot, view)
    last = transcript.words[-2].index
    view.paragraphs.set_current_word(last)
    view.show_word(last)
    qtbot.waitUntil(lambda: view.indexAt(QPoint(30, view.viewport().height() - 30)).row()
                    >= view.paragraphs.rowCount() - 3, timeout=10000)
    QApplication.processEvents()
    save_screenshot(view, "transcripts_view_30k", tmp_path)


def test_view_screenshot_shows_speakers_events_and_flags(qtbot: Any, view: TranscriptView,
                                                         tmp_path: Path) -> None:
    transcript = parse_transcript(synthetic_transcript(300, seed=4))
    view.paragraphs.set_transcript(transcript, frozenset({2}))
    view.paragraphs.set_current_word(4)
    view.paragraphs.set_matches(frozenset({8, 12}), 8)
    view.paragraphs.set_selected_word(6)
    laid_out(qtbot, view)
    path = save_screenshot(view, "transcripts_view", tmp_path)
    assert path.stat().st_size > 5000
    row = view.paragraphs.index(0).data(ParagraphRole)
    assert row.words[0] == 0


def test_an_edit_updates_rows_in_place(qtbot: Any, view: TranscriptView) -> None:
    from app.domain.transcript_edit import TranscriptEdits

    original = parse_transcript(SMALL)
    model = view.paragraphs
    model.set_transcript(original)
    laid_out(qtbot, view)
    edits = TranscriptEdits().with_correction(5, "Yes indeed, " * 30).with_speaker_name(
        "speaker_0", "Ada")
    before = view.visualRect(model.index(1)).height()
    with qtbot.assertNotEmitted(model.modelReset), \
            qtbot.waitSignal(model.rows_changed) as changed:
        model.set_transcript(edits.apply(original), frozenset(edits.corrections))
    assert changed.args == [[1]]
    assert model.index(0).data().startswith("Ada: ")
    # The longer paragraph is laid out again and the view makes room for it.
    qtbot.waitUntil(lambda: view.visualRect(model.index(1)).height() > before, timeout=3000)
    with qtbot.waitSignal(model.modelReset):  # a merge changes the paragraphs
        merged = TranscriptEdits().with_merge("speaker_1", "speaker_0")
        model.set_transcript(merged.apply(original))
    assert model.rowCount() == 1


def test_a_taller_or_shorter_view_keeps_its_rows_a_narrower_one_wraps_again(
        qtbot: Any, view: TranscriptView) -> None:
    # A banner or a status line coming and going changes only the view's height: the rows
    # keep their layouts and places (laying out hundreds of rows again, a Python size hint
    # each, stalled the window while a second long transcript was being read).
    transcript = parse_transcript(synthetic_transcript(3000, seed=5))
    view.paragraphs.set_transcript(transcript)
    laid_out(qtbot, view)
    warm = view.delegate.layouts._warm
    qtbot.waitUntil(lambda: not warm.isActive(), timeout=30_000)  # exact heights, all rows
    # QListView lays the rows out in batches of 60 on its own timer: wait for the last
    # batch, or its size hints would be counted as the resize's.
    last = view.paragraphs.index(view.paragraphs.rowCount() - 1)
    qtbot.waitUntil(lambda: view.visualRect(last).height() > 0, timeout=30_000)
    QApplication.processEvents()
    asked: list[int] = []
    original = view.delegate.sizeHint
    view.delegate.sizeHint = lambda option, index: (asked.append(index.row()),  # type: ignore[method-assign]
                                                    original(option, index))[1]
    before = view.visualRect(view.paragraphs.index(5))
    scroll_range = view.verticalScrollBar().maximum()
    view.resize(700, 250)
    qtbot.wait(250)  # longer than QListView's delayed layout (100 ms)
    rows = view.paragraphs.rowCount()
    assert rows > 100
    assert len(set(asked)) < 20  # the rows in sight (painted), not all of them
    assert view.visualRect(view.paragraphs.index(5)) == before
    assert view.verticalScrollBar().maximum() == scroll_range + 150  # the scroll range follows
    # Narrower: the paragraphs wrap again, so they are laid out again and get taller.
    view.resize(450, 250)
    qtbot.waitUntil(lambda: len(asked) > 0, timeout=5000)
    qtbot.waitUntil(lambda: view.visualRect(view.paragraphs.index(5)).height()
                    > before.height(), timeout=10_000)
