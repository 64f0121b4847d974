"""Request bodies for the music endpoints (their replies: music_detailed.py).

Bodies follow shared/api/ELEVENLABS_API.md §5 and the spec's `Body_Compose_music_v1_music_post`,
`Body_Stream_composed_music_v1_music_stream_post`,
`Body_Compose_Music_with_a_detailed_response_v1_music_detailed_post` and
`Body_Generate_composition_plan_v1_music_plan_post`. Like the SDK, fields left at their
default are left out. The rules the spec states in prose are enforced here:
`prompt` xor `composition_plan`; `music_length_ms` and `force_instrumental` only with a
prompt; `seed` only with a plan; `respect_sections_durations` only with a music_v1 plan
(and not on `/stream`, whose schema lacks it); `with_timestamps` only on `/detailed`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from app.domain.formats import MUSIC_FORMATS
from app.domain.music_plan import (
    DEFAULT_MUSIC_MODEL,
    MUSIC_LENGTH_MAX_MS,
    MUSIC_LENGTH_MIN_MS,
    PROMPT_MAX_CHARS,
    SEED_MAX,
    Plan,
    limits_for,
)
from app.domain.music_plan_checks import Problem, errors_only, length_text, validate_plan
from app.domain.music_plan_write import to_wire_plan

MusicEndpoint = Literal["compose", "stream", "detailed", "detailed_stream"]
ENDPOINT_PATHS: dict[MusicEndpoint, str] = {
    "compose": "/v1/music",
    "stream": "/v1/music/stream",
    "detailed": "/v1/music/detailed",
    "detailed_stream": "/v1/music/detailed/stream",  # Server-Sent Events
}
STREAMED_ENDPOINTS = ("stream", "detailed_stream")  # no C2PA, no section-length switch
PLAN_PATH = "/v1/music/plan"
MUSIC_OUTPUT_FORMATS: tuple[str, ...] = ("auto", *(f.value for f in MUSIC_FORMATS))
DEFAULT_MUSIC_OUTPUT_FORMAT = "auto"  # the spec's default for every music endpoint


class MusicRequestError(ValueError):
    """A request the API would refuse; `problems` says why, in plain words."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


def _raise_for(problems: list[Problem]) -> None:
    errors = errors_only(problems)
    if errors:
        raise MusicRequestError("; ".join(p.message for p in errors), errors)


def validate_prompt(prompt: str, music_length_ms: int | None = None) -> list[Problem]:
    """Prompt mode: the prompt's length and the song length (3 s to 10 min)."""
    problems: list[Problem] = []
    if not prompt.strip():
        problems.append(Problem(None, "prompt", "Describe the music you want first"))
    elif len(prompt) > PROMPT_MAX_CHARS:
        problems.append(
            Problem(None, "prompt", f"The prompt is {len(prompt):,} characters long; "
                    f"at most {PROMPT_MAX_CHARS:,} are allowed")
        )
    if music_length_ms is not None and not (
        MUSIC_LENGTH_MIN_MS <= music_length_ms <= MUSIC_LENGTH_MAX_MS
    ):
        low, high = length_text(MUSIC_LENGTH_MIN_MS), length_text(MUSIC_LENGTH_MAX_MS)
        it_is = length_text(music_length_ms)  # rounded: exact when it reads like a limit
        if it_is in (low, high):
            it_is = f"{music_length_ms:,} ms"
        problems.append(
            Problem(None, "music_length_ms", f"The song length must be between {low} and "
                    f"{high} (it is {it_is})")
        )
    return problems


def compose_query(output_format: str = DEFAULT_MUSIC_OUTPUT_FORMAT) -> dict[str, str]:
    """The query string of the generation endpoints."""
    if output_format not in MUSIC_OUTPUT_FORMATS:
        raise MusicRequestError(f"{output_format!r} is not an output format for music")
    return {"output_format": output_format}


def _wire_plan(plan: Plan | Mapping[str, Any], model_id: str) -> dict[str, Any]:
    shape = limits_for(model_id).shape
    if isinstance(plan, Plan):
        _raise_for(validate_plan(plan, model_id))
        return to_wire_plan(plan, model_id)
    data = dict(plan)
    if shape not in data:
        other = "sections" if shape == "chunks" else "chunks"
        if other in data:
            raise MusicRequestError(
                f"{model_id} takes a plan made of {shape}, and this one is made of {other}"
            )
        raise MusicRequestError("This is not a composition plan")
    return data


