"""A server's 422 about a plan lands on the section and field it names."""

from __future__ import annotations

from app.domain.music_plan import Plan, Section
from app.domain.music_server_problems import server_problems

PLAN = Plan(global_positive_styles=["pop", "upbeat"], global_negative_styles=["metal"],
            sections=[Section("Intro", 5000, ["piano"]),
                      Section("Chorus", 8000, ["drums", "bass"], ["flute"], ["la la"]),
                      Section("Outro", 4000)])


def test_a_v1_section_field_maps_to_its_row_and_column() -> None:
    [problem] = server_problems(
        [(["body", "composition_plan", "sections", 1, "duration_ms"],
          "Input should be greater than or equal to 3000")], PLAN)
    assert (problem.section_index, problem.field, problem.severity) == (1, "duration_ms",
                                                                          "error")
    assert problem.message == ("Section 2 “Chorus”: the server did not accept the length "
                               "(Input should be greater than or equal to 3000)")


def test_v1_names_lines_and_sources() -> None:
    problems = server_problems([
        (["body", "composition_plan", "sections", 0, "section_name"], "too long"),
        (["body", "composition_plan", "sections", 2, "lines", 3], "too long"),
        (["body", "composition_plan", "sections", 2, "source_from", "range"], "bad"),
        (["body", "composition_plan", "sections", 1, "negative_local_styles", 0], "no"),
    ], PLAN)
    assert [(p.section_index, p.field) for p in problems] == [
        (0, "name"), (2, "lines"), (2, "source"), (1, "negative_styles")]


def test_v2_chunk_styles_tell_global_from_local() -> None:
    """A chunk sends the song's styles first, then the section's own."""
    problems = server_problems([
        (["body", "composition_plan", "chunks", 1, "positive_styles", 1], "refused"),
        (["body", "composition_plan", "chunks", 1, "positive_styles", 3], "refused"),
        (["body", "composition_plan", "chunks", 1, "negative_styles", 1], "refused"),
        (["body", "composition_plan", "chunks", 2, "text"], "too long"),
    ], PLAN)
    assert [(p.section_index, p.field) for p in problems] == [
        (None, "global_positive_styles"), (1, "positive_styles"), (1, "negative_styles"),
        (2, "lines")]
    assert problems[0].message == "The server did not accept the song's styles (refused)"


def test_global_styles_and_the_rest_of_the_request() -> None:
    problems = server_problems([
        (["body", "composition_plan", "negative_global_styles", 0], "refused"),
        (["body", "music_length_ms"], "too short"),
        (["query", "output_format"], "not allowed"),
        (["body", "composition_plan", "sections", 9, "duration_ms"], "no such section"),
        ([], ""),
    ], PLAN)
    assert [(p.section_index, p.field) for p in problems] == [
        (None, "global_negative_styles"), (None, "music_length_ms"), (None, "output_format"),
        (None, "sections.9.duration_ms"), (None, "the request")]
    assert problems[1].message == ("The server did not accept the request's "
                                   "music_length_ms (too short)")
    assert problems[-1].message == "The server did not accept the request (not accepted)"
