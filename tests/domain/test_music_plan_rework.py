"""Offline plan rework rules and the section-by-section diff."""

from __future__ import annotations

from app.domain.music_plan import Plan, Section
from app.domain.music_plan_diff import plan_diff
from app.domain.music_plan_rework import rework_plan

PLAN = Plan(global_positive_styles=["pop"], sections=[
    Section("Intro", 4000, ["soft"]), Section("Chorus 1", 8000, ["catchy"]),
    Section("Verse", 8000), Section("Chorus 2", 8000)])


def test_named_sections_change_the_rest_stay() -> None:
    after = rework_plan(PLAN, "Make the chorus bigger and longer, without drums")
    changes = plan_diff(PLAN, after)
    assert [c.index for c in changes] == [1, 3]
    chorus = after.sections[1]
    assert chorus.positive_styles == ["catchy", "bigger", "fuller arrangement"]
    assert chorus.negative_styles == ["drums"]
    assert chorus.duration_ms == 10_000
    assert "length 8 s → 10 s" in changes[0].summary
    assert PLAN.sections[1].positive_styles == ["catchy"]  # the source is untouched


def test_no_section_named_means_every_section() -> None:
    after = rework_plan(PLAN, "everything softer, with piano")
    assert all("softer" in s.positive_styles and "piano" in s.positive_styles
               for s in after.sections)


def test_diff_lists_added_and_removed() -> None:
    shorter = Plan(sections=PLAN.sections[:2])
    kinds = [c.kind for c in plan_diff(PLAN, shorter)]
    assert kinds == ["removed", "removed"]
    assert [c.kind for c in plan_diff(shorter, PLAN)] == ["added", "added"]
