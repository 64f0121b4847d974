"""Section spans: the server's times where returned, the plan's otherwise, differences;
and the same read from a kept version's history entry."""

from __future__ import annotations

import pytest

from app.domain.music_plan import Plan, Section
from app.domain.music_plan_write import plan_to_dict, to_wire_plan
from app.domain.music_section_times import matching_span, section_spans, stored_spans

PLANNED = Plan(sections=[Section("Intro", 3000), Section("Verse", 4000),
                         Section("Chorus", 4000)])


def test_plan_lengths_when_the_server_returned_none() -> None:
    spans = section_spans(PLANNED, None)
    assert [(s.name, s.start_ms, s.end_ms) for s in spans] == [
        ("Intro", 0, 3000), ("Verse", 3000, 7000), ("Chorus", 7000, 11000)]
    assert not any(s.differs for s in spans)


def test_server_times_win_and_differences_show() -> None:
    returned = Plan(sections=[Section("Intro", 3000), Section("Verse", 4500),
                              Section("Chorus", 4000), Section("Outro", 2000)])
    spans = section_spans(PLANNED, returned)
    assert [(s.start_ms, s.end_ms) for s in spans] == [(0, 3000), (3000, 7500),
                                                       (7500, 11500), (11500, 13500)]
    assert [s.differs for s in spans] == [False, True, True, True]
    assert spans[3].planned_start_ms is None


def test_a_song_from_a_description_has_no_plan_to_differ_from() -> None:
    spans = section_spans(None, PLANNED)
    assert [(s.start_ms, s.end_ms) for s in spans] == [(0, 3000), (3000, 7000),
                                                       (7000, 11000)]
    assert all(s.from_server and not s.compared for s in spans)
    assert not any(s.differs for s in spans)


def test_a_b_matches_by_name_then_position() -> None:
    a = section_spans(Plan(sections=[Section("Verse", 1000), Section("Chorus", 1000),
                                     Section("Verse", 1000)]), None)
    b = section_spans(Plan(sections=[Section("Intro", 500), Section("Verse", 2000),
                                     Section("Verse", 3000)]), None)
    assert matching_span(a, b, 2).start_ms == 2500  # the second Verse of each
    assert matching_span(a, b, 1).name == "Verse"  # no Chorus in b: the same position
    assert matching_span(a, b[:1], 1) is None


def _stored(planned: Plan | None = None, returned: Plan | None = None,
            timings: object = None) -> tuple[dict[str, object], dict[str, object]]:
    """A history entry's settings and extra as the Music tab keeps them."""
    settings = {"plan": plan_to_dict(planned) if planned is not None else None}
    extra: dict[str, object] = {}
    if returned is not None:
        extra["composition_plan"] = to_wire_plan(returned, "music_v1")
    if timings is not None:
        extra["section_timings_ms"] = timings
    return settings, extra


def test_stored_spans_follow_the_timelines_rule() -> None:
    returned = Plan(sections=[Section("Intro", 4000), Section("Verse", 3500),
                              Section("Chorus", 5000)])
    # The plan alone: its lengths.
    assert [(s.start_ms, s.from_server) for s in stored_spans(*_stored(PLANNED))] == [
        (0, False), (3000, False), (7000, False)]
    # The server's plan: its lengths, against the sent plan's.
    spans = stored_spans(*_stored(PLANNED, returned))
    assert [(s.name, s.start_ms, s.end_ms) for s in spans] == [
        ("Intro", 0, 4000), ("Verse", 4000, 7500), ("Chorus", 7500, 12500)]
    assert [s.differs for s in spans] == [True, True, True]
    # A prompt version: only what the server returned.
    assert [s.start_ms for s in stored_spans({"prompt": "x"}, _stored(None, returned)[1])] \
        == [0, 4000, 7500]
    # Nothing on record.
    assert stored_spans({"prompt": "x"}, {}) == []


