"""Music plans read back from JSON: the API's two plan shapes and XI Studio's own file
format (written by `app.domain.music_plan_write`), and telling a plan file from a
transcript file by content (`classify_json`).

v2 has no global styles; `plan_from_json` takes the styles that every chunk starts with
back out as global styles. So a plan with two or more sections whose own styles do not
all begin alike comes back unchanged, and any plan survives v2 → plan → v2 unchanged on
the wire.

`plan_from_json` checks shape and types only; the limits are
`app.domain.music_plan_checks.validate_plan`'s job, so a plan that breaks them can still
be opened, shown and fixed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from app.domain.music_plan import (
    CONDITION_STRENGTH_VALUES,
    CONTEXT_ADHERENCE_VALUES,
    Plan,
    Section,
    SongRef,
)
from app.domain.music_plan_write import NATIVE_FORMAT, NATIVE_VERSION

# --- Loading -----------------------------------------------------------------------------


class PlanFormatError(ValueError):
    """JSON that is not a music plan; the message is plain words for the user."""


_WRAPPER_KEYS = ("composition_plan", "source_composition_plan", "music_prompt")
_HEADING = re.compile(r"^\[(.*)\]$")
_DIRECTIONS = re.compile(r"^\{([^{}]*)\}$")


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise PlanFormatError(f"{where} should be an object, not {_kind(value)}.")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise PlanFormatError(f"{where} should be text, not {_kind(value)}.")
    return value


def _optional_text(value: Any, where: str) -> str | None:
    return None if value is None else _text(value, where)


def _whole_ms(value: Any, where: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise PlanFormatError(f"{where} should be a whole number of milliseconds, not {_kind(value)}.")


def _texts(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise PlanFormatError(f"{where} should be a list of text, not {_kind(value)}.")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise PlanFormatError(f"{where}: item {i + 1} should be text, not {_kind(item)}.")
    return list(value)


def _choice(value: Any, allowed: Sequence[str], where: str) -> Any:
    if value is None:
        return None
    if not isinstance(value, str) or value not in allowed:
        names = ", ".join(allowed[:-1]) + " or " + allowed[-1]
        raise PlanFormatError(f"{where} should be {names}.")
    return value


def _time_range(value: Any, where: str) -> tuple[int, int]:
    data = _object(value, where)
    return (
        _whole_ms(data.get("start_ms"), f"{where} start"),
        _whole_ms(data.get("end_ms"), f"{where} end"),
    )


def _wire_ref(value: Any, where: str, *, negatives: bool = False) -> SongRef:
    data = _object(value, where)
    song_id = _text(data.get("song_id"), f"{where}: the song id")
    start, end = _time_range(data.get("range"), f"{where}: the range")
    ranges: list[tuple[int, int]] = []
    if negatives and data.get("negative_ranges") is not None:
        raw = data["negative_ranges"]
        if not isinstance(raw, list):
            raise PlanFormatError(f"{where}: the ranges to leave out should be a list.")
        ranges = [_time_range(r, f"{where}: range to leave out {i + 1}") for i, r in enumerate(raw)]
    return SongRef(song_id, start, end, tuple(ranges))


def _load_v1(data: Mapping[str, Any]) -> Plan:
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list):
        raise PlanFormatError(f"The plan's sections should be a list, not {_kind(raw_sections)}.")
    sections: list[Section] = []
    for i, raw in enumerate(raw_sections):
        where = f"Section {i + 1}"
        item = _object(raw, where)
        source = item.get("source_from")
        sections.append(
            Section(
                name=_text(item.get("section_name", ""), f"{where}: the name"),
                duration_ms=_whole_ms(item.get("duration_ms"), f"{where}: the duration"),
                positive_styles=_texts(item.get("positive_local_styles"), f"{where}: the styles"),
                negative_styles=_texts(
                    item.get("negative_local_styles"), f"{where}: the styles to avoid"
                ),
                lines=_texts(item.get("lines"), f"{where}: the lyrics"),
                source=None
                if source is None
                else _wire_ref(source, f"{where}: the source", negatives=True),
            )
        )
    return Plan(
        global_positive_styles=_texts(data.get("positive_global_styles"), "The global styles"),
        global_negative_styles=_texts(
            data.get("negative_global_styles"), "The global styles to avoid"
        ),
        sections=sections,
    )


def parse_chunk_text(text: str) -> tuple[str, str | None, list[str]]:
    """Split a v2 chunk's text into (name, directions, lyric lines); blank lines are dropped.
    A `[Name]` heading is only recognised on the first line, `{directions}` only right
    after it; inline directions inside a lyric line stay part of the line."""
    rows = [row.removesuffix("\r") for row in text.split("\n")]
    rows = [row for row in rows if row.strip()]
    name = ""
    directions: str | None = None
    if rows and (match := _HEADING.match(rows[0].strip())):
        name = match.group(1)
        rows = rows[1:]
    if rows and (match := _DIRECTIONS.match(rows[0].strip())):
        directions = match.group(1) or None
        rows = rows[1:]
    return name, directions, rows


def _common_prefix(lists: Sequence[list[str]]) -> list[str]:
    if not lists:
        return []
    prefix = list(lists[0])
    for other in lists[1:]:
        n = 0
        while n < len(prefix) and n < len(other) and prefix[n] == other[n]:
            n += 1
        del prefix[n:]
    return prefix


def _load_v2(data: Mapping[str, Any]) -> Plan:
    raw_chunks = data.get("chunks")
    if not isinstance(raw_chunks, list):
        raise PlanFormatError(f"The plan's chunks should be a list, not {_kind(raw_chunks)}.")
    sections: list[Section] = []
    generated: list[int] = []
    for i, raw in enumerate(raw_chunks):
        where = f"Section {i + 1}"
        item = _object(raw, where)
        if "text" not in item and "song_id" in item:  # AudioRefChunk
            ref = _wire_ref(item, where)
            sections.append(Section(name="", duration_ms=ref.duration_ms, source=ref))
            continue
        name, directions, lines = parse_chunk_text(_text(item.get("text"), f"{where}: the text"))
        conditioning = item.get("conditioning_ref")
        sections.append(
            Section(
                name=name,
                duration_ms=_whole_ms(item.get("duration_ms"), f"{where}: the duration"),
                positive_styles=_texts(item.get("positive_styles"), f"{where}: the styles"),
                negative_styles=_texts(
                    item.get("negative_styles"), f"{where}: the styles to avoid"
                ),
                lines=lines,
                directions=directions,
                context_adherence=_choice(
                    item.get("context_adherence"),
                    CONTEXT_ADHERENCE_VALUES,
                    f"{where}: the context adherence",
                ),
                conditioning=None
                if conditioning is None
                else _wire_ref(conditioning, f"{where}: the conditioning reference"),
                condition_strength=_choice(
                    item.get("condition_strength"),
                    CONDITION_STRENGTH_VALUES,
                    f"{where}: the condition strength",
                ),
            )
        )
        generated.append(i)
    plan = Plan(sections=sections)
    if len(generated) >= 2:
        own = [sections[i] for i in generated]
        plan.global_positive_styles = _common_prefix([s.positive_styles for s in own])
        plan.global_negative_styles = _common_prefix([s.negative_styles for s in own])
        for s in own:
            del s.positive_styles[: len(plan.global_positive_styles)]
            del s.negative_styles[: len(plan.global_negative_styles)]
    return plan


def _native_ref(value: Any, where: str) -> SongRef | None:
    if value is None:
        return None
    data = _object(value, where)
    raw_ranges = data.get("negative_ranges") or []
    if not isinstance(raw_ranges, list):
        raise PlanFormatError(f"{where}: the ranges to leave out should be a list.")
    ranges: list[tuple[int, int]] = []
    for i, pair in enumerate(raw_ranges):
        if not isinstance(pair, list) or len(pair) != 2:
            raise PlanFormatError(f"{where}: range to leave out {i + 1} should be two numbers.")
        start = _whole_ms(pair[0], f"{where}: a range start")
        ranges.append((start, _whole_ms(pair[1], f"{where}: a range end")))
    return SongRef(
        _text(data.get("song_id"), f"{where}: the song id"),
        _whole_ms(data.get("start_ms"), f"{where}: the start"),
        _whole_ms(data.get("end_ms"), f"{where}: the end"),
        tuple(ranges),
    )


def _load_native(data: Mapping[str, Any]) -> Plan:
    version = data.get("version")
    if version != NATIVE_VERSION:
        if isinstance(version, int) and not isinstance(version, bool) and version > 0:
            raise PlanFormatError(
                f"This plan was saved by a newer XI Studio (format version {version}); "
                "update the app to open it."
            )
        # Missing, text, 0...: damaged or hand-edited, and no newer app would open it.
        raise PlanFormatError(
            "This XI Studio plan's format version should be a whole number like 1, "
            f"not {_kind(version)}; the file may be damaged."
        )
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list):
        raise PlanFormatError(f"The plan's sections should be a list, not {_kind(raw_sections)}.")
    sections: list[Section] = []
    for i, raw in enumerate(raw_sections):
        where = f"Section {i + 1}"
        item = _object(raw, where)
        sections.append(
            Section(
                name=_text(item.get("name", ""), f"{where}: the name"),
                duration_ms=_whole_ms(item.get("duration_ms"), f"{where}: the duration"),
                positive_styles=_texts(item.get("positive_styles"), f"{where}: the styles"),
                negative_styles=_texts(
                    item.get("negative_styles"), f"{where}: the styles to avoid"
                ),
                lines=_texts(item.get("lines"), f"{where}: the lyrics"),
                directions=_optional_text(item.get("directions"), f"{where}: the directions"),
                context_adherence=_choice(
                    item.get("context_adherence"),
                    CONTEXT_ADHERENCE_VALUES,
                    f"{where}: the context adherence",
                ),
                source=_native_ref(item.get("source"), f"{where}: the source"),
                conditioning=_native_ref(item.get("conditioning"), f"{where}: the conditioning"),
                condition_strength=_choice(
                    item.get("condition_strength"),
                    CONDITION_STRENGTH_VALUES,
                    f"{where}: the condition strength",
                ),
            )
        )
    respect = data.get("respect_sections_durations", True)
    if not isinstance(respect, bool):
        raise PlanFormatError("“Respect section durations” should be true or false.")
    return Plan(
        global_positive_styles=_texts(data.get("global_positive_styles"), "The global styles"),
        global_negative_styles=_texts(
            data.get("global_negative_styles"), "The global styles to avoid"
        ),
        sections=sections,
        respect_sections_durations=respect,
    )


def _load(data: Any, depth: int) -> Plan:
    if not isinstance(data, dict):
        raise PlanFormatError(f"A music plan is a JSON object; this is {_kind(data)}.")
    if data.get("format") == NATIVE_FORMAT:
        return _load_native(data)
    has_sections, has_chunks = "sections" in data, "chunks" in data
    if has_sections and has_chunks:
        raise PlanFormatError(
            "This plan has both “sections” (music_v1) and “chunks” (music_v2); "
            "a plan has one or the other."
        )
    if has_sections:
        return _load_v1(data)
    if has_chunks:
        return _load_v2(data)
    if depth < 3:
        for key in _WRAPPER_KEYS:
            if isinstance(data.get(key), dict):
                return _load(data[key], depth + 1)
    raise PlanFormatError(
        "This JSON is not a music plan: it has neither “sections” (music_v1) "
        "nor “chunks” (music_v2)."
    )


def plan_from_json(data: Any) -> Plan:
    """Load a plan from parsed JSON (or JSON text/bytes): a v1 `MusicPrompt`, a v2
    `CompositionPlan`, either wrapped as `{"composition_plan": ...}` (a request body, the
    `/v1/music/detailed` metadata), the `/v1/music/plan` reply, or `plan_to_dict` output.
    Raises PlanFormatError, and nothing else, on anything that is not a plan."""
    if isinstance(data, bytes | bytearray | str):
        try:
            data = json.loads(data)
        except (ValueError, RecursionError) as exc:
            raise PlanFormatError("This file is not JSON, so it cannot be a music plan.") from exc
    try:
        return _load(data, 0)
    except PlanFormatError:
        raise
    except (ValueError, TypeError, RecursionError) as exc:  # defensive: keep the promise
        raise PlanFormatError("This JSON is not a music plan.") from exc


def looks_like_plan(data: Any) -> bool:
    try:
        plan_from_json(data)
    except PlanFormatError:
        return False
    return True


def looks_like_transcript(data: Any) -> bool:
    """A speech-to-text result: `words` with `text`/`language_code`, or multichannel
    `transcripts` made of such results."""
    if not isinstance(data, dict):
        return False
    if isinstance(data.get("words"), list) and ("text" in data or "language_code" in data):
        return True
    channels = data.get("transcripts")
    return (
        isinstance(channels, list)
        and bool(channels)
        and all(isinstance(c, dict) and isinstance(c.get("words"), list) for c in channels)
    )


JsonKind = Literal["plan", "transcript", "unknown"]


def classify_json(data: Any) -> JsonKind:
    """Tell a music plan from a transcript by content (not by file name)."""
    if isinstance(data, bytes | bytearray | str):
        try:
            data = json.loads(data)
        except (ValueError, RecursionError):
            return "unknown"
    if looks_like_plan(data):
        return "plan"
    if looks_like_transcript(data):
        return "transcript"
    return "unknown"
