"""The request bodies of the local engine's music endpoints, and the rules they follow.

The models carry the spec's limits (shared/api/openapi-subset.json); `check_music_body`
adds the rules its prose states (prompt xor plan; seed only with a plan; length and
instrumental only with a prompt; sections for music_v1, chunks for music_v2). A body
that breaks one is answered 422 in FastAPI's shape, as the cloud does (`body_error`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.domain.formats import MUSIC_FORMATS, OutputFormat
from app.domain.music_plan import limits_for

_FORMATS = ("auto", *(f.value for f in MUSIC_FORMATS))
# `auto` (the spec): mp3_44100_128 for music_v1, mp3_48000_192 for the v2 models.
_AUTO = {"sections": "mp3_44100_128", "chunks": "mp3_48000_192"}

Styles = Annotated[list[str], Field(max_length=50)]
ModelId = Literal["music_v1", "music_v2", "music_v2_5"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class TimeRange(_Body):
    start_ms: int
    end_ms: int


class SectionSource(_Body):
    song_id: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    range: TimeRange
    negative_ranges: Annotated[list[TimeRange], Field(max_length=10)] = []


class SongSection(_Body):
    section_name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    positive_local_styles: Styles
    negative_local_styles: Styles
    duration_ms: Annotated[int, Field(ge=3000, le=120000)]
    lines: Annotated[list[Annotated[str, StringConstraints(max_length=200)]],
                     Field(max_length=30)]
    source_from: SectionSource | None = None


class MusicPrompt(_Body):
    positive_global_styles: Styles
    negative_global_styles: Styles
    sections: Annotated[list[SongSection], Field(max_length=30)]


class AudioRefChunk(_Body):
    song_id: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    range: TimeRange


class GenerationChunk(_Body):
    text: Annotated[str, StringConstraints(max_length=6000)]
    duration_ms: Annotated[int, Field(ge=3000, le=120000)]
    positive_styles: Styles
    negative_styles: Styles = []
    context_adherence: Literal["low", "medium", "high"] = "high"
    conditioning_ref: AudioRefChunk | None = None
    condition_strength: Literal["low", "medium", "high", "xhigh"] | None = None


class CompositionPlan(_Body):
    chunks: Annotated[list[GenerationChunk | AudioRefChunk], Field(max_length=30)]


class MusicBody(_Body):
    prompt: Annotated[str, StringConstraints(max_length=4100)] | None = None
    music_prompt: MusicPrompt | None = None
    composition_plan: MusicPrompt | CompositionPlan | None = None
    music_length_ms: Annotated[int, Field(ge=3000, le=600000)] | None = None
    model_id: ModelId = "music_v1"
    seed: Annotated[int, Field(ge=0, le=2147483647)] | None = None
    force_instrumental: bool = False
    respect_sections_durations: bool = True
    store_for_inpainting: bool = False
    with_timestamps: bool = False
    sign_with_c2pa: bool = False


class PlanBody(_Body):
    prompt: Annotated[str, StringConstraints(max_length=4100)]
    music_length_ms: Annotated[int, Field(ge=3000, le=600000)] | None = None
    source_composition_plan: MusicPrompt | CompositionPlan | None = None
    model_id: ModelId = "music_v1"


def body_error(field: str, message: str, *loc: str | int) -> RequestValidationError:
    """A 422 naming the body field at fault (and where inside it)."""
    return RequestValidationError([{"type": "value_error", "loc": ("body", field, *loc),
                                    "msg": message, "input": None}])


def check_output_format(value: str, model_id: str) -> OutputFormat:
    """The `output_format` query asked for, `auto` made the model's default; else a 422."""
    if value not in _FORMATS:
        expected = ", ".join(f"'{v}'" for v in _FORMATS)
        raise RequestValidationError([{"type": "enum", "loc": ("query", "output_format"),
                                       "msg": f"Input should be {expected}", "input": value}])
    return OutputFormat.parse(_AUTO[limits_for(model_id).shape] if value == "auto" else value)


def check_music_body(body: MusicBody) -> MusicPrompt | CompositionPlan | None:
    """The body's plan (None when it gives a prompt), once the body follows the rules."""
    wire = body.composition_plan or body.music_prompt
    if body.prompt is not None and wire is not None:
        raise body_error("prompt", "Use either prompt or composition_plan, not both.")
    if body.prompt is None and wire is None:
        raise body_error("prompt", "Give a prompt or a composition_plan.")
    if wire is None:
        if body.seed is not None:
            raise body_error("seed", "seed cannot be used with a prompt.")
        return None
    if body.music_length_ms is not None:
        raise body_error("music_length_ms", "music_length_ms can only be used with a "
                         "prompt; a plan's length is the sum of its sections.")
    if body.force_instrumental:
        raise body_error("force_instrumental", "force_instrumental can only be used "
                         "with a prompt.")
    shape = limits_for(body.model_id).shape
    if (shape == "sections") != isinstance(wire, MusicPrompt):
        raise body_error("composition_plan", "Invalid type of composition_plan: "
                         f"{body.model_id} takes a plan made of {shape}.")
    return wire


def plan_json(plan: MusicPrompt | CompositionPlan) -> dict[str, Any]:
    """The plan as the JSON the domain's `plan_from_json` reads."""
    return plan.model_dump(mode="json", exclude_none=True)
