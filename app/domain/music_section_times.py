"""Where a version's sections fell: the times the server returned (the plan a detailed
response says it followed) where there are any, else the planned lengths; and where
the two differ."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.music_plan import Plan

DIFFERENCE_MS = 50  # closer than this counts as "as planned"


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


def section_spans(planned: Plan | None, returned: Plan | None) -> list[SectionSpan]:
    """The spans of `returned` (the server's) when it has sections, else of `planned`."""
    def bounds(plan: Plan | None) -> list[tuple[str, int, int]]:
        if plan is None:
            return []
        return [(s.name, start, start + s.duration_ms)
                for s, start in zip(plan.sections, plan.section_starts_ms(), strict=True)]

    plan_bounds = bounds(planned)
    actual = bounds(returned)
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


__all__ = ["SectionSpan", "matching_span", "section_spans"]
