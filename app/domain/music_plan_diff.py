"""What a reworked plan changes, section by section, in words a user can accept or not."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

from app.domain.music_plan import Plan, Section

ChangeKind = Literal["changed", "added", "removed"]


@dataclass(frozen=True)
class SectionChange:
    index: int  # the row in the current plan (for "added": where it would go)
    kind: ChangeKind
    before: Section | None
    after: Section | None

    @property
    def summary(self) -> str:
        if self.kind == "added" and self.after is not None:
            return f"New section “{self.after.name}” ({self.after.duration_ms / 1000:g} s)"
        if self.kind == "removed" and self.before is not None:
            return f"Remove “{self.before.name}”"
        assert self.before is not None and self.after is not None
        b, a = self.before, self.after
        parts = []
        if a.name != b.name:
            parts.append(f"renamed “{a.name}”")
        if a.duration_ms != b.duration_ms:
            parts.append(f"length {b.duration_ms / 1000:g} s → {a.duration_ms / 1000:g} s")
        for label, old, new in (("styles", b.positive_styles, a.positive_styles),
                                ("avoid", b.negative_styles, a.negative_styles)):
            added = [s for s in new if s not in old]
            gone = [s for s in old if s not in new]
            if added:
                parts.append(f"{label} + {', '.join(added)}")
            if gone:
                parts.append(f"{label} − {', '.join(gone)}")
        if a.lines != b.lines:
            parts.append(f"lyrics {len(b.lines)} → {len(a.lines)} lines")
        if not parts:
            parts.append("other details")
        return f"{self.index + 1}. {b.name}: " + "; ".join(parts)


def _same(a: Section, b: Section) -> bool:
    """Equal as the server reads them: a server fills in its defaults (context
    adherence "high") on the way back, which is no change."""
    return dataclasses.replace(a, context_adherence=a.context_adherence or "high") == \
        dataclasses.replace(b, context_adherence=b.context_adherence or "high")


def plan_diff(before: Plan, after: Plan) -> list[SectionChange]:
    """The sections that differ (paired by position), then added or removed ones."""
    changes: list[SectionChange] = []
    for i, (old, new) in enumerate(zip(before.sections, after.sections, strict=False)):
        if not _same(old, new):
            changes.append(SectionChange(i, "changed", old, new))
    common = min(len(before.sections), len(after.sections))
    for i in range(common, len(after.sections)):
        changes.append(SectionChange(i, "added", None, after.sections[i]))
    for i in range(common, len(before.sections)):
        changes.append(SectionChange(i, "removed", before.sections[i], None))
    return changes


__all__ = ["SectionChange", "plan_diff"]
