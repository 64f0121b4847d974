"""Reading the `POST /v1/speech-to-text` form for the local engine, and the extra formats.

`parse_form` checks every field the spec describes (schema
`Body_Speech_to_Text_v1_speech_to_text_post`): a value of the wrong type or out of range
raises FastAPI's RequestValidationError (answered 422 `{"detail": [...]}`, as the cloud
does); a valid request this engine cannot serve raises FormProblem (answered 400).
Fields the engine does not use (keyterms, entities, temperature...) are checked and then
ignored; unknown fields are ignored, as the cloud ignores them.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any

from fastapi.exceptions import RequestValidationError
from starlette.datastructures import FormData, UploadFile

MODEL_IDS = ("scribe_v1", "scribe_v2")
GRANULARITIES = ("none", "word", "character")
FILE_FORMATS = ("pcm_s16le_16", "other")
OUTPUT_STYLES = ("separate", "combined")
EXPORT_FORMATS = ("segmented_json", "docx", "pdf", "txt", "html", "srt")
ENGLISH = ("en", "eng", "en-us", "en-gb", "en_us", "en_gb")
_TRUE = ("true", "1", "yes", "on", "t", "y")
_FALSE = ("false", "0", "no", "off", "f", "n")


class FormProblem(Exception):
    """A valid request that this engine cannot carry out (answered 400)."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class SttRequest:
    model_id: str = "scribe_v2"
    language_code: str | None = None
    tag_audio_events: bool = True
    num_speakers: int | None = None
    timestamps_granularity: str = "word"
    diarize: bool = False
    use_multi_channel: bool = False
    multichannel_output_style: str = "separate"
    file_format: str = "other"
    additional_formats: list[dict[str, Any]] = field(default_factory=list)


class _Errors:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, name: str, kind: str, message: str, value: Any = None) -> None:
        self.items.append({"type": kind, "loc": ["body", name], "msg": message,
                           "input": value})


def _text(form: FormData, name: str, errors: _Errors) -> str | None:
    value = form.get(name)
    if value is None:
        return None
    if isinstance(value, UploadFile):
        errors.add(name, "string_type", "Input should be a valid string")
        return None
    return value


def _bool(form: FormData, name: str, default: bool, errors: _Errors) -> bool:
    value = _text(form, name, errors)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    errors.add(name, "bool_parsing", "Input should be a valid boolean, unable to interpret "
               "input", value)
    return default


def _number(form: FormData, name: str, low: float, high: float, errors: _Errors,
            integer: bool = False) -> float | None:
    value = _text(form, name, errors)
    if value is None or value.strip().lower() in ("", "null", "none"):
        return None
    try:
        number = int(value) if integer else float(value)
    except ValueError:
        kind = "int_parsing" if integer else "float_parsing"
        what = "an integer" if integer else "a number"
        errors.add(name, kind, f"Input should be a valid {what}, unable to parse string as "
                   f"{what}", value)
        return None
    if number < low:
        errors.add(name, "greater_than_equal", f"Input should be greater than or equal to "
                   f"{low:g}", value)
    elif number > high:
        errors.add(name, "less_than_equal", f"Input should be less than or equal to {high:g}",
                   value)
    return number


def _choice(form: FormData, name: str, allowed: tuple[str, ...], default: str,
            errors: _Errors) -> str:
    value = _text(form, name, errors)
    if value is None:
        return default
    if value not in allowed:
        expected = " or ".join(f"'{a}'" for a in allowed)
        errors.add(name, "enum", f"Input should be {expected}", value)
        return default
    return value