def test_streamed_section_times_win_when_there_is_one_a_section() -> None:
    timings = [[0, 3020], [3020, 7400], [7400, 11000]]
    spans = stored_spans(*_stored(PLANNED, None, timings))
    assert [(s.name, s.start_ms, s.end_ms, s.from_server) for s in spans] == [
        ("Intro", 0, 3020, True), ("Verse", 3020, 7400, True), ("Chorus", 7400, 11000, True)]
    assert (spans[1].planned_start_ms, spans[1].planned_end_ms) == (3000, 7000)
    assert [s.differs for s in spans] == [False, True, True]  # 20 ms is "as planned"


@pytest.mark.parametrize("timings", [
    [[0, 3000], [3000, 7000]],  # not one a section
    [[0, 3000], [3000, "x"], [7000, 11000]],
    [[0, 3000], [7000, 3000], [7000, 11000]],  # ends before it starts
    [[0, 3000], [3000, float("nan")], [7000, 11000]],
    [[0, 3000], [3000, True], [7000, 11000]],
    "0-3000",
])
def test_unusable_stored_times_fall_back_to_the_plans(timings: object) -> None:
    spans = stored_spans(*_stored(PLANNED, None, timings))
    assert [(s.start_ms, s.from_server) for s in spans] == [
        (0, False), (3000, False), (7000, False)]


def test_a_stored_plan_that_is_not_one_is_no_plan() -> None:
    assert stored_spans({"plan": {"sections": "nope"}}, {"composition_plan": []}) == []


def test_streamed_times_of_a_song_from_a_description_are_not_marked() -> None:
    """A description song streamed with its section times: nothing to compare with, so no
    section is marked as differing from a plan (the streamed path keeps `compared`)."""
    timings = [[0, 3020], [3020, 7400], [7400, 11000]]
    spans = stored_spans(*_stored(None, PLANNED, timings))
    assert [(s.start_ms, s.end_ms) for s in spans] == [(0, 3020), (3020, 7400), (7400, 11000)]
    assert all(s.from_server and not s.compared for s in spans)
    assert not any(s.differs for s in spans)


@pytest.mark.parametrize("verse_ms", [-4000, 10**15])
def test_a_returned_plan_with_absurd_lengths_is_not_used(verse_ms: int) -> None:
    """A section lasting less than nothing, or 10^15 ms: the plan that was sent stands."""
    returned = Plan(sections=[Section("Intro", 3000), Section("Verse", verse_ms),
                              Section("Chorus", 4000)])
    spans = section_spans(PLANNED, returned)
    assert [(s.start_ms, s.end_ms, s.from_server) for s in spans] == [
        (0, 3000, False), (3000, 7000, False), (7000, 11000, False)]
    assert stored_spans(*_stored(PLANNED, returned)) == spans


def test_spans_never_run_past_the_song() -> None:
    """Stored times (or a plan) longer than the audio: the timeline and looping stop at
    the song's end."""
    timings = [[0, 3000], [3000, 9000], [9000, 40_000]]
    spans = stored_spans(*_stored(PLANNED, None, timings), song_ms=10_000)
    assert [(s.start_ms, s.end_ms) for s in spans] == [(0, 3000), (3000, 9000),
                                                       (9000, 10_000)]
    short = stored_spans(*_stored(PLANNED), song_ms=5_000)
    assert [(s.start_ms, s.end_ms) for s in short] == [(0, 3000), (3000, 5000), (5000, 5000)]


@pytest.mark.parametrize("verse_ms", [-4000, 10**15])
def test_a_detailed_answer_with_absurd_times_keeps_the_song_not_the_times(
        verse_ms: int) -> None:
    import base64
    import json

    from app.domain.music_detailed import parse_detailed_response

    plan = {"positive_global_styles": [], "negative_global_styles": [], "sections": [
        {"section_name": "Intro", "duration_ms": 3000, "positive_local_styles": [],
         "negative_local_styles": [], "lines": []},
        {"section_name": "Verse", "duration_ms": verse_ms, "positive_local_styles": [],
         "negative_local_styles": [], "lines": []}]}
    body = json.dumps({"composition_plan": plan,
                       "audio_base64": base64.b64encode(b"ID3audio").decode()}).encode()
    result = parse_detailed_response("application/json", body)
    assert result.audio == b"ID3audio"
    assert result.plan is None and result.section_timings_ms == []
    assert "composition_plan" not in result.metadata
    assert "made no sense" in result.metadata["section_times_refused"]
