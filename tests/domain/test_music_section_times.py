"""Section spans: the server's times where returned, the plan's otherwise, differences."""

from __future__ import annotations

from app.domain.music_plan import Plan, Section
from app.domain.music_section_times import matching_span, section_spans

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
