"""A server's 422 about a composition plan, turned into the editor's problems.

The cloud (and the local engine) answer an invalid plan with field errors whose `loc`
points into the request body, e.g. `["body", "composition_plan", "sections", 1,
"duration_ms"]` for music_v1 or `["body", "composition_plan", "chunks", 2,
"positive_styles", 4]` for music_v2. The editor shows problems by section and field (a
red cell, a tooltip, the list under the table), so mapping one onto the other puts the
user's eye on the very cell the server objected to, not only on a sentence.

Both wire shapes list the plan's sections in order (one v1 section or one v2 chunk per
section), so the wire index is the section index. v2 chunks carry the global styles
first, then the section's own (`to_v2_chunks`), so a style index tells which it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from app.domain.music_plan import Plan
from app.domain.music_plan_checks import Problem, section_label

Loc = Sequence[str | int]

# Wire field (either model) -> the plan field the editor knows (see FIELD_COLUMNS there).
_SECTION_FIELDS = {
    "section_name": "name",
    "duration_ms": "duration_ms",
    "positive_local_styles": "positive_styles",
    "negative_local_styles": "negative_styles",
    "lines": "lines",
    "source_from": "source",
    "text": "lines",  # a v2 chunk's text: the [name], {directions} and lyric lines
    "positive_styles": "positive_styles",
    "negative_styles": "negative_styles",
    "context_adherence": "context_adherence",
    "conditioning_ref": "conditioning",
    "condition_strength": "condition_strength",
    "song_id": "source",  # an audio-reference chunk (a kept section)
    "range": "source",
}
_GLOBAL_FIELDS = {
    "positive_global_styles": "global_positive_styles",
    "negative_global_styles": "global_negative_styles",
}
# What each field is called in the message, in the editor's words.
_WORDS = {
    "name": "the name",
    "duration_ms": "the length",
    "positive_styles": "the styles",
    "negative_styles": "the styles to avoid",
    "lines": "the lyrics",
    "source": "the kept audio",
    "context_adherence": "the context adherence",
    "conditioning": "the conditioning audio",
    "condition_strength": "the condition strength",
    "global_positive_styles": "the song's styles",
    "global_negative_styles": "the song's styles to avoid",
}


def server_problems(errors: Iterable[tuple[Loc, str]], plan: Plan) -> list[Problem]:
    """One problem per field error (`loc`, server message) about `plan` as it was sent.
    Errors outside the plan (the prompt, the length, the format...) are kept too, as
    problems of the whole request (`section_index` None)."""
    return [_problem(tuple(loc), message.strip() or "not accepted", plan)
            for loc, message in errors]


def _problem(loc: tuple[str | int, ...], message: str, plan: Plan) -> Problem:
    where = list(loc[1:] if loc and loc[0] in ("body", "query") else loc)
    if where[:1] == ["composition_plan"]:
        where = where[1:]
    head = where[0] if where else ""
    if head in _GLOBAL_FIELDS:
        field = _GLOBAL_FIELDS[str(head)]
        return Problem(None, field, _refused("", _WORDS[field], message))
    if head in ("sections", "chunks") and len(where) >= 2 and isinstance(where[1], int) \
            and 0 <= where[1] < len(plan.sections):
        index = where[1]
        wire_field = str(where[2]) if len(where) >= 3 else ""
        field = _SECTION_FIELDS.get(wire_field, "name")
        if head == "chunks" and field in ("positive_styles", "negative_styles") \
                and len(where) >= 4 and isinstance(where[3], int):
            positive = field == "positive_styles"
            song_styles = plan.global_positive_styles if positive else \
                plan.global_negative_styles
            if where[3] < len(song_styles):  # sent ahead of the section's own styles
                global_field = "global_positive_styles" if positive else \
                    "global_negative_styles"
                return Problem(None, global_field,
                               _refused("", _WORDS[global_field], message))
        what = _WORDS.get(field, "this section") if wire_field else "this section"
        label = section_label(index, plan.sections[index])
        return Problem(index, field, _refused(label, what, message))
    name = ".".join(str(part) for part in where)
    return Problem(None, name or "the request",
                   _refused("", f"the request's {name}" if name else "the request", message))


def _refused(label: str, what: str, message: str) -> str:
    said = f"the server did not accept {what} ({message})"
    return f"{label}: {said}" if label else said[0].upper() + said[1:]
