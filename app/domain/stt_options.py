"""Options of `POST /v1/speech-to-text`: checked in plain words, then turned into form fields.

The request is multipart/form-data (schema `Body_Speech_to_Text_v1_speech_to_text_post`
in shared/api/openapi-subset.json; summary in shared/api/ELEVENLABS_API.md §4.1). The
audio itself (`file`) is added by the service layer; everything else is here.

Encoding, as the official Python SDK 2.78 sends it (the spec names no encoding):
booleans "true"/"false"; `keyterms` one repeated field per term; `entity_detection`,
`entity_redaction` and an object `webhook_metadata` JSON-encoded; `additional_formats`
one JSON array that must go as its own part with content type application/json (see
`JSON_PART_FIELDS`). Fields left at the spec's default are omitted: the API treats
"absent" as "use the default".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

# ---- Limits and enums, all from the spec's schema (openapi-subset.json,
# `Body_Speech_to_Text_v1_speech_to_text_post`, `AdditionalFormats`, `*ExportOptions`).
STT_MODEL_IDS = ("scribe_v1", "scribe_v2")  # model_id enum
NO_VERBATIM_MODEL_IDS = ("scribe_v2",)  # no_verbatim: "Only supported with scribe_v2 model."
TIMESTAMPS_GRANULARITIES = ("none", "word", "character")  # default "word"
FILE_FORMATS = ("pcm_s16le_16", "other")  # default "other"
MULTICHANNEL_OUTPUT_STYLES = ("separate", "combined")  # default "separate"
ENTITY_REDACTION_MODES = ("redacted", "entity_type", "enumerated_entity_type")  # description
NUM_SPEAKERS_MIN, NUM_SPEAKERS_MAX = 1, 32
DIARIZATION_THRESHOLD_MIN, DIARIZATION_THRESHOLD_MAX = 0.1, 0.4
TEMPERATURE_MIN, TEMPERATURE_MAX = 0.0, 2.0
SEED_MIN, SEED_MAX = 0, 2_147_483_647
KEYTERMS_MAX_COUNT = 1000  # "The number of keyterms cannot exceed 1000."
KEYTERM_MAX_CHARS = 49  # "must be less than 50 characters" (the SDK says "at most 50")
KEYTERM_MAX_WORDS = 5  # "at most 5 words (after normalisation)"
KEYTERM_FORBIDDEN_CHARS = "<>{}[]\\"
ADDITIONAL_FORMATS_MAX = 10  # AdditionalFormats maxItems
WEBHOOK_METADATA_MAX_BYTES = 16 * 1024  # "maximum depth of 2 levels and maximum size of 16KB"
WEBHOOK_METADATA_MAX_DEPTH = 2
EXPORT_FORMATS = ("segmented_json", "docx", "pdf", "txt", "html", "srt")  # ExportOptions
LINE_LENGTH_FORMATS = ("txt", "srt")  # only these have max_characters_per_line

#: Form fields whose value is JSON and must be sent as a part typed application/json.
JSON_PART_FIELDS = frozenset({"additional_formats"})

ExportFormatName: TypeAlias = Literal["segmented_json", "docx", "pdf", "txt", "html", "srt"]
FormFields: TypeAlias = list[tuple[str, str]]


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """One item of `additional_formats`; None means "the server's default for this format"."""

    format: ExportFormatName
    include_speakers: bool | None = None
    include_timestamps: bool | None = None
    segment_on_silence_longer_than_s: float | None = None
    max_segment_duration_s: float | None = None
    max_segment_chars: int | None = None
    max_characters_per_line: int | None = None  # txt and srt only

    def validate(self) -> list[str]:
        problems: list[str] = []
        name = self.format
        if name not in EXPORT_FORMATS:
            return [f"'{name}' is not an export format ({', '.join(EXPORT_FORMATS)})."]
        if self.max_characters_per_line is not None and name not in LINE_LENGTH_FORMATS:
            problems.append(f"The {name} export has no characters-per-line setting.")
        # Not limits of the spec (which gives none): zero or less would make no sense.
        for label, value in (
            ("silence length", self.segment_on_silence_longer_than_s),
            ("segment duration", self.max_segment_duration_s),
            ("segment length", self.max_segment_chars),
            ("line length", self.max_characters_per_line),
        ):
            if value is not None and value <= 0:
                problems.append(f"The {name} export's {label} must be more than zero.")
        return problems

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"format": self.format}
        for key in (
            "include_speakers",
            "include_timestamps",
            "segment_on_silence_longer_than_s",
            "max_segment_duration_s",
            "max_segment_chars",
            "max_characters_per_line",
        ):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


@dataclass(frozen=True)
class TranscriptionOptions:
    """Everything about a transcription request except the audio. Defaults are the spec's."""

    model_id: str = "scribe_v2"
    language_code: str | None = None  # None: detect the language
    tag_audio_events: bool = True
    num_speakers: int | None = None
    timestamps_granularity: str = "word"
    diarize: bool = False
    diarization_threshold: float | None = None
    additional_formats: tuple[ExportFormat, ...] = ()
    file_format: str = "other"
    source_url: str | None = None  # instead of uploading a file
    webhook: bool = False
    webhook_id: str | None = None
    webhook_metadata: str | dict[str, Any] | None = None
    temperature: float | None = None
    seed: int | None = None
    use_multi_channel: bool = False
    multichannel_output_style: str = "separate"
    entity_detection: str | tuple[str, ...] | None = None
    entity_redaction: str | tuple[str, ...] | None = None
    entity_redaction_mode: str = "enumerated_entity_type"
    keyterms: tuple[str, ...] = field(default=())
    no_verbatim: bool = False
    use_speaker_library: bool = False
    detect_speaker_roles: bool = False
    enable_logging: bool = True  # a query parameter, see to_query_params()

    # ------------------------------------------------------------------ checking

    def validate(self) -> list[str]:
        """Problems in plain words; empty when the request can be sent."""
        p: list[str] = []
        if self.model_id not in STT_MODEL_IDS:
            p.append(f"Choose a transcription model ({', '.join(STT_MODEL_IDS)}).")
        if self.language_code is not None and not re.fullmatch(
            r"[A-Za-z]{2,3}", self.language_code
        ):
            p.append("The language must be a 2- or 3-letter ISO 639 code, such as 'en' or 'eng'.")
        p += self._validate_speakers()
        if self.timestamps_granularity not in TIMESTAMPS_GRANULARITIES:
            p.append("Timestamps can be 'none', 'word' or 'character'.")
        if self.file_format not in FILE_FORMATS:
            p.append("The file format must be 'pcm_s16le_16' or 'other'.")
        if self.source_url is not None and not re.match(r"https?://", self.source_url):
            p.append("The source URL must start with http:// or https://.")
        p += self._validate_formats()
        p += self._validate_keyterms()
        if self.no_verbatim and self.model_id not in NO_VERBATIM_MODEL_IDS:
            p.append("Leaving out filler words (no verbatim) needs the scribe_v2 model.")
        p += self._validate_webhook()
        if self.temperature is not None and not (
            TEMPERATURE_MIN <= self.temperature <= TEMPERATURE_MAX
        ):
            p.append(f"Temperature must be between {TEMPERATURE_MIN} and {TEMPERATURE_MAX}.")
        if self.seed is not None and (
            isinstance(self.seed, bool) or not SEED_MIN <= self.seed <= SEED_MAX
        ):
            p.append(f"The seed must be a whole number from {SEED_MIN} to {SEED_MAX}.")
        p += self._validate_multichannel()
        p += self._validate_entities()
        return p

    def _validate_speakers(self) -> list[str]:
        p: list[str] = []
        n = self.num_speakers
        if n is not None and (
            isinstance(n, bool)
            or not isinstance(n, int)
            or not NUM_SPEAKERS_MIN <= n <= NUM_SPEAKERS_MAX
        ):
            p.append(
                f"The number of speakers must be from {NUM_SPEAKERS_MIN} to {NUM_SPEAKERS_MAX}."
            )
        if self.diarization_threshold is not None:
            if not self.diarize:
                p.append("The diarization threshold only applies when speakers are told apart.")
            if n is not None:
                p.append(
                    "Set either the number of speakers or the diarization threshold, not both."
                )
            if (
                not DIARIZATION_THRESHOLD_MIN
                <= self.diarization_threshold
                <= (DIARIZATION_THRESHOLD_MAX)
            ):
                p.append(
                    f"The diarization threshold must be between {DIARIZATION_THRESHOLD_MIN} "
                    f"and {DIARIZATION_THRESHOLD_MAX}."
                )
        if self.detect_speaker_roles:
            if not self.diarize:
                p.append("Detecting speaker roles needs speakers to be told apart (diarize).")
            if self.use_multi_channel:
                p.append("Detecting speaker roles does not work with one speaker per channel.")
        return p

    def _validate_formats(self) -> list[str]:
        p: list[str] = []
        if len(self.additional_formats) > ADDITIONAL_FORMATS_MAX:
            p.append(f"At most {ADDITIONAL_FORMATS_MAX} extra export formats can be requested.")
        for item in self.additional_formats:
            p += item.validate()
        return p

    def _validate_keyterms(self) -> list[str]:
        p: list[str] = []
        if len(self.keyterms) > KEYTERMS_MAX_COUNT:
            p.append(f"At most {KEYTERMS_MAX_COUNT} key terms are allowed.")
        for term in self.keyterms:
            if not term.strip():
                p.append("A key term is empty.")
            elif len(term) > KEYTERM_MAX_CHARS:
                p.append(
                    f"The key term '{term[:20]}…' is longer than {KEYTERM_MAX_CHARS} characters."
                )
            elif len(term.split()) > KEYTERM_MAX_WORDS:
                p.append(f"The key term '{term}' has more than {KEYTERM_MAX_WORDS} words.")
            bad = sorted({c for c in term if c in KEYTERM_FORBIDDEN_CHARS})
            if bad:
                p.append(f"The key term '{term}' contains {' '.join(bad)}, which is not allowed.")
        return p

    def _validate_webhook(self) -> list[str]:
        p: list[str] = []
        if self.webhook_id is not None and not self.webhook:
            p.append("A webhook id only applies when the result is sent to a webhook.")
        metadata = self.webhook_metadata
        if metadata is None:
            return p
        if isinstance(metadata, str):
            try:
                metadata = json.loads(metadata)
            except ValueError:
                return [*p, "The webhook metadata is not valid JSON."]
        if not isinstance(metadata, dict):
            return [*p, "The webhook metadata must be a JSON object."]
        if _depth(metadata) > WEBHOOK_METADATA_MAX_DEPTH:
            p.append(f"The webhook metadata may nest at most {WEBHOOK_METADATA_MAX_DEPTH} levels.")
        if len(json.dumps(metadata).encode()) > WEBHOOK_METADATA_MAX_BYTES:
            p.append("The webhook metadata is larger than 16 KB.")
        return p

    def _validate_multichannel(self) -> list[str]:
        p: list[str] = []
        if self.multichannel_output_style not in MULTICHANNEL_OUTPUT_STYLES:
            p.append("The multichannel output style must be 'separate' or 'combined'.")
        if self.use_multi_channel and self.multichannel_output_style == "combined":
            if self.timestamps_granularity == "none":
                p.append("Combining channels into one transcript needs timestamps.")
            if self.entity_detection or self.entity_redaction:
                p.append("Combining channels into one transcript does not work with entities.")
        return p

    def _validate_entities(self) -> list[str]:
        p: list[str] = []
        if self.entity_redaction and not self.entity_detection:
            p.append("Redacting entities needs entity detection for the same entities.")
        if self.entity_redaction_mode not in ENTITY_REDACTION_MODES:
            p.append(
                "The redaction style must be one of " + ", ".join(ENTITY_REDACTION_MODES) + "."
            )
        return p

    # ------------------------------------------------------------------ encoding

    def to_form_fields(self) -> FormFields:
        """The multipart form fields (without `file`), named as in the spec."""
        f: FormFields = [("model_id", self.model_id)]
        if self.language_code:
            f.append(("language_code", self.language_code))
        if not self.tag_audio_events:
            f.append(("tag_audio_events", _bool(self.tag_audio_events)))
        if self.num_speakers is not None:
            f.append(("num_speakers", str(self.num_speakers)))
        if self.timestamps_granularity != "word":
            f.append(("timestamps_granularity", self.timestamps_granularity))
        if self.diarize:
            f.append(("diarize", _bool(self.diarize)))
        if self.diarization_threshold is not None:
            f.append(("diarization_threshold", _number(self.diarization_threshold)))
        if self.additional_formats:
            formats = [item.to_json() for item in self.additional_formats]
            f.append(("additional_formats", json.dumps(formats)))
        if self.file_format != "other":
            f.append(("file_format", self.file_format))
        if self.source_url:
            f.append(("source_url", self.source_url))
        if self.webhook:
            f.append(("webhook", _bool(self.webhook)))
        if self.webhook_id:
            f.append(("webhook_id", self.webhook_id))
        if self.webhook_metadata is not None:
            metadata = self.webhook_metadata
            f.append(
                (
                    "webhook_metadata",
                    metadata if isinstance(metadata, str) else json.dumps(metadata),
                )
            )
        if self.temperature is not None:
            f.append(("temperature", _number(self.temperature)))
        if self.seed is not None:
            f.append(("seed", str(self.seed)))
        if self.use_multi_channel:
            f.append(("use_multi_channel", _bool(self.use_multi_channel)))
            if self.multichannel_output_style != "separate":
                f.append(("multichannel_output_style", self.multichannel_output_style))
        if self.entity_detection:
            f.append(("entity_detection", _json_str_or_list(self.entity_detection)))
        if self.entity_redaction:
            f.append(("entity_redaction", _json_str_or_list(self.entity_redaction)))
            if self.entity_redaction_mode != "enumerated_entity_type":
                f.append(("entity_redaction_mode", self.entity_redaction_mode))
        f.extend(("keyterms", term) for term in self.keyterms)
        if self.no_verbatim:
            f.append(("no_verbatim", _bool(self.no_verbatim)))
        if self.use_speaker_library:
            f.append(("use_speaker_library", _bool(self.use_speaker_library)))
        if self.detect_speaker_roles:
            f.append(("detect_speaker_roles", _bool(self.detect_speaker_roles)))
        return f

    def to_query_params(self) -> list[tuple[str, str]]:
        """Query parameters of the request (`enable_logging`, only when turned off)."""
        return [] if self.enable_logging else [("enable_logging", "false")]


def _json_str_or_list(value: str | tuple[str, ...]) -> str:
    return json.dumps(value if isinstance(value, str) else list(value))


def _depth(value: Any) -> int:
    """Nesting depth of a JSON value: a flat object is 1."""
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0
