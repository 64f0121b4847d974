"""The detailed stream's parser: events across any chunk boundaries, and damaged or
cut streams refused with plain words (never a hang, never an unbounded buffer)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.music_detailed_stream import (
    DetailedStreamCollector,
    DetailedStreamError,
    DetailedStreamParser,
    audio_event,
    format_event,
)

PLAN = {"positive_global_styles": ["pop"], "negative_global_styles": [], "sections": [
    {"section_name": "Intro", "positive_local_styles": [], "negative_local_styles": [],
     "duration_ms": 3000, "lines": []},
    {"section_name": "Verse", "positive_local_styles": [], "negative_local_styles": [],
     "duration_ms": 4000, "lines": ["la la"]}]}


def _stream() -> bytes:
    return b"".join([
        b": keep-alive\n\n",
        format_event("composition_plan", {"composition_plan": PLAN}),
        format_event("song_metadata", {"song_metadata": {"title": "T", "genres": ["pop"]}}),
        format_event("section", {"index": 0, "section_name": "Intro", "start_ms": 0,
                                 "end_ms": 3100}),
        audio_event(b"abc"),
        format_event("section", {"index": 1, "section_name": "Verse", "start_ms": 3100,
                                 "end_ms": 7000}),
        audio_event(b"def", [{"word": "la", "start_ms": 3200, "end_ms": 3400}]),
        format_event("something_new", {"x": 1}),
        format_event("done", {"song_id": "s1", "duration_ms": 7000}),
    ])


@pytest.mark.parametrize("size", [1, 7, 100, 10_000])
def test_events_across_any_chunk_size(size: int) -> None:
    data = _stream().replace(b"\n", b"\r\n") if size == 7 else _stream()
    parser = DetailedStreamParser()
    collector = DetailedStreamCollector()
    for at in range(0, len(data), size):
        for event in parser.feed(data[at:at + size]):
            collector.add(event)
    for event in parser.finish():
        collector.add(event)
    result = collector.result("audio/mpeg")
    assert result.audio == b"abcdef" and result.song_id == "s1"
    assert result.section_timings_ms == [(0, 3100), (3100, 7000)]
    assert result.title == "T" and [w.word for w in result.words] == ["la"]
    assert result.plan is not None and [s.name for s in result.plan.sections] == [
        "Intro", "Verse"]


def test_the_last_event_without_its_blank_line_still_counts() -> None:
    parser = DetailedStreamParser()
    events = parser.feed(format_event("done", {"song_id": "s"}).rstrip(b"\n"))
    assert events == []
    assert [e.type for e in parser.finish()] == ["done"]


def test_plan_times_when_no_section_events() -> None:
    collector = DetailedStreamCollector()
    collector.add(DetailedStreamParser().feed(
        format_event("composition_plan", {"composition_plan": PLAN}))[0])
    assert collector.section_timings_ms() == [(0, 3000), (3000, 7000)]


def test_a_truncated_stream_is_an_error_not_a_wait() -> None:
    data = _stream()
    cut = data[:data.index(b"event: done")]
    parser = DetailedStreamParser()
    collector = DetailedStreamCollector()
    for event in parser.feed(cut + b"event: audio_chunk\ndata: {\"audio_b"):
        collector.add(event)
    with pytest.raises(DetailedStreamError, match="ended before the song was complete"):
        parser.finish()
    with pytest.raises(DetailedStreamError, match="ended before"):
        collector.result()


@pytest.mark.parametrize("garbage, words", [
    (b"data: {not json\n\n", "not valid JSON"),
    (b"data: [1, 2]\n\n", "not a JSON object"),
    (b"event: audio_chunk\ndata: {\"audio_base64\": \"@@@\"}\n\n", "bad base64"),
    (b"event: audio_chunk\ndata: {}\n\n", "no audio"),
    (b"<html>502 Bad Gateway</html>\n", "cannot read"),
    (b"data: \xff\xfe\n\n", "not UTF-8"),
])
def test_garbled_events_are_refused_plainly(garbage: bytes, words: str) -> None:
    with pytest.raises(DetailedStreamError, match=words):
        DetailedStreamParser().feed(garbage)


def test_an_endless_line_is_refused_without_waiting() -> None:
    parser = DetailedStreamParser(max_event_bytes=1000)
    parser.feed(b"data: " + b"x" * 500)
    with pytest.raises(DetailedStreamError, match="too large"):
        parser.feed(b"x" * 600)


def test_an_error_event_carries_the_servers_words() -> None:
    parser = DetailedStreamParser()
    (event,) = parser.feed(format_event("error", {"detail": {"status": "x",
                                                             "message": "Out of tune."}}))
    assert parser.finish() == []  # an error is an ending
    with pytest.raises(DetailedStreamError, match="Out of tune"):
        DetailedStreamCollector().add(event)


def test_bad_section_times_and_events_after_done() -> None:
    parser = DetailedStreamParser()
    (event,) = parser.feed(format_event("section", {"index": 0, "start_ms": 5,
                                                    "end_ms": 1}))
    # Left out (the song, paid for, is kept) and said: the plan's times stand.
    collector = DetailedStreamCollector()
    collector.add(event)
    assert collector.sections == [] and "no usable times" in collector.times_problem
    (huge,) = DetailedStreamParser().feed(format_event(
        "section", {"index": 0, "start_ms": 0, "end_ms": 10**15}))
    collector.add(huge)
    assert collector.sections == []
    collector.add(DetailedStreamParser().feed(format_event("done", {"song_id": "s"}))[0])
    assert "made no sense" in collector.result().metadata["section_times_refused"]
    parser.feed(format_event("done", {"song_id": "s"}))
    with pytest.raises(DetailedStreamError, match="went on after"):
        parser.feed(audio_event(b"x"))


_FUZZ_PIECES = [b"event: ", b"data: ", b"{", b"}", b'"type":"done"', b'"audio_base64":"',
                b"QUJD", b"\n", b"\r\n", b"\n\n", b":", b"audio_chunk", b"section",
                b'"index":0,"start_ms":0,"end_ms":5', b"\xff", b"[", b"]", b",", b"id: 3"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_FUZZ_PIECES), st.binary(max_size=20)),
                max_size=40),
       st.integers(min_value=1, max_value=17))
def test_any_bytes_give_events_or_a_plain_error(pieces: list[bytes], size: int) -> None:
    """Whatever arrives, in whatever chunks: events (their `add` may refuse them with
    DetailedStreamError) or DetailedStreamError, and never anything else."""
    data = b"".join(pieces)
    parser = DetailedStreamParser(max_event_bytes=4096)
    collector = DetailedStreamCollector()
    try:
        for at in range(0, len(data), size):
            for event in parser.feed(data[at:at + size]):
                collector.add(event)
        for event in parser.finish():
            collector.add(event)
        collector.result()
    except DetailedStreamError as exc:
        assert str(exc)
