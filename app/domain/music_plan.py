"""Music plans: the editor's own model, the two wire shapes, loading and validation.

The editor works on `Plan` (global styles plus a list of `Section`s), which knows nothing
about the wire. Two conversions produce what the API takes (shared/api/ELEVENLABS_API.md
§5.1, openapi-subset.json `components/schemas`):

* `music_v1` takes a `MusicPrompt`: global styles plus `SongSection`s
  (`section_name`, local styles, `duration_ms`, lyric `lines`, optional `source_from`).
* `music_v2` takes a `CompositionPlan`: `chunks`, each either a `GenerationChunk`
  (`text` = `[Section]` heading, an optional `{directions}` line and the lyric lines;
  `duration_ms`; `positive_styles`/`negative_styles`; `context_adherence`; optional
  `conditioning_ref`/`condition_strength`) or an `AudioRefChunk` (`song_id` + `range`).

v2 has no global styles. `to_v2_chunks` puts the global styles in front of every chunk's
own (a global negative style must reach every chunk to be honoured); `plan_from_json`
takes the styles that every chunk starts with back out as global styles. So a plan with
two or more sections whose own styles do not all begin alike comes back unchanged, and
any plan survives v2 → plan → v2 unchanged on the wire.

`plan_from_json` checks shape and types only; the limits are `validate_plan`'s job, so a
plan that breaks them can still be opened, shown and fixed.
"""

from __future__ import annotations

import bisect
import copy
import dataclasses
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

ContextAdherence = Literal["low", "medium", "high"]
ConditionStrength = Literal["low", "medium", "high", "xhigh"]
PlanShape = Literal["sections", "chunks"]
Severity = Literal["error", "warning"]

CONTEXT_ADHERENCE_VALUES: tuple[ContextAdherence, ...] = ("low", "medium", "high")
CONDITION_STRENGTH_VALUES: tuple[ConditionStrength, ...] = ("low", "medium", "high", "xhigh")

# --- Limits from the spec (openapi-subset.json, components/schemas/...) ----------------
SECTION_NAME_MIN_CHARS = 1  # SongSection.section_name minLength
SECTION_NAME_MAX_CHARS = 100  # SongSection.section_name maxLength
SECTION_MIN_MS = 3_000  # SongSection.duration_ms, GenerationChunk-Input.duration_ms minimum
SECTION_MAX_MS = 120_000  # SongSection.duration_ms, GenerationChunk-Input.duration_ms maximum
MAX_SECTIONS = 30  # MusicPrompt.sections maxItems, CompositionPlan.chunks maxItems
MAX_STYLES = 50  # MusicPrompt.*_global_styles, SongSection.*_local_styles,
#                  GenerationChunk-Input.positive_styles/negative_styles maxItems
MAX_LINES = 30  # SongSection.lines maxItems
MAX_LINE_CHARS = 200  # SongSection.lines.items maxLength
MAX_CHUNK_TEXT_CHARS = 6_000  # GenerationChunk-Input.text maxLength
SONG_ID_MAX_CHARS = 100  # AudioRefChunk.song_id, SectionSource.song_id maxLength (minLength 1)
MAX_NEGATIVE_RANGES = 10  # SectionSource.negative_ranges maxItems
PROMPT_MAX_CHARS = 4_100  # Body_Compose_music_v1_music_post.prompt and
#                           Body_Generate_composition_plan_v1_music_plan_post.prompt maxLength
MUSIC_LENGTH_MIN_MS = 3_000  # Body_*_music_*.music_length_ms minimum
MUSIC_LENGTH_MAX_MS = 600_000  # Body_*_music_*.music_length_ms maximum
SEED_MAX = 2_147_483_647  # Body_Compose_music_v1_music_post.seed maximum (minimum 0)
MUSIC_MODELS = ("music_v1", "music_v2")  # MusicModelID enum
DEFAULT_MUSIC_MODEL = "music_v1"  # MusicModelID default


@dataclass(frozen=True)
class ModelLimits:
    """What one music model accepts in a composition plan."""

    model_id: str
    shape: PlanShape
    max_sections: int = MAX_SECTIONS
    min_section_ms: int = SECTION_MIN_MS
    max_section_ms: int = SECTION_MAX_MS
    max_styles: int = MAX_STYLES
    # v2 chunks carry the global styles too, so the limit applies to global + local.
    styles_include_global: bool = False
    name_max_chars: int | None = None
    max_lines: int | None = None
    max_line_chars: int | None = None
    max_text_chars: int | None = None
    supports_directions: bool = False
    supports_context_adherence: bool = False
    supports_conditioning: bool = False
    supports_negative_ranges: bool = False
    uses_respect_sections_durations: bool = False
    # Not a plan limit in the spec: the documented song length for prompts (3 s - 10 min).
    max_total_ms: int = MUSIC_LENGTH_MAX_MS


