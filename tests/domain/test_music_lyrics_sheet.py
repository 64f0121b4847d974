"""The lyrics sheet: written from a plan, read back, applied, counted against limits."""

from __future__ import annotations

import pytest

from app.domain.music_lyrics_sheet import (
    SheetError,
    apply_sheet,
    parse_sheet,
    sheet_counts,
    sheet_from_plan,
)
from app.domain.music_plan import MUSIC_V1_LIMITS, MUSIC_V2_LIMITS, Plan, Section

PLAN = Plan(sections=[Section("Intro", 3000), Section("Verse", 4000, lines=["a", "b"])])


def test_round_trip() -> None:
    text = sheet_from_plan(PLAN)
    assert text == "[Intro]\n\n[Verse]\na\nb\n"
    assert apply_sheet(PLAN, parse_sheet(text)) == []


def test_edits_rename_and_set_lines() -> None:
    changed = apply_sheet(PLAN, parse_sheet("[Intro]\nhello\n[Verse 1]\na\nb\n"))
    assert [(row, s.name, s.lines) for row, s in changed] == [
        (0, "Intro", ["hello"]), (1, "Verse 1", ["a", "b"])]
    assert changed[0][1].duration_ms == 3000  # the rest of the section is kept


def test_headers_must_match_the_sections() -> None:
    with pytest.raises(SheetError, match="2 sections"):
        apply_sheet(PLAN, parse_sheet("[Intro]\n"))
    with pytest.raises(SheetError, match="before the first"):
        parse_sheet("stray line\n[Intro]\n")


def test_counts_and_limits() -> None:
    sheet = parse_sheet("[Intro]\n[Verse]\n" + "x\n" * 9)
    v1 = sheet_counts(sheet, MUSIC_V1_LIMITS)
    assert v1[0].startswith("1. Intro: instrumental")
    assert "9 lines" in v1[1]
    assert ("✖ too many lines" in v1[1]) == ((MUSIC_V1_LIMITS.max_lines or 99) < 9)
    assert "characters" in sheet_counts(sheet, MUSIC_V2_LIMITS)[1]
