"""The transcript viewer with Arabic (the highlight covers the word), Japanese (no
spaces added) and two channels side by side, each paragraph in its channel's column."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QFontMetricsF

from app.domain.transcript_parse import parse_transcript
from app.ui.transcripts.paragraph_layout import ParagraphLayouts, paragraph_direction
from app.ui.transcripts.paragraph_model import (
    ALL_CHANNELS,
    SIDE_BY_SIDE,
    ParagraphModel,
    display_pieces,
    paragraph_text,
)
from app.ui.transcripts.transcript_view import TranscriptView
from tests.support.transcripts import arabic, japanese, two_channel_call


@pytest.fixture
def view(qtbot: Any) -> TranscriptView:
    widget = TranscriptView(ParagraphModel())
    widget.resize(700, 400)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def laid_out(qtbot: Any, view: TranscriptView) -> None:
    qtbot.waitUntil(lambda: view.indexAt(QPoint(view.viewport().width() // 2, 20)).isValid(),
                    timeout=5000)


def test_arabic_highlight_covers_the_whole_word(qtbot: Any, view: TranscriptView) -> None:
    transcript = parse_transcript(arabic())
    view.paragraphs.set_transcript(transcript)
    laid_out(qtbot, view)
    laid = view.delegate.laid(0)
    assert laid is not None
    assert laid.layout.textOption().textDirection() == Qt.LayoutDirection.RightToLeft
    body, _ = view.delegate.layouts.fonts()
    metrics = QFontMetricsF(body)
    rects = {}
    for word in (w for w in transcript.words if w.kind == "word"):
        (box,) = ParagraphLayouts.boxes(laid, *laid.spans[word.index])
        assert box.width() >= 0.9 * metrics.horizontalAdvance(word.text), word.text
        rects[word.text] = box
    # Read right to left: the first word is drawn rightmost, and no two overlap.
    first, second, third = (rects[w] for w in ("مرحبا", "بكم", "جميعا"))
    assert first.left() >= second.right() - 1 and second.left() >= third.right() - 1
    # A click in the middle of a highlighted word finds that word.
    rect = view.visualRect(view.paragraphs.index(0))
    middle = view.delegate.word_rect(0, rect, transcript.words[2].index)
    assert middle is not None
    assert view.word_at(QPointF(middle.center())) == transcript.words[2].index


def test_paragraph_direction_follows_the_first_letter() -> None:
    assert paragraph_direction("  مرحبا hello") == Qt.LayoutDirection.RightToLeft
    assert paragraph_direction("hello مرحبا") == Qt.LayoutDirection.LeftToRight
    assert paragraph_direction("12 שלום") == Qt.LayoutDirection.RightToLeft


@pytest.mark.parametrize("spacing", [True, False])
def test_japanese_is_shown_without_spaces(spacing: bool) -> None:
    transcript = parse_transcript(japanese(spacing))
    model = ParagraphModel()
    model.set_transcript(transcript)
    assert paragraph_text(transcript, model.rows[0]) == "今日はいい天気ですね。"
    shown = [index for _piece, index in display_pieces(transcript, model.rows[0])]
    assert -1 not in shown  # no space was added between words


def test_two_channels_side_by_side(qtbot: Any, view: TranscriptView) -> None:
    transcript = parse_transcript(two_channel_call())
    model = view.paragraphs
    model.set_transcript(transcript)
    merged = [(row.channel, row.start_ms) for row in model.rows]
    model.set_channel_view(SIDE_BY_SIDE)
    assert [(row.channel, row.start_ms) for row in model.rows] == merged  # same order
    assert model.columns == 2
    laid_out(qtbot, view)
    delegate = view.delegate
    half = view.viewport().width() // 2
    for row, data in enumerate(model.rows):
        rect = view.visualRect(model.index(row))
        column = delegate.column_rect(row, rect)
        assert column.width() == half
        assert column.left() == rect.left() + data.channel * half
        word = next(i for i in data.words if transcript.words[i].kind == "word")
        box = delegate.word_rect(row, rect, word)
        assert box is not None and column.left() <= box.left() < box.right() <= column.right()
        assert view.word_at(QPointF(box.center())) == word
    model.set_channel_view(ALL_CHANNELS)
    assert model.columns == 1
