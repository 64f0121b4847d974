"""Wire models: the API's JSON shapes as typed objects (pydantic).

Responses are parsed leniently (unknown fields are kept, not rejected) because the cloud
adds fields over time; requests are serialised without unset fields, because the API
treats "absent" as "use the default" (shared/api/ELEVENLABS_API.md §0).
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
    model_validator,
)

from app.domain.voice_defaults import DEFAULT_VOICE_SETTINGS as _DEFAULTS

DEFAULT_TEXT_LIMIT = 10_000  # characters per request when a model does not say


M = TypeVar("M", bound=BaseModel)


class WireModel(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)


def readable_models(model: type[M], entries: list[Any]) -> list[M]:
    """The entries that `model` can read, in order; the others left out."""
    kept = []
    for entry in entries:
        try:
            kept.append(model.model_validate(entry))
        except (ValidationError, RecursionError):
            continue
    return kept


def readable_entries(model: type[BaseModel], value: Any, what: str) -> Any:
    """For a list field's `mode="before"` validator: the entries that can be read, the
    others left out. One damaged entry (a voice without its id, a dictionary whose count
    is text) refused the whole page, and nothing on it could be used. A list whose
    entries are all unreadable is still refused; a value that is no list is left for the
    field's own check to refuse."""
    if not isinstance(value, list):
        return value
    kept = readable_models(model, value)
    if value and not kept:
        raise ValueError(f"none of its {what} could be read")
    return kept


def text_or_none(value: Any) -> Any:
    """For an optional text field that only describes something: anything not text reads
    as absent rather than refusing the record."""
    return value if isinstance(value, str) else None


class Language(WireModel):
    language_id: str
    name: str


# The costliest models charge a few credits a character; far beyond that is no real rate.
MAX_COST_MULTIPLIER = 100.0


class ModelRates(WireModel):
    character_cost_multiplier: float = 1.0
    cost_discount_multiplier: float = 1.0


class Model(WireModel):
    """A row of `GET /v1/models`."""

    model_id: str
    name: str = ""
    description: str = ""
    can_do_text_to_speech: bool = True
    can_do_voice_conversion: bool = False
    can_use_style: bool = True
    can_use_speaker_boost: bool = True
    can_be_finetuned: bool = False
    serves_pro_voices: bool = False
    requires_alpha_access: bool = False
    token_cost_factor: float = 1.0
    maximum_text_length_per_request: int = DEFAULT_TEXT_LIMIT
    max_characters_request_free_user: int | None = None
    max_characters_request_subscribed_user: int | None = None
    languages: list[Language] = Field(default_factory=list)
    model_rates: ModelRates | None = None
    concurrency_group: str | None = None

    @field_validator("maximum_text_length_per_request", mode="after")
    @classmethod
    def _usable_text_limit(cls, value: int) -> int:
        """0 or less says nothing usable (a compatible server that does not know): the
        usual limit, never one request per character."""
        return value if value > 0 else DEFAULT_TEXT_LIMIT

    @property
    def cost_multiplier(self) -> float:
        """Credits per character for this model (1.0 when the server does not say, or
        says what no model costs: NaN, infinite, negative or absurd; such a figure was
        shown as an estimate 300 digits long, or failed the cost line altogether)."""
        if self.model_rates is None:
            value = self.token_cost_factor or 1.0
        else:
            rates = self.model_rates
            value = rates.character_cost_multiplier * rates.cost_discount_multiplier
        return value if math.isfinite(value) and 0 <= value <= MAX_COST_MULTIPLIER else 1.0


class VoiceSettings(WireModel):
    """Voice settings (`VoiceSettingsResponseModel`). Ranges per the spec."""

    stability: float | None = Field(default=_DEFAULTS["stability"], ge=0.0, le=1.0)
    similarity_boost: float | None = Field(default=_DEFAULTS["similarity_boost"], ge=0.0,
                                           le=1.0)
    style: float | None = Field(default=_DEFAULTS["style"], ge=0.0, le=1.0)
    use_speaker_boost: bool | None = bool(_DEFAULTS["use_speaker_boost"])
    speed: float | None = Field(default=_DEFAULTS["speed"], ge=0.7, le=1.2)


def _settings_or_none(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """A voice's stored settings out of range (speed 5) or of the wrong shape are dropped,
    the voice kept: they refused the whole voices list ("Voices could not be loaded"),
    and no voice could be used. Without them the usual defaults apply."""
    try:
        return handler(value)
    except ValidationError:
        return None


UsableVoiceSettings = Annotated[VoiceSettings | None, WrapValidator(_settings_or_none)]


class Voice(WireModel):
    """A voice (`VoiceResponseModel`); only what the app uses is typed."""

    voice_id: str
    name: str
    category: str = "premade"
    labels: dict[str, str] = Field(default_factory=dict)
    description: str | None = None
    preview_url: str | None = None
    available_for_tiers: list[str] = Field(default_factory=list)
    high_quality_base_model_ids: list[str] = Field(default_factory=list)
    settings: UsableVoiceSettings = None

    @field_validator("labels", mode="before")
    @classmethod
    def _text_labels_only(cls, value: Any) -> Any:
        """Labels only describe a voice: one that is not text (`"age": 30`) is left out
        rather than refusing the voice, and with it the whole voices list."""
        if not isinstance(value, dict):
            return {}
        return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}

    @field_validator("description", "preview_url", mode="before")
    @classmethod
    def _text_extras_only(cls, value: Any) -> Any:
        """A description or sample address that is not text is left out, the voice kept
        (it refused the whole voices list)."""
        return text_or_none(value)

    @property
    def language(self) -> str:
        return self.labels.get("language", "")

    @property
    def gender(self) -> str:
        return self.labels.get("gender", "")

    @property
    def accent(self) -> str:
        return self.labels.get("accent", "")


