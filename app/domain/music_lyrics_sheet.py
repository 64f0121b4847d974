"""The whole song's lyrics as one text: a `[Section]` header for each section of the
plan, in order, and its sung lines under it (an empty section: instrumental).

    [Intro]

    [Verse]
    First line
    Second line

Read back, the k-th header is the k-th section (a changed header renames it); the
sheet must keep one header a section: adding or removing sections is done in the table.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from app.domain.music_plan import ModelLimits, Plan, Section

_HEADER = re.compile(r"^\s*\[(.*)\]\s*$")


@dataclass(frozen=True)
class SheetSection:
    name: str
    lines: tuple[str, ...]


class SheetError(ValueError):
    """The sheet cannot be applied to the plan as it is (said in plain words)."""


def sheet_from_plan(plan: Plan) -> str:
    blocks = []
    for section in plan.sections:
        lines = [line for line in section.lines if line.strip()]
        blocks.append("\n".join([f"[{section.name}]", *lines]))
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def parse_sheet(text: str) -> list[SheetSection]:
    sections: list[SheetSection] = []
    name: str | None = None
    lines: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        header = _HEADER.match(raw)
        if header:
            if name is not None:
                sections.append(SheetSection(name, tuple(lines)))
            name, lines = header.group(1).strip(), []
        elif raw.strip():
            if name is None:
                raise SheetError(f"Line {number} comes before the first [Section] header: "
                                 "put it under one.")
            lines.append(raw.strip())
    if name is not None:
        sections.append(SheetSection(name, tuple(lines)))
    return sections


def apply_sheet(plan: Plan, sheet: list[SheetSection]) -> list[tuple[int, Section]]:
    """The sections the sheet changes: (row, the section as the sheet has it)."""
    if len(sheet) != len(plan.sections):
        raise SheetError(f"The sheet has {len(sheet)} section headers and the plan "
                         f"{len(plan.sections)} sections: add or remove sections in the "
                         "table, then write their lyrics here.")
    changed = []
    for row, (section, written) in enumerate(zip(plan.sections, sheet, strict=True)):
        name = written.name or section.name
        lines = list(written.lines)
        if name != section.name or lines != [x for x in section.lines if x.strip()]:
            changed.append((row, dataclasses.replace(section, name=name, lines=lines)))
    return changed


def sheet_counts(sheet: list[SheetSection], limits: ModelLimits) -> list[str]:
    """One line a section: its line count, and where it passes the model's limits."""
    notes = []
    for i, section in enumerate(sheet, 1):
        count = len(section.lines)
        words = [f"{i}. {section.name or 'Section'}: "
                 + ("instrumental" if not count else f"{count} line{'s' * (count != 1)}")]
        if limits.max_lines is not None:
            words.append(f"limit {limits.max_lines}")
            if count > limits.max_lines:
                words.append("✖ too many lines")
        if limits.max_line_chars is not None and section.lines:
            longest = max(len(line) for line in section.lines)
            if longest > limits.max_line_chars:
                words.append(f"✖ a line has {longest} characters "
                             f"(at most {limits.max_line_chars})")
        if limits.max_text_chars is not None and section.lines:
            chars = len("\n".join(section.lines))
            words.append(f"{chars}/{limits.max_text_chars} characters")
            if chars > limits.max_text_chars:
                words.append("✖ too long")
        notes.append(" · ".join(words))
    return notes


__all__ = ["SheetError", "SheetSection", "apply_sheet", "parse_sheet", "sheet_counts",
           "sheet_from_plan"]
