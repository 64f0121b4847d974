"""A kept version's DAW markers from its history entry: the server's section times where
it returned them, the plan's lengths otherwise, none for a prompt without details (and
the summary says which); the tempo from the styles or the prompt."""

from __future__ import annotations

from app.domain.music_plan import Plan, Section
from app.domain.music_plan_write import plan_to_dict, to_wire_plan
from app.services.daw_markers import DEFAULT_TEMPO_BPM, SectionMark
from app.services.version_markers import version_markers

PLAN = Plan(global_positive_styles=["pop", "100 bpm"], sections=[
    Section("Intro", 3000), Section("Verse", 4000)])
RETURNED = Plan(global_positive_styles=["pop"], sections=[
    Section("Intro", 3500), Section("Verse", 4500)])


def test_the_servers_times_win() -> None:
    markers = version_markers({"plan": plan_to_dict(PLAN)},
                              {"composition_plan": to_wire_plan(RETURNED, "music_v1")})
    assert markers.marks == [SectionMark("Intro", 0, 3500), SectionMark("Verse", 3500, 8000)]
    assert markers.from_server and markers.tempo_bpm == 100.0 and markers.tempo_named
    assert markers.summary().startswith("Section markers at the times the server returned")
    assert "Tempo 100 BPM, as the styles" in markers.summary()


def test_markers_stay_inside_the_song() -> None:
    """A song shorter than its sections' times (the server cut it short, or its times
    were damaged): the markers end with the audio, as the timeline does."""
    markers = version_markers({"plan": plan_to_dict(PLAN)},
                              {"composition_plan": to_wire_plan(RETURNED, "music_v1")},
                              song_ms=3000)
    assert markers.marks == [SectionMark("Intro", 0, 3000)]
    markers = version_markers({"plan": plan_to_dict(PLAN)},
                              {"composition_plan": to_wire_plan(RETURNED, "music_v1")},
                              song_ms=5000)
    assert markers.marks == [SectionMark("Intro", 0, 3500), SectionMark("Verse", 3500, 5000)]


def test_the_plans_lengths_without_the_servers() -> None:
    markers = version_markers({"plan": plan_to_dict(PLAN)}, {})
    assert markers.marks == [SectionMark("Intro", 0, 3000), SectionMark("Verse", 3000, 7000)]
    assert not markers.from_server
    assert "at the plan's lengths (the server returned no times" in markers.summary()


def test_a_prompt_with_the_servers_plan() -> None:
    markers = version_markers({"mode": "prompt", "prompt": "lofi at 82.5 BPM", "plan": None},
                              {"composition_plan": to_wire_plan(RETURNED, "music_v1")})
    assert [m.start_ms for m in markers.marks] == [0, 3500] and markers.from_server
    assert markers.tempo_bpm == 82.5  # from the prompt: the returned plan names none


def test_a_prompt_without_details_has_no_sections_and_says_why() -> None:
    markers = version_markers({"mode": "prompt", "prompt": "a calm piano piece"},
                              {"song_id": "abc"})
    assert markers.marks == [] and not markers.from_server
    assert markers.tempo_bpm == DEFAULT_TEMPO_BPM and not markers.tempo_named
    summary = markers.summary()
    assert summary.startswith("No section markers: this version was composed from a prompt "
                              "without song details")
    assert "The MIDI markers file holds the tempo only" in summary
    assert "Tempo 120 BPM is a stand-in" in summary
