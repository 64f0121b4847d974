"""Where a version's sections fell: the times the server returned (the plan a detailed
response says it followed) where there are any, else the planned lengths; and where
the two differ."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.domain.music_plan import Plan
from app.domain.music_plan_json import PlanFormatError, plan_from_json

DIFFERENCE_MS = 50  # closer than this counts as "as planned"
# No song section lasts an hour (a whole song is a few minutes): times beyond it, or
# negative ones, are a damaged answer, not a song.
MAX_SECTION_MS = 3_600_000


@dataclass(frozen=True)
class SectionSpan:
    name: str
    start_ms: int
    end_ms: int
    planned_start_ms: int | None = None  # None: the plan had no such section
    planned_end_ms: int | None = None
    from_server: bool = False
    compared: bool = True  # False: no plan to compare with (composed from a description)

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms

    @property
    def differs(self) -> bool:
        if not self.from_server or not self.compared:
            return False
        if self.planned_start_ms is None or self.planned_end_ms is None:
            return True
        return (abs(self.start_ms - self.planned_start_ms) >= DIFFERENCE_MS
                or abs(self.end_ms - self.planned_end_ms) >= DIFFERENCE_MS)


def timings_problem(timings: list[tuple[int, int]]) -> str:
    """Plain words for what is wrong with section times, or "" when they are usable:
    each section starts at 0 or later, ends after it starts, and is shorter than an hour."""
    for index, (start, end) in enumerate(timings):
        if not (math.isfinite(start) and math.isfinite(end)):
            return f"section {index + 1} has no real time"
        if start < 0 or end < start:
            return f"section {index + 1} would end before it starts"
        if end - start > MAX_SECTION_MS or end > len(timings) * MAX_SECTION_MS:
            return f"section {index + 1} would last longer than any song"
    return ""


def plan_times_problem(plan: Plan) -> str:
    """timings_problem for a plan the server returned, its lengths checked one by one
    (a negative length would otherwise only show as a section of no length)."""
    for index, section in enumerate(plan.sections):
        if not 0 <= section.duration_ms <= MAX_SECTION_MS:
            return (f"section {index + 1} would last "
                    + ("less than nothing" if section.duration_ms < 0
                       else "longer than any song"))
    return timings_problem(plan.section_bounds_ms())


def refused_times_words(problem: str) -> str:
    return (f"The server's section times made no sense ({problem}), so the sections are "
            "shown at their planned lengths.")


def fit_to_song(spans: list[SectionSpan], song_ms: int | None) -> list[SectionSpan]:
    """`spans` kept inside the song: nothing starts before 0 or ends after its length
    (times a damaged answer gave, or a song cut short, never send playback or the
    timeline past the audio)."""
    if song_ms is None or song_ms <= 0:
        return spans
    fitted = []
    for span in spans:
        start = min(max(0, span.start_ms), song_ms)
        end = min(max(start, span.end_ms), song_ms)
        fitted.append(SectionSpan(span.name, start, end, span.planned_start_ms,
                                  span.planned_end_ms, span.from_server, span.compared))
    return fitted


def section_spans(planned: Plan | None, returned: Plan | None) -> list[SectionSpan]:
    """The spans of `returned` (the server's) when it has sections, else of `planned`.
    Server times that make no sense (timings_problem) are left out: the plan's stand."""
    def bounds(plan: Plan | None) -> list[tuple[str, int, int]]:
        if plan is None:
            return []
        return [(s.name, start, start + s.duration_ms)
                for s, start in zip(plan.sections, plan.section_starts_ms(), strict=True)]

    plan_bounds = bounds(planned)
    actual = bounds(returned)
    if returned is not None and plan_times_problem(returned):
        actual = []
    if not actual:
        return [SectionSpan(name, start, end, start, end) for name, start, end in plan_bounds]
    spans = []
    for i, (name, start, end) in enumerate(actual):
        planned_at = plan_bounds[i] if i < len(plan_bounds) else None
        # A song from a description had no plan: its sections are not "not in the plan".
        spans.append(SectionSpan(name, start, end,
                                 planned_at[1] if planned_at else None,
                                 planned_at[2] if planned_at else None, from_server=True,
                                 compared=bool(plan_bounds)))
    return spans


def stored_spans(settings: Mapping[str, Any], extra: Mapping[str, Any],
                 song_ms: int | None = None) -> list[SectionSpan]:
    """A kept version's sections from its history entry: the plan that was sent
    (`settings["plan"]`), the one the server says it followed (`extra["composition_plan"]`)
    and the times a streamed answer placed each section at (`extra["section_timings_ms"]`,
    which win when there is one a section: they are what the listener saw while it
    arrived). The one rule for the timeline and the DAW markers alike. With `song_ms`
    (the audio's length) every span is kept inside the song."""
    spans = section_spans(_plan(settings.get("plan")), _plan(extra.get("composition_plan")))
    times = _times(extra.get("section_timings_ms"))
    if not times or len(times) != len(spans) or timings_problem(times):
        return fit_to_song(spans, song_ms)
    # Every stored time came from the server (a streamed section, or its returned plan).
    return fit_to_song([SectionSpan(s.name, start, end, s.planned_start_ms,
                                    s.planned_end_ms, from_server=True, compared=s.compared)
                        for s, (start, end) in zip(spans, times, strict=True)], song_ms)


def _plan(source: object) -> Plan | None:
    if not isinstance(source, dict):
        return None
    try:
        return plan_from_json(source)
    except PlanFormatError:
        return None


def _times(raw: object) -> list[tuple[int, int]]:
    """[[start, end], ...] as stored, or [] when any pair is not two ordered numbers."""
    if not isinstance(raw, list):
        return []
    times = []
    for pair in raw:
        if not (isinstance(pair, list | tuple) and len(pair) == 2
                and all(isinstance(v, int | float) and not isinstance(v, bool)
                        and math.isfinite(v) for v in pair)):
            return []
        start, end = round(pair[0]), round(pair[1])
        if not 0 <= start <= end:
            return []
        times.append((start, end))
    return times


def matching_span(spans: list[SectionSpan], other: list[SectionSpan], index: int
                  ) -> SectionSpan | None:
    """The section of another version (`other`) to A/B with `spans[index]`: the one of the
    same name (the same n-th of that name), else the one at the same position."""
    name = spans[index].name.casefold()
    nth = sum(1 for s in spans[:index] if s.name.casefold() == name)
    same = [s for s in other if s.name.casefold() == name]
    if len(same) > nth:
        return same[nth]
    return other[index] if index < len(other) else None


__all__ = ["MAX_SECTION_MS", "SectionSpan", "fit_to_song", "matching_span",
           "plan_times_problem", "refused_times_words", "section_spans", "stored_spans",
           "timings_problem"]
