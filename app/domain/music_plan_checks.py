"""Music plan checks: everything that keeps a plan from being sent to a music model, in
plain words (`validate_plan`), and the wording helpers its messages share with the UI.

Errors stop a request, warnings (a field the model ignores, a song longer than documented)
do not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from app.domain.music_plan import (
    MAX_NEGATIVE_RANGES,
    SONG_ID_MAX_CHARS,
    ModelLimits,
    Plan,
    Section,
    SongRef,
    limits_for,
)
from app.domain.music_plan_write import chunk_text

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a plan or request, in plain words. `section_index` is 0-based
    (None for the whole plan); errors stop a request, warnings do not."""

    section_index: int | None
    field: str
    message: str
    severity: Severity = "error"


def errors_only(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def seconds_text(ms: int) -> str:
    """3000 → '3', 2500 → '2.5'."""
    return f"{ms / 1000:g}"


def length_text(ms: int) -> str:
    """A song length in words: '45 seconds', '10 minutes', '3 min 20 s' (rounded to the
    second past a minute: never 'a 1 min 9.024 s song')."""
    if ms < 60_000:
        return f"{seconds_text(ms)} seconds"
    minutes, rest = divmod(round(ms / 1000), 60)
    if rest == 0:
        return f"{minutes} minute" + ("s" if minutes != 1 else "")
    return f"{minutes} min {rest} s"


def section_label(index: int, section: Section) -> str:
    """How a section is named in messages: Section 2 “Chorus”."""
    if section.name.strip():
        return f"Section {index + 1} “{section.name}”"
    return f"Section {index + 1}"


def _validate_ref(
    ref: SongRef, index: int, label: str, field: str, what: str, out: list[Problem]
) -> None:
    if not (1 <= len(ref.song_id) <= SONG_ID_MAX_CHARS):
        out.append(
            Problem(index, field, f"{label}: the {what} needs a song id of 1 to "
                    f"{SONG_ID_MAX_CHARS} characters")
        )
    if ref.start_ms < 0 or ref.end_ms <= ref.start_ms:
        out.append(Problem(index, field, f"{label}: the {what} must end after it starts"))


def _validate_section(
    plan: Plan, index: int, s: Section, limits: ModelLimits, out: list[Problem]
) -> None:
    label = section_label(index, s)
    model = limits.model_id
    add = out.append
    if "\n" in s.name or "\r" in s.name:
        add(Problem(index, "name", f"{label}: the name must fit on one line"))
    if limits.name_max_chars is not None:
        if not s.name.strip():
            add(Problem(index, "name", f"Section {index + 1} needs a name"))
        elif len(s.name) > limits.name_max_chars:
            add(Problem(index, "name", f"{label}: the name is {len(s.name)} characters long; "
                        f"{model} allows at most {limits.name_max_chars}"))
    if s.source is not None:
        _validate_ref(s.source, index, label, "source", "audio source", out)
        if (
            limits.supports_negative_ranges
            and len(s.source.negative_ranges) > MAX_NEGATIVE_RANGES
        ):
            add(Problem(index, "source", f"{label}: at most {MAX_NEGATIVE_RANGES} ranges can be "
                        "left out of the audio source"))
        if limits.shape == "chunks":
            if s.positive_styles or s.negative_styles or s.lines or s.directions:
                add(Problem(index, "source", f"{label}: takes its audio from an earlier song, so "
                            f"its styles and lyrics are not sent to {model}", "warning"))
            if s.source.negative_ranges:
                add(Problem(index, "source", f"{label}: {model} cannot leave ranges out of an "
                            "audio source; the whole range is used", "warning"))
            if s.duration_ms != s.source.duration_ms and s.source.duration_ms > 0:
                add(Problem(index, "duration_ms", f"{label}: {model} uses the source's own "
                            f"length ({seconds_text(s.source.duration_ms)} s)", "warning"))
            return  # an AudioRefChunk has nothing else to check

    if not (limits.min_section_ms <= s.duration_ms <= limits.max_section_ms):
        add(Problem(index, "duration_ms", f"{label}: duration must be between "
                    f"{seconds_text(limits.min_section_ms)} and "
                    f"{seconds_text(limits.max_section_ms)} seconds "
                    f"(it is {seconds_text(s.duration_ms)} s)"))

    for field, own, global_, what in (
        ("positive_styles", s.positive_styles, plan.global_positive_styles, "styles"),
        ("negative_styles", s.negative_styles, plan.global_negative_styles, "styles to avoid"),
    ):
        if limits.styles_include_global:
            if len(own) + len(global_) > limits.max_styles:
                add(Problem(index, field, f"{label}: {len(global_)} global and {len(own)} section "
                            f"{what} make {len(own) + len(global_)}; {model} allows at most "
                            f"{limits.max_styles} per section"))
        elif len(own) > limits.max_styles:
            add(Problem(index, field, f"{label}: {len(own)} {what} are too many; {model} "
                        f"allows at most {limits.max_styles}"))

    if limits.max_lines is not None and len(s.lines) > limits.max_lines:
        add(Problem(index, "lines", f"{label}: {len(s.lines)} lyric lines are too many; "
                    f"{model} allows at most {limits.max_lines}"))
    if limits.max_line_chars is not None:
        most = limits.max_line_chars
        too_long = [n for n, line in enumerate(s.lines) if len(line) > most]
        if len(too_long) == 1:
            n = too_long[0]
            add(Problem(index, "lines", f"{label}: lyric line {n + 1} is {len(s.lines[n])} "
                        f"characters long; {model} allows at most {most}"))
        elif too_long:
            numbers = ", ".join(str(n + 1) for n in too_long[:5])
            if len(too_long) > 5:
                numbers += ", …"
            add(Problem(index, "lines", f"{label}: {len(too_long)} lyric lines ({numbers}) are "
                        f"longer than {most} characters; {model} allows at most {most}"))
    if limits.max_text_chars is not None:
        size = len(chunk_text(s))
        if size > limits.max_text_chars:
            add(Problem(index, "lines", f"{label}: the name, directions and lyrics come to "
                        f"{size:,} characters; {model} allows at most "
                        f"{limits.max_text_chars:,} per section"))

    if s.directions:
        if not limits.supports_directions:
            add(Problem(index, "directions", f"{label}: directions are only used by music_v2; "
                        f"{model} ignores them", "warning"))
        elif any(c in s.directions for c in "{}\n\r"):
            add(Problem(index, "directions", f"{label}: directions cannot contain curly braces "
                        "or line breaks"))
    if s.context_adherence is not None and not limits.supports_context_adherence:
        add(Problem(index, "context_adherence", f"{label}: context adherence is only used by "
                    f"music_v2; {model} ignores it", "warning"))
    if s.conditioning is not None:
        if limits.supports_conditioning:
            _validate_ref(s.conditioning, index, label, "conditioning", "conditioning reference",
                          out)
        else:
            add(Problem(index, "conditioning", f"{label}: conditioning on an earlier song is "
                        f"only used by music_v2; {model} ignores it", "warning"))


def validate_plan(plan: Plan, model_id: str) -> list[Problem]:
    """Everything that keeps `plan` from being sent to `model_id`, in plain words.
    Raises ValueError if `model_id` is not a music model."""
    limits = limits_for(model_id)
    model = limits.model_id
    out: list[Problem] = []
    if not plan.sections:
        out.append(Problem(None, "sections", "The plan has no sections; add at least one"))
    if len(plan.sections) > limits.max_sections:
        out.append(Problem(None, "sections", f"The plan has {len(plan.sections)} sections; "
                           f"{model} allows at most {limits.max_sections}"))
    if not limits.styles_include_global:
        for field, styles, what in (
            ("global_positive_styles", plan.global_positive_styles, "global styles"),
            ("global_negative_styles", plan.global_negative_styles, "global styles to avoid"),
        ):
            if len(styles) > limits.max_styles:
                out.append(Problem(None, field, f"The plan has {len(styles)} {what}; {model} "
                                   f"allows at most {limits.max_styles}"))
    for index, section in enumerate(plan.sections):
        _validate_section(plan, index, section, limits, out)
    if plan.total_ms > limits.max_total_ms:
        out.append(Problem(None, "total", f"The song is {length_text(plan.total_ms)} long; songs "
                           f"longer than {length_text(limits.max_total_ms)} may be refused",
                           "warning"))
    if not plan.respect_sections_durations and not limits.uses_respect_sections_durations:
        out.append(Problem(None, "respect_sections_durations", f"{model} always keeps the "
                           "section durations", "warning"))
    if limits.shape == "chunks":
        first = next((s for s in plan.sections if s.source is None), None)
        if first is not None and not (plan.global_positive_styles or first.positive_styles):
            out.append(Problem(plan.sections.index(first), "positive_styles", f"{model} takes "
                               "the song's genre and mood from the first section's styles; "
                               "add a few (e.g. “lo-fi, calm, piano”)", "warning"))
    return out
