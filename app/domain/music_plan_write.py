"""Music plans written for the wire and for disk: the API's two plan shapes and XI Studio's
own file format (read back by `app.domain.music_plan_json`).

Two conversions produce what the API takes (shared/api/ELEVENLABS_API.md §5.1,
openapi-subset.json `components/schemas`):

* `music_v1` takes a `MusicPrompt`: global styles plus `SongSection`s
  (`section_name`, local styles, `duration_ms`, lyric `lines`, optional `source_from`).
* `music_v2` takes a `CompositionPlan`: `chunks`, each either a `GenerationChunk`
  (`text` = `[Section]` heading, an optional `{directions}` line and the lyric lines;
  `duration_ms`; `positive_styles`/`negative_styles`; `context_adherence`; optional
  `conditioning_ref`/`condition_strength`) or an `AudioRefChunk` (`song_id` + `range`).

`plan_to_dict` writes XI Studio's own lossless format (`*.plan.json`, drafts).

v2 has no global styles. `to_v2_chunks` puts the global styles in front of every chunk's
own (a global negative style must reach every chunk to be honoured); reading takes the
styles that every chunk starts with back out as global styles.
"""

from __future__ import annotations

from typing import Any

from app.domain.music_plan import Plan, Section, SongRef, limits_for

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