class VoicesPage(WireModel):
    """`GET /v2/voices`."""

    voices: list[Voice]
    has_more: bool = False
    total_count: int = 0
    next_page_token: str | None = None

    @field_validator("voices", mode="before")
    @classmethod
    def _readable_voices(cls, value: Any) -> Any:
        return readable_entries(Voice, value, "voices")


# Far above any plan (the largest sell tens of millions of credits a month; the local
# engine says a billion): a count past this, or below zero, is no count.
MAX_PLAN_CREDITS = 100_000_000_000


class Subscription(WireModel):
    """The part of `GET /v1/user/subscription` the app shows. The counts are kept as sent;
    `counts_known` says whether they can be believed."""

    tier: str
    character_count: int
    character_limit: int
    next_character_count_reset_unix: int | None = None
    status: str | None = None

    @property
    def counts_known(self) -> bool:
        """False for counts no plan has (negative, or beyond any plan such as 1e18):
        shown as they came, they read "100,005 left" or a 19-digit number. Said as
        "unknown" instead. More used than the limit is a real account (usage-based
        billing goes on past the plan's credits): nothing is left of the plan."""
        return (0 <= self.character_count <= MAX_PLAN_CREDITS
                and 0 <= self.character_limit <= MAX_PLAN_CREDITS)

    @property
    def characters_left(self) -> int | None:
        """Credits left this period, or None when the counts sent make no sense."""
        if not self.counts_known:
            return None
        return max(0, self.character_limit - self.character_count)


class PronunciationDictionaryLocator(WireModel):
    pronunciation_dictionary_id: str
    version_id: str | None = None


TextNormalization = Literal["auto", "on", "off"]


class SpeechRequest(BaseModel):
    """The JSON body of `POST /v1/text-to-speech/{voice_id}` and its variants."""

    model_config = ConfigDict(extra="forbid")

    text: str
    model_id: str | None = None
    language_code: str | None = None
    voice_settings: VoiceSettings | None = None
    pronunciation_dictionary_locators: list[PronunciationDictionaryLocator] | None = None
    seed: int | None = Field(default=None, ge=0, le=4_294_967_295)
    previous_text: str | None = None
    next_text: str | None = None
    previous_request_ids: list[str] | None = Field(default=None, max_length=3)
    next_request_ids: list[str] | None = Field(default=None, max_length=3)
    use_pvc_as_ivc: bool | None = None
    apply_text_normalization: TextNormalization | None = None
    apply_language_text_normalization: bool | None = None

    def to_json(self) -> dict[str, Any]:
        """The body as sent: fields the user did not set are left out."""
        return self.model_dump(mode="json", exclude_none=True)


class SpeechOptions(BaseModel):
    """The query parameters of the TTS endpoints."""

    output_format: str = "mp3_44100_128"
    enable_logging: bool | None = None
    optimize_streaming_latency: int | None = Field(default=None, ge=0, le=4)

    def to_params(self) -> dict[str, str]:
        params: dict[str, str] = {"output_format": self.output_format}
        if self.enable_logging is not None:
            params["enable_logging"] = "true" if self.enable_logging else "false"
        if self.optimize_streaming_latency is not None:
            params["optimize_streaming_latency"] = str(self.optimize_streaming_latency)
        return params


_SLACK_S = 0.001


class CharacterAlignment(WireModel):
    """One start and end time per character. A damaged one (arrays of other lengths,
    times below zero, not numbers, or going backwards) fails validation here: words cut
    from it would end before they start, or raise IndexError deep in word grouping, and a
    take saved with such timings could not be opened again. In an answer it is then left
    out (`UsableAlignment`), keeping the audio."""

    characters: list[str]
    character_start_times_seconds: list[float]
    character_end_times_seconds: list[float]

    @model_validator(mode="after")
    def _times_make_sense(self) -> CharacterAlignment:
        chars, starts = self.characters, self.character_start_times_seconds
        ends = self.character_end_times_seconds
        if not len(chars) == len(starts) == len(ends):
            raise ValueError(f"the alignment has {len(chars)} characters but {len(starts)} "
                             f"start and {len(ends)} end times")
        previous = 0.0
        for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
            if not (math.isfinite(start) and math.isfinite(end)) or start < 0:
                raise ValueError(f"the alignment's time for character {i + 1} is not a "
                                 f"time ({start!r}, {end!r})")
            # A millisecond of slack for rounding; real answers never go back further.
            if end < start - _SLACK_S or start < previous - _SLACK_S:
                raise ValueError(f"the alignment's times go backwards at character {i + 1}")
            previous = max(previous, start)
        return self


def _usable_or_none(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """A damaged alignment is dropped, not the answer: the audio beside it was made and
    paid for, and is whole. Without timings a take still plays, and its captions are
    spread evenly over it (script_delivery), rather than the take being lost."""
    try:
        return handler(value)
    except ValidationError:
        return None


#: An alignment that is left out (None) when it is damaged: see `_usable_or_none`.
UsableAlignment = Annotated[CharacterAlignment | None, WrapValidator(_usable_or_none)]


class AudioWithTimestamps(WireModel):
    audio_base64: str
    alignment: UsableAlignment = None
    normalized_alignment: UsableAlignment = None