def _formats(form: FormData, errors: _Errors) -> list[dict[str, Any]]:
    from app.engine.stt_export_options import formats_problem, item_problem

    value = _text(form, "additional_formats", errors)
    if value is None or not value.strip():
        return []
    shown = value[:200]  # echoed in the 422: never the parsed (maybe huge) structure
    try:
        items = json.loads(value, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        errors.add("additional_formats", "json_invalid", "Invalid JSON (finite numbers "
                   "only, nesting at most a few levels)", shown)
        return []
    problem = formats_problem(items)
    if problem:
        errors.add("additional_formats", "json_invalid", problem, shown)
        return []
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list) or len(items) > 10:
        errors.add("additional_formats", "too_long" if isinstance(items, list) else "list_type",
                   "Input should be a list of at most 10 export options", shown)
        return []
    for n, item in enumerate(items):
        if not isinstance(item, dict) or item.get("format") not in EXPORT_FORMATS:
            errors.add("additional_formats", "union_tag_invalid",
                       f"Item {n}: 'format' should be one of {', '.join(EXPORT_FORMATS)}",
                       shown)
            return []
        problem = item_problem(n, item)
        if problem:
            errors.add("additional_formats", "value_error", problem, shown)
            return []
    return items


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_form(form: FormData, *, any_language: bool = False) -> SttRequest:
    errors = _Errors()
    model_id = _text(form, "model_id", errors)
    if model_id is None:
        errors.add("model_id", "missing", "Field required")
    elif model_id not in MODEL_IDS:
        errors.add("model_id", "enum", "Input should be 'scribe_v1' or 'scribe_v2'", model_id)
    upload = form.get("file")
    source = _text(form, "source_url", errors) or _text(form, "cloud_storage_url", errors)
    request = SttRequest(
        model_id=model_id or "scribe_v2",
        language_code=(_text(form, "language_code", errors) or "").strip() or None,
        tag_audio_events=_bool(form, "tag_audio_events", True, errors),
        timestamps_granularity=_choice(form, "timestamps_granularity", GRANULARITIES, "word",
                                       errors),
        diarize=_bool(form, "diarize", False, errors),
        use_multi_channel=_bool(form, "use_multi_channel", False, errors),
        multichannel_output_style=_choice(form, "multichannel_output_style", OUTPUT_STYLES,
                                          "separate", errors),
        file_format=_choice(form, "file_format", FILE_FORMATS, "other", errors),
        additional_formats=_formats(form, errors),
    )
    speakers = _number(form, "num_speakers", 1, 32, errors, integer=True)
    request.num_speakers = int(speakers) if speakers is not None else None
    _number(form, "diarization_threshold", 0.1, 0.4, errors)
    _number(form, "temperature", 0.0, 2.0, errors)
    _number(form, "seed", 0, 2_147_483_647, errors, integer=True)
    for name in ("no_verbatim", "use_speaker_library", "detect_speaker_roles"):
        _bool(form, name, False, errors)
    webhook = _bool(form, "webhook", False, errors)
    if upload is None and not source:
        errors.add("file", "missing", "Either file or source_url must be provided")
    elif upload is not None and not isinstance(upload, UploadFile):
        errors.add("file", "value_error", "Expected a file upload, not text")
    if errors.items:
        raise RequestValidationError(errors.items)
    if source and upload is None:
        raise FormProblem("unsupported_source", "The offline engine cannot download from web "
                          "addresses. Choose a file on this computer instead.")
    if webhook:
        raise FormProblem("unsupported_webhook", "The offline engine cannot send results to "
                          "a webhook; ask for the result directly instead.")
    language = request.language_code
    if language is not None and language.lower() not in ENGLISH and not any_language:
        raise FormProblem("unsupported_language", f"The offline engine only recognises "
                          f"English, not '{language}'. Choose English or automatic detection, "
                          "or use ElevenLabs (add an API key in Settings).")
    return request


# --------------------------------------------------------------------------- exports


def additional_formats(result: dict[str, Any],
                       requested: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
    """`additional_formats` of the response: SRT, plain text and HTML; None for the
    formats this engine cannot write (DOCX, PDF, segmented JSON)."""
    from app.domain.subtitles import (
        CueRules,
        SubtitlesNeedTimingsError,
        build_cues,
        to_plain_text,
        to_srt,
    )
    from app.domain.transcript_lookup import paragraphs
    from app.domain.transcript_parse import parse_transcript

    transcript = parse_transcript({k: v for k, v in result.items() if k != "xi_studio_engine"})
    out: list[dict[str, Any] | None] = []
    for item in requested:
        name = item["format"]
        speakers = item.get("include_speakers")
        timestamps = item.get("include_timestamps", True) is not False
        if name == "srt":
            rules = CueRules(
                max_chars_per_line=int(item.get("max_characters_per_line") or 42),
                max_cue_ms=int(float(item.get("max_segment_duration_s") or 4) * 1000),
                split_pause_ms=int(float(item.get("segment_on_silence_longer_than_s")
                                         or 0.8) * 1000),
                speaker_labels=bool(speakers),
            )
            try:
                content, mime = to_srt(build_cues(transcript, rules)), "application/x-subrip"
            except SubtitlesNeedTimingsError:  # no word times (granularity "none")
                out.append(None)
                continue
        elif name == "txt":
            content = to_plain_text(transcript, timestamps=timestamps,
                                    speakers=speakers is not False)
            mime = "text/plain"
        elif name == "html":
            blocks = []
            for p in paragraphs(transcript):
                text = "".join(transcript.words[i].text for i in p.word_indices).strip()
                who = html.escape(transcript.speaker_name(p.speaker_id))
                label = f"<b>{who}:</b> " if who and speakers is not False else ""
                blocks.append(f"<p>{label}{html.escape(text)}</p>")
            content, mime = "<html><body>\n" + "\n".join(blocks) + "\n</body></html>\n", \
                "text/html"
        else:
            out.append(None)
            continue
        out.append({"requested_format": name, "file_extension": name, "content_type": mime,
                    "is_base64_encoded": False, "content": content})
    return out


__all__ = ["FormProblem", "SttRequest", "additional_formats", "parse_form"]