MUSIC_V1_LIMITS = ModelLimits(  # MusicPrompt / SongSection / SectionSource
    model_id="music_v1",
    shape="sections",
    name_max_chars=SECTION_NAME_MAX_CHARS,
    max_lines=MAX_LINES,
    max_line_chars=MAX_LINE_CHARS,
    supports_negative_ranges=True,
    uses_respect_sections_durations=True,
)
MUSIC_V2_LIMITS = ModelLimits(  # CompositionPlan / GenerationChunk-Input / AudioRefChunk
    model_id="music_v2",
    shape="chunks",
    styles_include_global=True,
    max_text_chars=MAX_CHUNK_TEXT_CHARS,
    supports_directions=True,
    supports_context_adherence=True,
    supports_conditioning=True,
)
MODEL_LIMITS: dict[str, ModelLimits] = {"music_v1": MUSIC_V1_LIMITS, "music_v2": MUSIC_V2_LIMITS}


def limits_for(model_id: str) -> ModelLimits:
    """The limits of a music model. Later `music_v2*` models (the SDK knows `music_v2_5`)
    take chunk plans like music_v2. Raises ValueError for anything that is not music."""
    if model_id in MODEL_LIMITS:
        return MODEL_LIMITS[model_id]
    if model_id.startswith("music_v2"):
        return dataclasses.replace(MUSIC_V2_LIMITS, model_id=model_id)
    raise ValueError(f"{model_id!r} is not a music model")


# --- The editor's model -------------------------------------------------------------------


@dataclass(frozen=True)
class SongRef:
    """A stretch of an earlier song (its id comes from the `song-id` response header).

    As a section's `source` it is the section's audio (v1 `source_from`, v2
    `AudioRefChunk`); as `conditioning` it steers a v2 chunk (`conditioning_ref`).
    `negative_ranges` (start_ms, end_ms pairs to leave out) exist only in v1."""

    song_id: str
    start_ms: int
    end_ms: int
    negative_ranges: tuple[tuple[int, int], ...] = ()

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms


@dataclass
class Section:
    name: str
    duration_ms: int
    positive_styles: list[str] = dataclasses.field(default_factory=list)
    negative_styles: list[str] = dataclasses.field(default_factory=list)
    lines: list[str] = dataclasses.field(default_factory=list)
    directions: str | None = None  # v2 only: `{directions}` after the heading
    context_adherence: ContextAdherence | None = None  # v2 only; the API's default is high
    source: SongRef | None = None  # inpainting: take this section's audio from a song
    conditioning: SongRef | None = None  # v2 only
    condition_strength: ConditionStrength | None = None  # v2 only


@dataclass
class Plan:
    global_positive_styles: list[str] = dataclasses.field(default_factory=list)
    global_negative_styles: list[str] = dataclasses.field(default_factory=list)
    sections: list[Section] = dataclasses.field(default_factory=list)
    respect_sections_durations: bool = True  # music_v1 only; sent with the request

    @property
    def total_ms(self) -> int:
        return sum(max(0, s.duration_ms) for s in self.sections)

    def section_starts_ms(self) -> list[int]:
        starts: list[int] = []
        at = 0
        for section in self.sections:
            starts.append(at)
            at += max(0, section.duration_ms)
        return starts

    def section_bounds_ms(self) -> list[tuple[int, int]]:
        """(start_ms, end_ms) of every section on the song's timeline."""
        return [
            (start, start + max(0, s.duration_ms))
            for start, s in zip(self.section_starts_ms(), self.sections, strict=True)
        ]

    def section_at(self, ms: int) -> int | None:
        """The index of the section playing at `ms`, or None outside the song."""
        if ms < 0 or ms >= self.total_ms:
            return None
        starts = self.section_starts_ms()
        index = bisect.bisect_right(starts, ms) - 1
        # Zero-length sections share a start with the next one; bisect_right skips them.
        return index

    def copy(self) -> Plan:
        return copy.deepcopy(self)


# --- Wire conversions ------------------------------------------------------------------


def _range(start_ms: int, end_ms: int) -> dict[str, int]:
    return {"start_ms": start_ms, "end_ms": end_ms}


