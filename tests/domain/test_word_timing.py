"""Word timings from character alignments: pieces, requests, lookup by time."""

from __future__ import annotations

from app.domain.script import WordTime
from app.domain.word_timing import (
    AlignmentCollector,
    SpansBuilder,
    SpokenText,
    word_spans,
)


def _chars(text: str, start_s: float, step_s: float = 0.1):
    starts = [start_s + i * step_s for i in range(len(text))]
    return list(text), starts, [s + step_s for s in starts]


def test_collector_joins_stream_pieces_that_cut_a_word() -> None:
    timed = AlignmentCollector()
    timed.start_request(0)
    timed.add(*_chars("Hello wo", 0.0))
    assert [w.word for w in timed.words()] == ["Hello"]  # "wo" may go on
    timed.add(*_chars("rld.", 0.8))
    assert [w.word for w in timed.words()] == ["Hello"]
    words = timed.words(final=True)
    assert words == (WordTime("Hello", 0, 500), WordTime("world.", 600, 1200))


def test_collector_shifts_each_request_by_the_audio_before_it() -> None:
    timed = AlignmentCollector()
    timed.start_request(0)
    timed.add(*_chars("One two", 0.0))
    assert [w.word for w in timed.words(final=True)] == ["One", "two"]
    timed.start_request(2000)  # the first part's audio lasted 2 s
    timed.add(*_chars("three", 0.0))
    words = timed.words(final=True)
    assert [w.word for w in words] == ["One", "two", "three"]
    assert words[2] == WordTime("three", 2000, 2500)


def test_spans_builder_matches_word_spans_a_few_words_at_a_time() -> None:
    text = "Say  hello, World! twice: hello."
    words = [WordTime(w, i * 100, i * 100 + 80)
             for i, w in enumerate(["Say", "hello,", "world!", "twice:", "hello."])]
    builder = SpansBuilder(text)
    builder.update(words[:2])
    assert builder.update(words) == word_spans(text, words)
    assert [text[s.first:s.end] for s in builder.spans] == \
        ["Say", "hello,", "World!", "twice:", "hello."]


def test_spoken_text_lookup_by_time() -> None:
    words = [WordTime("a", 0, 100), WordTime("bb", 150, 300), WordTime("c", 300, 400)]
    spoken = SpokenText.from_words("a bb c", words)
    assert spoken.word_at(50) == (0, 1)
    assert spoken.word_at(120) is None  # between words
    assert spoken.word_at(150) == (2, 4)
    assert spoken.index_at(300) == 2
    assert spoken.word_at(400) is None and spoken.word_at(-5) is None
    assert SpokenText("x").word_at(0) is None
