"""Music plans: the editor's model, and what each music model accepts.

The editor works on `Plan` (global styles plus a list of `Section`s; a section may take
its audio from, or be steered by, a stretch of an earlier song, a `SongRef`). The model
knows nothing about the wire: `app.domain.music_plan_json` turns it into the API's shapes
and XI Studio's own file format and back, `app.domain.music_plan_checks` says what keeps
it from being sent.

`ModelLimits` / `limits_for` hold what each music model takes in a plan, with the limits
from the spec (shared/api/ELEVENLABS_API.md §5.1, openapi-subset.json
`components/schemas`).
"""

from __future__ import annotations

import bisect
import copy
import dataclasses
from dataclasses import dataclass
from typing import Literal

ContextAdherence = Literal["low", "medium", "high"]
ConditionStrength = Literal["low", "medium", "high", "xhigh"]
PlanShape = Literal["sections", "chunks"]

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