def to_v1_composition_plan(plan: Plan) -> dict[str, Any]:
    """The `MusicPrompt` for music_v1. v2-only fields (directions, context adherence,
    conditioning) are left out; `validate_plan` warns about them."""
    sections: list[dict[str, Any]] = []
    for s in plan.sections:
        item: dict[str, Any] = {
            "section_name": s.name,
            "positive_local_styles": list(s.positive_styles),
            "negative_local_styles": list(s.negative_styles),
            "duration_ms": s.duration_ms,
            "lines": list(s.lines),
        }
        if s.source is not None:
            source: dict[str, Any] = {
                "song_id": s.source.song_id,
                "range": _range(s.source.start_ms, s.source.end_ms),
            }
            if s.source.negative_ranges:
                source["negative_ranges"] = [_range(a, b) for a, b in s.source.negative_ranges]
            item["source_from"] = source
        sections.append(item)
    return {
        "positive_global_styles": list(plan.global_positive_styles),
        "negative_global_styles": list(plan.global_negative_styles),
        "sections": sections,
    }


def chunk_text(section: Section) -> str:
    """A v2 chunk's `text`: `[Name]`, then `{directions}`, then the lyric lines."""
    rows: list[str] = []
    if section.name:
        rows.append("[" + " ".join(section.name.splitlines()) + "]")
    if section.directions:
        rows.append("{" + section.directions + "}")
    rows.extend(section.lines)
    return "\n".join(rows)


def to_v2_chunks(plan: Plan) -> dict[str, Any]:
    """The `CompositionPlan` for music_v2. A section with a `source` becomes an
    `AudioRefChunk` (its styles and lyrics are not sent)."""
    chunks: list[dict[str, Any]] = []
    for s in plan.sections:
        if s.source is not None:
            chunks.append(
                {"song_id": s.source.song_id, "range": _range(s.source.start_ms, s.source.end_ms)}
            )
            continue
        chunk: dict[str, Any] = {
            "text": chunk_text(s),
            "duration_ms": s.duration_ms,
            "positive_styles": [*plan.global_positive_styles, *s.positive_styles],
            "negative_styles": [*plan.global_negative_styles, *s.negative_styles],
        }
        if s.context_adherence is not None:
            chunk["context_adherence"] = s.context_adherence
        if s.conditioning is not None:
            chunk["conditioning_ref"] = {
                "song_id": s.conditioning.song_id,
                "range": _range(s.conditioning.start_ms, s.conditioning.end_ms),
            }
        if s.condition_strength is not None:
            chunk["condition_strength"] = s.condition_strength
        chunks.append(chunk)
    return {"chunks": chunks}


def to_wire_plan(plan: Plan, model_id: str) -> dict[str, Any]:
    """The plan in the shape `model_id` takes."""
    if limits_for(model_id).shape == "sections":
        return to_v1_composition_plan(plan)
    return to_v2_chunks(plan)


NATIVE_FORMAT = "xi-studio/music-plan"
NATIVE_VERSION = 1


def _ref_to_dict(ref: SongRef | None) -> dict[str, Any] | None:
    if ref is None:
        return None
    return {
        "song_id": ref.song_id,
        "start_ms": ref.start_ms,
        "end_ms": ref.end_ms,
        "negative_ranges": [list(r) for r in ref.negative_ranges],
    }


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """XI Studio's own JSON for a plan (`*.plan.json`, drafts): lossless, whatever the
    model. `plan_from_json` reads it back."""
    return {
        "format": NATIVE_FORMAT,
        "version": NATIVE_VERSION,
        "global_positive_styles": list(plan.global_positive_styles),
        "global_negative_styles": list(plan.global_negative_styles),
        "respect_sections_durations": plan.respect_sections_durations,
        "sections": [
            {
                "name": s.name,
                "duration_ms": s.duration_ms,
                "positive_styles": list(s.positive_styles),
                "negative_styles": list(s.negative_styles),
                "lines": list(s.lines),
                "directions": s.directions,
                "context_adherence": s.context_adherence,
                "source": _ref_to_dict(s.source),
                "conditioning": _ref_to_dict(s.conditioning),
                "condition_strength": s.condition_strength,
            }
            for s in plan.sections
        ],
    }


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
        raise PlanFormatError(
            f"This plan was saved by a newer XI Studio (format version {version!r}); "
            "update the app to open it."
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


# --- Validation ---------------------------------------------------------------------------


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
    """A song length in words: '45 seconds', '10 minutes', '3 min 20 s'."""
    if ms < 60_000:
        return f"{seconds_text(ms)} seconds"
    minutes, rest = divmod(ms, 60_000)
    if rest == 0:
        return f"{minutes} minute" + ("s" if minutes != 1 else "")
    return f"{minutes} min {seconds_text(rest)} s"


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
                               "add a few", "warning"))
    return out