def compose_body(
    model_id: str = DEFAULT_MUSIC_MODEL,
    *,
    prompt: str | None = None,
    plan: Plan | Mapping[str, Any] | None = None,
    music_length_ms: int | None = None,
    force_instrumental: bool = False,
    seed: int | None = None,
    respect_sections_durations: bool | None = None,
    store_for_inpainting: bool = False,
    with_timestamps: bool = False,
    sign_with_c2pa: bool = False,
    endpoint: MusicEndpoint = "compose",
) -> dict[str, Any]:
    """The JSON body of `POST /v1/music`, `/v1/music/stream` or `/v1/music/detailed`.

    `plan` is an editor `Plan` (validated, then converted to the model's shape) or a wire
    plan dict (sent as is, after a shape check). `respect_sections_durations` defaults to
    the plan's own setting. The output format goes in the query: `compose_query`.
    Raises MusicRequestError with plain words when the API would refuse the request."""
    limits_for(model_id)  # ValueError for a model that is not music
    if (prompt is None) == (plan is None):
        raise MusicRequestError(
            "Give either a prompt or a composition plan" if prompt is None
            else "Give a prompt or a composition plan, not both"
        )
    if with_timestamps and endpoint not in ("detailed", "detailed_stream"):
        raise MusicRequestError("Word timestamps come only with the detailed reply")
    if sign_with_c2pa and endpoint in STREAMED_ENDPOINTS:
        raise MusicRequestError("A streamed song cannot be signed with C2PA")
    body: dict[str, Any] = {"model_id": model_id}
    if prompt is not None:
        _raise_for(validate_prompt(prompt, music_length_ms))
        if seed is not None:
            raise MusicRequestError("A seed can only be used with a composition plan")
        if respect_sections_durations is not None:
            raise MusicRequestError("Section durations only apply to a composition plan")
        body["prompt"] = prompt
        if music_length_ms is not None:
            body["music_length_ms"] = music_length_ms
        if force_instrumental:
            body["force_instrumental"] = True
    else:
        assert plan is not None
        if music_length_ms is not None:
            raise MusicRequestError(
                "The song length comes from the plan's sections; it cannot be set separately"
            )
        if force_instrumental:
            raise MusicRequestError(
                "“Instrumental only” works with a prompt; with a plan, leave out the lyrics"
            )
        if seed is not None and not (0 <= seed <= SEED_MAX):
            raise MusicRequestError(f"The seed must be a whole number from 0 to {SEED_MAX:,}")
        body["composition_plan"] = _wire_plan(plan, model_id)
        if seed is not None:
            body["seed"] = seed
        respect = respect_sections_durations
        if respect is None and isinstance(plan, Plan):
            respect = plan.respect_sections_durations
        if (
            respect is not None
            and limits_for(model_id).uses_respect_sections_durations
            and endpoint not in STREAMED_ENDPOINTS
        ):
            body["respect_sections_durations"] = respect
    if store_for_inpainting:
        body["store_for_inpainting"] = True
    if with_timestamps:
        body["with_timestamps"] = True
    if sign_with_c2pa:
        body["sign_with_c2pa"] = True
    return body


def plan_request_body(
    prompt: str,
    music_length_ms: int | None = None,
    model_id: str = DEFAULT_MUSIC_MODEL,
    source_composition_plan: Plan | Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON body of `POST /v1/music/plan` (a plan from a prompt, optionally reworking
    `source_composition_plan`, which is sent in `model_id`'s shape)."""
    limits_for(model_id)
    _raise_for(validate_prompt(prompt, music_length_ms))
    body: dict[str, Any] = {"prompt": prompt, "model_id": model_id}
    if music_length_ms is not None:
        body["music_length_ms"] = music_length_ms
    if source_composition_plan is not None:
        if isinstance(source_composition_plan, Plan):
            # A draft being reworked may break limits; the server will say so, not us.
            body["source_composition_plan"] = to_wire_plan(source_composition_plan, model_id)
        else:
            body["source_composition_plan"] = _wire_plan(source_composition_plan, model_id)
    return body