# --- Style hints ---------------------------------------------------------------------------

Mode = Literal["major", "minor"]


@dataclass
class StyleHints:
    """What a list of style tags says about tempo, key, instruments and mood."""

    bpm: int | None = None
    mode: Mode | None = None
    key: str | None = None  # "A", "C#", "Eb"
    instruments: list[str] = dataclasses.field(default_factory=list)
    mood: str | None = None  # one of MOODS


BPM_RANGE = (20, 400)
_BPM = (
    re.compile(r"(\d{2,3}(?:\.\d+)?)\s*-?\s*(?:bpm|beats per minute)\b", re.IGNORECASE),
    re.compile(r"\b(?:bpm|tempo)\s*[:=]?\s*(\d{2,3}(?:\.\d+)?)\b", re.IGNORECASE),
)
_ACCIDENTAL = r"(\s*(?:#|♯|b|♭|-?\s*(?i:sharp|flat)))?"
_MODE_WORD = r"((?i:major|minor|maj|min))"
# "A minor", "in F# major", "E flat minor": the note letter must be a capital inside a
# longer tag ("a minor change" is English), any case when the tag is only the key.
_KEY_IN_TAG = re.compile(r"(?<![\w#])([A-G])" + _ACCIDENTAL + r"\s+" + _MODE_WORD + r"\b")
_KEY_WHOLE = re.compile(
    r"(?:key\s+of\s+|in\s+)?([a-g])" + _ACCIDENTAL + r"\s*(?:" + _MODE_WORD + r"|(m))?(?:\s+key)?",
    re.IGNORECASE,
)
_KEY_OF = re.compile(r"\b(?i:key)\s*(?:(?i:of)\s+|:\s*|\s)([A-G])" + _ACCIDENTAL + r"(?![\w#])")
_MODE_ALONE = re.compile(r"\b(major|minor)\b", re.IGNORECASE)
_NEGATED = re.compile(r"^\s*(?:no|without|non|minus)\b", re.IGNORECASE)

# (canonical name, pattern); more specific entries first, matches are consumed.
_INSTRUMENTS: tuple[tuple[str, str], ...] = (
    ("electric piano", r"electric pianos?|rhodes|wurlitzer|e-piano"),
    ("piano", r"pianos?|grand piano|keys"),
    ("bass", r"bass guitars?|basslines?|bass lines?|sub[- ]?bass|bass"),
    ("808", r"808s?"),
    ("acoustic guitar", r"acoustic guitars?"),
    ("electric guitar", r"electric guitars?|distorted guitars?"),
    ("guitar", r"guitars?"),
    ("drums", r"drums?|drum kit|drum machine|breakbeats?|hi-?hats?|snares?|kick drums?"),
    ("percussion", r"percussion|shakers?|congas?|bongos?|tambourines?"),
    ("synth", r"synths?|synthesi[sz]ers?|arpeggiat(?:ed|or)s?"),
    ("pad", r"pads?"),
    ("strings", r"strings|string section|orchestral strings"),
    ("violin", r"violins?|fiddles?"),
    ("cello", r"cellos?"),
    ("brass", r"brass|horns?|french horns?|trombones?"),
    ("trumpet", r"trumpets?"),
    ("saxophone", r"saxophones?|sax"),
    ("flute", r"flutes?"),
    ("clarinet", r"clarinets?"),
    ("organ", r"organs?|hammond"),
    ("harp", r"harps?"),
    ("bells", r"bells|glockenspiel|chimes|celesta"),
    ("marimba", r"marimbas?|vibraphones?|xylophones?"),
    ("ukulele", r"ukuleles?"),
    ("banjo", r"banjos?"),
    ("harmonica", r"harmonicas?"),
    ("accordion", r"accordions?"),
    ("choir", r"choirs?|choral"),
    ("vocals", r"vocals?|voices?|singers?|singing|rap(?:ping)?"),
)
_INSTRUMENT_PATTERNS = tuple(
    (name, re.compile(r"(?<![\w-])(?:" + pattern + r")(?![\w-])", re.IGNORECASE))
    for name, pattern in _INSTRUMENTS
)

_MOODS: tuple[tuple[str, str], ...] = (
    ("dark", r"dark|ominous|sinister|menacing|eerie|haunting|tense|brooding|gloomy|moody|"
             r"suspenseful"),
    ("sad", r"sad|melanchol(?:y|ic)|somber|sombre|wistful|mournful|heartbroken|bittersweet|"
            r"nostalgic|lonely"),
    ("calm", r"calm|chill|chilled|relaxed|relaxing|mellow|peaceful|serene|dreamy|soothing|"
             r"laid[- ]back|lo-?fi|ambient"),
    ("happy", r"happy|joyful|cheerful|uplifting|upbeat|bright|playful|sunny|feel-good|"
              r"euphoric|fun"),
    ("energetic", r"energetic|driving|aggressive|intense|powerful|hype|high[- ]energy|fierce|"
                  r"punchy|explosive"),
    ("epic", r"epic|cinematic|heroic|triumphant|anthemic|grand|majestic|trailer"),
    ("romantic", r"romantic|tender|sensual|intimate|loving|sweet"),
)
MOODS: tuple[str, ...] = tuple(name for name, _ in _MOODS)
_MOOD_PATTERNS = tuple(
    (name, re.compile(r"(?<![\w-])(?:" + pattern + r")(?![\w-])", re.IGNORECASE))
    for name, pattern in _MOODS
)


def _note(letter: str, accidental: str | None) -> str:
    note = letter.upper()
    acc = (accidental or "").strip().lower().lstrip("-").strip()
    if acc in ("#", "♯", "sharp"):
        return note + "#"
    if acc in ("b", "♭", "flat"):
        return note + "b"
    return note


def _mode(word: str | None) -> Mode | None:
    if not word:
        return None
    return "minor" if word.lower() in ("minor", "min", "m") else "major"


def _bpm(tag: str) -> int | None:
    for pattern in _BPM:
        match = pattern.search(tag)
        if match:
            value = round(float(match.group(1)))
            if BPM_RANGE[0] <= value <= BPM_RANGE[1]:
                return value
    return None


def _key(tag: str) -> tuple[str | None, Mode | None]:
    text = tag.strip()
    whole = _KEY_WHOLE.fullmatch(text)
    # A lone letter ("A", "in C") is too weak; a mode word, "m" or "key" must be there.
    if whole and (whole.group(3) or whole.group(4) or re.search(r"key", text, re.IGNORECASE)):
        # "Am" is minor, "AM" is not a key we trust: require a lower-case "m".
        if whole.group(4) and whole.group(4) != "m":
            return None, None
        return _note(whole.group(1), whole.group(2)), _mode(whole.group(3) or whole.group(4))
    match = _KEY_IN_TAG.search(text)
    if match:
        return _note(match.group(1), match.group(2)), _mode(match.group(3))
    match = _KEY_OF.search(text)
    if match:
        return _note(match.group(1), match.group(2)), None
    return None, None


def parse_style_hints(styles: Iterable[str]) -> StyleHints:
    """Read tempo ("120 bpm"), key and mode ("A minor", "minor", "key of D"), instruments
    ("piano", "warm analog synths") and mood ("dark", "uplifting") from style tags. The
    first tag that says something wins; instruments are collected in order, without
    repeats, skipping tags such as "no drums"."""
    hints = StyleHints()
    for tag in styles:
        if not isinstance(tag, str) or not tag.strip():
            continue
        if hints.bpm is None:
            hints.bpm = _bpm(tag)
        if hints.key is None:
            key, mode = _key(tag)
            if key is not None:
                hints.key = key
                if hints.mode is None:
                    hints.mode = mode
        if hints.mode is None and (match := _MODE_ALONE.search(tag)):
            hints.mode = cast(Mode, match.group(1).lower())
        if not _NEGATED.match(tag):
            rest = tag
            for name, pattern in _INSTRUMENT_PATTERNS:
                if pattern.search(rest):
                    rest = pattern.sub(" ", rest)
                    if name not in hints.instruments:
                        hints.instruments.append(name)
            if hints.mood is None:
                for name, pattern in _MOOD_PATTERNS:
                    if pattern.search(tag):
                        hints.mood = name
                        break
    return hints


def section_hints(plan: Plan, index: int) -> StyleHints:
    """The hints for one section: its own styles first, then the global ones."""
    section = plan.sections[index]
    return parse_style_hints([*section.positive_styles, *plan.global_positive_styles])
