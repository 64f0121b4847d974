"""A stand-in for the ElevenLabs cloud, strictly for tests.

    cloud = CloudServer()
    with run_server(cloud) as base_url:
        control = CloudControl(base_url)
        control.add_faults({"path_regex": "^/v1/models$", "fault": "503", "retry_after": 0.1})
        ...
        control.requests()   # what the client sent (key replaced by its hash)

What it plays:
- every request is checked against the vendored OpenAPI subset (tests/support/spec.py);
  a request that breaks it gets 422 in FastAPI's shape, before authentication (as the
  real API does);
- `xi-api-key` must name a known account (401 `invalid_api_key` otherwise); each
  account has a plan tier (formats above the plan give 403), a character quota (401
  `quota_exceeded`) and a concurrency limit (429 `too_many_concurrent_requests`);
- text to speech returns real audio: a tone encoded in the requested format (MP3/Opus/
  WAV with soundfile, PCM/u-law/a-law raw), streamed in chunks with a small delay;
  headers `request-id`, `character-cost`, `current-concurrent-requests`, ...
- speech to text (`POST /v1/speech-to-text`, multipart, checked field by field; get and
  delete a transcript by id) answers with transcripts in the API's shapes; music
  (`/v1/music`, `/stream`, `/detailed` as multipart/mixed, `/plan`) with real audio and
  a `song-id` header (with `music_section_drift_ms` configured, a song's sections come
  out longer or shorter than planned, and a detailed reply says so; with
  `music_section_ms`, a detailed reply gives those section lengths); music for videos
  (`/v1/music/video-to-music`, multipart: cloud_video.py) as long as the videos. All
  charge the same quota and have their own concurrency limits;
- `stats.generations` counts, per operation, the work the server did (and charged);
  `stats.max_requests_in_flight` the most speech and dialogue requests it was answering
  at once, refused ones included;
- faults injected per request through `POST /_test/faults` (see FAULTS).

Control endpoints (no key needed): `POST /_test/faults`, `GET /_test/faults`,
`GET /_test/requests`, `GET /_test/stats`, `POST /_test/reset`, `POST /_test/accounts`,
`POST /_test/config`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import copy
import email.parser
import email.policy
import hashlib
import io
import json
import math
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import numpy as np
import soundfile as sf
from jsonschema.exceptions import best_match

from app.domain.formats import Codec, OutputFormat
from app.domain.music_detailed import build_detailed_response
from app.domain.music_plan_rework import rework_wire_plan
from tests.support import spec as spec_module
from tests.support.cloud_alignment import ALIGNMENT_OPERATION, alignment_reply
from tests.support.cloud_dialogue import DIALOGUE_OPERATIONS, dialogue_reply
from tests.support.cloud_dictionaries import (
    DICTIONARY_OPERATIONS,
    FILE_OPERATION,
    dictionary_reply,
    from_file_reply,
    locator_problem,
)
from tests.support.cloud_finetunes import FINETUNES_OPERATION, finetunes_reply
from tests.support.cloud_history import HISTORY_OPERATIONS, history_reply
from tests.support.cloud_music_stream import DETAILED_STREAM_OPERATION, detailed_stream_reply
from tests.support.cloud_songs import remember_song, unknown_song_reply
from tests.support.cloud_stems import STEM_OPERATION, stems_reply
from tests.support.cloud_upload import UPLOAD_OPERATION, upload_reply
from tests.support.cloud_video import VIDEO_OPERATION, video_to_music_reply
from tests.support.servers import ABORT_EXTENSION
from tests.support.spec import (
    ContractError,
    find_operation,
    request_body_schema,
    validate_request,
)

SAMPLES = Path(__file__).resolve().parent.parent / "contract" / "samples"

FREE_KEY = "xi-test-free"
STARTER_KEY = "xi-test-starter"
CREATOR_KEY = "xi-test-creator"
PRO_KEY = "xi-test-pro"

PLANS = ("free", "starter", "creator", "pro", "scale", "business", "enterprise")
PLAN_CONCURRENCY = {"free": 2, "starter": 3, "creator": 5, "pro": 10, "scale": 15,
                    "business": 15, "enterprise": 30}
PLAN_CHARACTERS = {"free": 10_000, "starter": 30_000, "creator": 100_000, "pro": 500_000,
                   "scale": 2_000_000, "business": 11_000_000, "enterprise": 50_000_000}

# Faults that replace the answer, and faults that spoil a real answer's body.
STATUS_FAULTS = ("400", "401", "402", "403", "404", "422", "429", "500", "502", "503")
PRE_FAULTS = ("stall_before_headers", "invalid_json", "wrong_content_type", "huge_body",
              "redirect_to_other_host", "close_connection", "error_in_audio", "no_route",
              "json_body", "no_content", "raw_body")
# `gzip_cut_off`: the answer gzip-compressed and only its first half sent, framed as a
# whole answer (what a proxy that cut it short passes on): only gzip knows it ended early.
BODY_FAULTS = ("stall_mid_body", "truncated_body", "gzip_cut_off")
# The work is done and charged, then its answer is spoiled: a 200 whose body is `body`
# (JSON; default an object of no known shape) with the charge in `character-cost`.
CHARGED_FAULTS = ("charged_malformed",)
FAULTS = ("status", *STATUS_FAULTS, *PRE_FAULTS, *BODY_FAULTS, *CHARGED_FAULTS)

GENERATION_PATHS = ("/v1/text-to-speech/", "/v1/text-to-dialogue")

TTS_OPERATIONS = {
    "text_to_speech_full": (False, False),  # (streamed, with timestamps)
    "text_to_speech_stream": (True, False),
    "text_to_speech_full_with_timestamps": (False, True),
    "text_to_speech_stream_with_timestamps": (True, True),
}


# -- data ------------------------------------------------------------------------------

@dataclass
class Account:
    key: str
    tier: str = "creator"
    character_limit: int = 100_000
    character_count: int = 0
    concurrency_limit: int = 5
    in_flight: int = 0

    @classmethod
    def for_plan(cls, key: str, tier: str, **overrides: Any) -> Account:
        account = cls(key, tier, PLAN_CHARACTERS.get(tier, 100_000), 0,
                      PLAN_CONCURRENCY.get(tier, 5))
        for name, value in overrides.items():
            if value is not None:
                setattr(account, name, value)
        return account


def extra_models() -> list[dict[str, Any]]:
    """Models listed besides the sample's three (eleven_multilingual_v2, eleven_flash_v2_5,
    eleven_v3): a v3 variant that speaks text but that text to dialogue refuses (see
    `CloudConfig.dialogue_models`), and a speech-to-speech model that speaks no text."""
    v3 = next(m for m in _sample("models_list.json") if m["model_id"] == "eleven_v3")
    conversational = {**copy.deepcopy(v3), "model_id": "eleven_v3_conversational",
                      "name": "Eleven v3 Conversational",
                      "description": "Eleven v3 tuned for live conversation."}
    sts = {**copy.deepcopy(v3), "model_id": "eleven_multilingual_sts_v2",
           "name": "Eleven Multilingual v2 (speech to speech)",
           "description": "Changes the voice of a recording.",
           "can_do_text_to_speech": False, "can_do_voice_conversion": True}
    return [conversational, sts]


def default_accounts() -> dict[str, Account]:
    return {
        FREE_KEY: Account.for_plan(FREE_KEY, "free"),
        STARTER_KEY: Account.for_plan(STARTER_KEY, "starter"),
        CREATOR_KEY: Account.for_plan(CREATOR_KEY, "creator"),
        PRO_KEY: Account.for_plan(PRO_KEY, "pro"),
    }


@dataclass
class Fault:
    path_regex: str
    fault: str
    method: str | None = None
    count: int = 1
    status: int | None = None
    retry_after: float | None = None
    code: str | None = None
    seconds: float = 30.0
    location: str | None = None
    size: int = 40 * 1024 * 1024
    declare_length: bool = False
    # For a 422: the field errors to answer with (FastAPI's `loc`/`msg`/`type` items),
    # as the cloud does for a rule the schema does not show (a style it refuses, say).
    errors: list[dict[str, Any]] | None = None
    # For `json_body`: a 200 `application/json` answer with this body (JSON-encoded; None
    # sends an empty body), e.g. a with-timestamps answer whose alignment is damaged.
    body: Any = None
    # For `raw_body`: a 200 answer of exactly these bytes (base64 here, so anything can be
    # sent: invalid UTF-8, a BOM, duplicate keys, trailing garbage), with `headers`
    # (default a JSON content type): what a broken or hostile server can send.
    raw_base64: str | None = None
    headers: dict[str, str] | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fault:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        fault = cls(**known)
        fault.fault = str(fault.fault)
        if fault.fault.isdigit():
            fault.status = int(fault.fault)
            fault.fault = "status"
        if fault.fault not in FAULTS:
            raise ValueError(f"unknown fault {fault.fault!r}; known: {', '.join(FAULTS)}")
        if fault.fault == "status" and not fault.status:
            raise ValueError("a status fault needs `status`")
        re.compile(fault.path_regex)
        return fault

    def matches(self, method: str, path: str) -> bool:
        return (self.count > 0 and (self.method is None or self.method.upper() == method)
                and re.search(self.path_regex, path) is not None)


@dataclass
class CloudConfig:
    chunk_bytes: int = 2048
    chunk_delay_s: float = 0.005
    seconds_per_char: float = 0.05
    min_seconds: float = 0.4
    max_seconds: float = 8.0
    extra_voices: int = 101  # with the 3 sample voices: two pages at page_size=100
    stem_delay_s: float = 0.0  # holds stem separations back (cloud_stems.py)
    # The section lengths a detailed answer says the song really got, in order (the real
    # service does not always keep a plan's lengths); None: as asked. Its returned plan
    # and its streamed section times both follow them.
    music_section_ms: list[int] | None = None
    # Per section of a composed plan, how many ms longer (negative: shorter) the song's
    # sections come out than the plan asked, as the real service's often do: the audio
    # and the plan a detailed reply says it followed both take these lengths.
    music_section_drift_ms: list[int] = field(default_factory=list)
    # Models text to dialogue takes; a dialogue with any other is refused (400
    # `unsupported_model`, cloud_dialogue.py) even when /v1/models lists it.
    dialogue_models: tuple[str, ...] = ("eleven_v3",)
    # Accepted speech and dialogue answers start this late, so requests overlap as they
    # do against the real service (concurrency tests).
    work_delay_s: float = 0.0


@dataclass
class Stats:
    generations: dict[str, int] = field(default_factory=dict)
    in_flight: int = 0
    max_in_flight: int = 0
    completed: int = 0
    disconnects: int = 0
    # Speech and dialogue requests being answered right now, from arrival to the end of
    # the answer, refused ones (429, faults) included: what "requests at once" the
    # client really made, which `in_flight` (accepted work only) does not show.
    requests_in_flight: int = 0
    max_requests_in_flight: int = 0
    # Answers held by `stall_mid_body` after part of their body was sent: the client
    # has the headers (it was charged) and is waiting for the rest.
    stalled_mid_body: int = 0


# -- catalogue -------------------------------------------------------------------------

def _sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text())


def build_voices(extra: int) -> list[dict[str, Any]]:
    voices = _sample("voices_v2_page.json")["voices"]
    template = voices[0]
    for index in range(extra):
        voice = copy.deepcopy(template)
        voice["voice_id"] = f"testVoice{index:04d}xxxxxxx"[:20]
        voice["name"] = f"Test Voice {index:03d}"
        voice["category"] = "cloned" if index % 3 == 0 else "generated"
        voice["description"] = "A voice made up for tests."
        voice["preview_url"] = None
        voice["labels"] = {"gender": "female" if index % 2 else "male", "language": "en",
                           "accent": "neutral", "age": "young"}
        voices.append(voice)
    return voices


# -- audio -----------------------------------------------------------------------------

@lru_cache(maxsize=64)
def encode_tone(output_format: str, seconds: float, frequency_hz: float = 440.0) -> bytes:
    """A short sine tone, fading in and out, encoded as the API would send it."""
    fmt = OutputFormat.parse(output_format)
    rate = fmt.sample_rate_hz
    frames = max(1, int(rate * seconds))
    t = np.arange(frames, dtype=np.float64) / rate
    samples = 0.3 * np.sin(2 * np.pi * frequency_hz * t)
    fade = min(frames // 4, int(0.02 * rate))
    if fade:
        ramp = np.linspace(0.0, 1.0, fade)
        samples[:fade] *= ramp
        samples[-fade:] *= ramp[::-1]
    data = samples.astype(np.float32)
    if fmt.codec is Codec.PCM:
        return bytes((np.clip(data, -1, 1) * 32767).astype("<i2").tobytes())
    buffer = io.BytesIO()
    if fmt.codec is Codec.MP3:
        sf.write(buffer, data, rate, format="MP3", subtype="MPEG_LAYER_III")
    elif fmt.codec is Codec.OPUS:
        sf.write(buffer, data, rate, format="OGG", subtype="OPUS")
    elif fmt.codec is Codec.WAV:
        sf.write(buffer, data, rate, format="WAV", subtype="PCM_16")
    elif fmt.codec is Codec.ULAW:
        sf.write(buffer, data, rate, format="RAW", subtype="ULAW")
    elif fmt.codec is Codec.ALAW:
        sf.write(buffer, data, rate, format="RAW", subtype="ALAW")
    return buffer.getvalue()


def _alignment(chars: list[str], start_s: float, end_s: float) -> dict[str, Any] | None:
    if not chars:
        return None
    step = (end_s - start_s) / len(chars)
    starts = [round(start_s + i * step, 3) for i in range(len(chars))]
    ends = [round(start_s + (i + 1) * step, 3) for i in range(len(chars))]
    return {"characters": chars, "character_start_times_seconds": starts,
            "character_end_times_seconds": ends}


# -- replies ---------------------------------------------------------------------------

@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes = b""
    streamed: bool = False
    chunk_bytes: int = 2048
    chunk_delay_s: float = 0.0
    on_done: Callable[[bool], None] | None = None  # called with "client disconnected"
    delay_s: float = 0.0  # the answer starts this late (the work taking its time)

    def chunks(self) -> list[bytes]:
        if not self.streamed:
            return [self.body] if self.body else []
        size = max(1, self.chunk_bytes)
        return [self.body[i:i + size] for i in range(0, len(self.body), size)]


def json_reply(status: int, data: Any, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, {"content-type": "application/json", **(headers or {})},
                 json.dumps(data).encode())


def error_reply(status: int, code: str, message: str, *, new_shape: bool = False,
                headers: dict[str, str] | None = None, param: str | None = None) -> Reply:
    """An error in the API's object shape: legacy `{status, message}` or the newer one."""
    detail: dict[str, Any] = {"status": code, "message": message}
    if new_shape:
        kinds = {401: "authentication_error", 403: "authorization_error", 404: "not_found_error",
                 429: "rate_limit_error"}
        codes = {"invalid_api_key": "unauthorized",
                 "too_many_concurrent_requests": "concurrent_limit_exceeded"}
        detail = {"type": kinds.get(status, "invalid_request_error"),
                  "code": codes.get(code, code), "message": message, "status": code,
                  "request_id": uuid.uuid4().hex}
    if param:
        detail["param"] = param
    return json_reply(status, {"detail": detail}, headers)


def validation_reply(errors: list[dict[str, Any]]) -> Reply:
    detail = [{"type": e.get("type", "value_error"), "loc": list(e.get("loc", [])),
               "msg": e.get("msg", "invalid")} for e in errors]
    return json_reply(422, {"detail": detail})


def status_fault_reply(fault: Fault, path: str = "") -> Reply:
    status = int(fault.status or 500)
    headers: dict[str, str] = {}
    if fault.retry_after is not None:
        headers["retry-after"] = f"{fault.retry_after:g}"
    if status == 422:
        return validation_reply(fault.errors or [{"loc": ["body", "text"],
                                                  "msg": "Field required", "type": "missing"}])
    if status == 502:
        return Reply(502, {"content-type": "text/html", **headers},
                     b"<html><body><h1>502 Bad Gateway</h1></body></html>")
    known = {
        400: ("max_character_limit_exceeded", "The text is too long for this model.", False),
        401: ("invalid_api_key", "Invalid API key", True),
        402: ("payment_required", "This voice needs a paid plan.", False),
        403: ("only_for_creator+", "This feature needs the Creator plan or above.", False),
        404: ("voice_not_found", "A voice with this id was not found.", False),
        429: ("system_busy", "We are currently experiencing high traffic. Please try again "
              "later.", False),
        500: ("internal_server_error", "An internal error happened.", False),
        503: ("service_unavailable", "The service is temporarily unavailable.", False),
    }
    code, message, new_shape = known.get(status, ("error", f"HTTP {status}", False))
    if status == 404 and not path.startswith(("/v1/text-to-speech/", "/v1/voices", "/v2/voices")):
        code, message = "not_found", "The requested resource was not found."
    if fault.code:
        code = fault.code
        if code in ("too_many_concurrent_requests", "concurrent_limit_exceeded"):
            code, message, new_shape = ("too_many_concurrent_requests",
                                        "Too many concurrent requests.", True)
        if code == "quota_exceeded":
            message = "This request exceeds your quota."
        if code == "missing_permissions":  # as in samples/error_401_missing_permissions.json
            message, new_shape = ("The API key you used is missing the permission "
                                  "models_read to execute this operation."), False
    return error_reply(status, code, message, new_shape=new_shape, headers=headers)


# -- speech to text and music (added for the reliability suite) ------------------------
#
# Played like the rest: the request is checked against the spec (the STT form field by
# field, after coercing its text values to the schema's types), the key must name an
# account, credits come out of the same quota, and each kind of work has its own
# per-plan concurrency limit (shared/api/ELEVENLABS_API.md §0). Replies are real: a
# transcript in the API's shape (tests/contract/samples), a tone encoded as the asked
# format for music, `multipart/mixed` for `/v1/music/detailed`, a plan for `/plan`.

STT_OPERATIONS = ("speech_to_text", "get_transcript_by_id", "delete_transcript_by_id")
MUSIC_OPERATIONS = {  # operation id: (streamed, detailed)
    "generate": (False, False),
    "stream_compose": (True, False),
    "compose_detailed": (False, True),
    DETAILED_STREAM_OPERATION: (True, True),  # Server-Sent Events: cloud_music_stream.py
}
MUSIC_PLAN_OPERATION = "compose_plan"
STT_CONCURRENCY = {"free": 10, "starter": 15, "creator": 25, "pro": 50, "scale": 75,
                   "business": 75, "enterprise": 150}
MUSIC_CONCURRENCY = {"free": 0, "starter": 2, "creator": 2, "pro": 2, "scale": 3,
                     "business": 3, "enterprise": 6}
STT_CREDITS_PER_SECOND = 5
MUSIC_CREDITS_PER_SECOND = 10
MUSIC_DEFAULT_LENGTH_MS = 30_000
STT_FORM_SCHEMA = "Body_Speech_to_Text_v1_speech_to_text_post"


@dataclass
class FormPart:
    name: str
    value: bytes
    filename: str | None = None
    content_type: str | None = None


def parse_multipart_form(content_type: str, body: bytes) -> list[FormPart] | None:
    """The parts of a `multipart/form-data` body, or None when it is not one."""
    if not content_type.lower().startswith("multipart/form-data"):
        return None
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        return None
    parts: list[FormPart] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        explicit_type = part.get("content-type")
        parts.append(FormPart(name, payload if isinstance(payload, bytes) else b"",
                              part.get_filename(),
                              str(explicit_type).split(";")[0].strip().lower()
                              if explicit_type else None))
    return parts


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        resolved = spec_module.load_spec()["components"]["schemas"][ref.rsplit("/", 1)[1]]
        return dict(resolved)
    return schema


def _schema_types(schema: dict[str, Any]) -> list[str]:
    schema = _resolve(schema)
    options = [_resolve(o) for o in schema.get("anyOf", [schema])]
    return [str(o.get("type")) for o in options if o.get("type")]


def _item_types(schema: dict[str, Any]) -> list[str]:
    """The types an array property's items may have."""
    schema = _resolve(schema)
    for option in (_resolve(o) for o in schema.get("anyOf", [schema])):
        if option.get("type") == "array":
            return _schema_types(option.get("items", {}))
    return []


def _coerce_form_text(text: str, types: list[str]) -> Any:
    for kind in types:
        try:
            if kind == "integer":
                return int(text)
            if kind == "number":
                return float(text)
        except ValueError:
            continue
        if kind == "boolean" and text in ("true", "false"):
            return text == "true"
        if kind in ("array", "object") and "string" not in types:
            with contextlib.suppress(ValueError):
                return json.loads(text)
    return text


def form_instance(parts: list[FormPart], schema_name: str = STT_FORM_SCHEMA
                  ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The form as a JSON instance of the spec's body schema, and any part that cannot be
    read (a JSON part that is not JSON)."""
    schema = spec_module.load_spec()["components"]["schemas"][schema_name]
    properties: dict[str, Any] = schema.get("properties", {})
    instance: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for part in parts:
        types = _schema_types(properties.get(part.name, {}))
        value: Any
        if part.filename is not None:
            value = f"<file {part.filename}: {len(part.value)} bytes>"
        elif part.content_type == "application/json":
            try:
                value = json.loads(part.value)
            except ValueError:
                errors.append({"loc": ["body", part.name], "msg": "JSON decode error",
                               "type": "json_invalid"})
                continue
        elif "array" in types and "string" not in types:
            # A repeated field (tags=a&tags=b) or one JSON list: each text item is read by
            # the items' own types (a tag "1990" stays the string "1990").
            text = part.value.decode("utf-8", errors="replace")
            try:
                value = json.loads(text)
            except ValueError:
                value = None
            if not isinstance(value, list):
                value = _coerce_form_text(text, _item_types(properties.get(part.name, {})))
        else:
            value = _coerce_form_text(part.value.decode("utf-8", errors="replace"), types)
        if "array" in types and "string" not in types:
            existing = instance.setdefault(part.name, [])
            if isinstance(value, list):
                existing.extend(value)
            else:
                existing.append(value)
        elif part.name in instance:
            errors.append({"loc": ["body", part.name], "msg": "given more than once",
                           "type": "value_error"})
        else:
            instance[part.name] = value
    return instance, errors


def _audio_seconds(data: bytes, file_format: str | None) -> float:
    """How long an uploaded file plays (estimated from its size when it cannot be read)."""
    if file_format == "pcm_s16le_16":
        return len(data) / 32_000
    try:
        info = sf.info(io.BytesIO(data))
        return float(info.frames) / float(info.samplerate or 1)
    except Exception:  # any container soundfile cannot read: guess from the size
        return len(data) / 16_000


def _plan_duration_ms(plan: dict[str, Any]) -> int:
    total = 0
    for section in plan.get("sections") or []:
        total += int(section.get("duration_ms") or 0)
    for chunk in plan.get("chunks") or []:
        if "duration_ms" in chunk:
            total += int(chunk.get("duration_ms") or 0)
        elif isinstance(chunk.get("range"), dict):
            total += int(chunk["range"].get("end_ms", 0)) - int(chunk["range"].get("start_ms", 0))
    return total


def _with_lengths(plan: dict[str, Any], lengths_ms: list[int]) -> dict[str, Any]:
    """A copy of a wire plan with its sections' (or chunks') lengths replaced in order (a
    chunk given as a range keeps it)."""
    plan = copy.deepcopy(plan)
    for item, length in zip(plan.get("sections") or plan.get("chunks") or [], lengths_ms,
                            strict=False):
        if "range" not in item:
            item["duration_ms"] = int(length)
    return plan
def drifted_plan(plan: dict[str, Any], drift_ms: list[int]) -> dict[str, Any]:
    """`plan` with its n-th section or chunk `drift_ms[n]` longer, within the spec's
    3-120 s a section (CloudConfig.music_section_drift_ms)."""
    drifted = copy.deepcopy(plan)
    items = [*(drifted.get("sections") or []), *(drifted.get("chunks") or [])]
    for item, drift in zip(items, drift_ms, strict=False):
        if isinstance(item, dict) and "duration_ms" in item:
            item["duration_ms"] = max(3000, min(120_000, int(item["duration_ms"]) + drift))
    return drifted


def _plan_lines(plan: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for section in plan.get("sections") or []:
        lines += [str(line) for line in section.get("lines") or []]
    for chunk in plan.get("chunks") or []:
        for line in str(chunk.get("text") or "").splitlines():
            if line and not line.startswith(("[", "{")):
                lines.append(line)
    return lines


class SpeechToTextAndMusic:
    """The handlers of `CloudServer` for STT and music (a mixin: it uses the server's
    lock, accounts, stats, config and `_ok`)."""

    lock: threading.Lock
    accounts: dict[str, Account]
    stats: Stats
    config: CloudConfig
    _stt_music: dict[str, Any]

    def _ok(self, data: Any) -> Reply:  # pragma: no cover - CloudServer's
        raise NotImplementedError

    def _stt_music_state(self) -> dict[str, Any]:
        return self._stt_music  # set by CloudServer.reset()

    # -- shared ------------------------------------------------------------------------
    def _account_for(self, headers: dict[str, str]) -> Account | Reply:
        key = headers.get("xi-api-key")
        if key is None:
            return error_reply(401, "needs_authorization", "Neither authorization header "
                               "nor xi-api-key received, please provide one.")
        with self.lock:
            account = self.accounts.get(key)
        if account is None:
            return error_reply(401, "invalid_api_key", "Invalid API key", new_shape=True)
        return account

    def _start_work(self, account: Account, kind: str, op_id: str, cost: int,
                    limit: int) -> Reply | Callable[[bool], None]:
        """Charge and count one piece of work, or the error that refuses it."""
        in_flight: dict[tuple[str, str], int] = self._stt_music_state()["in_flight"]
        with self.lock:
            left = account.character_limit - account.character_count
            if cost > left:
                return error_reply(
                    401, "quota_exceeded",
                    f"This request exceeds your quota of {account.character_limit}. You have "
                    f"{max(0, left)} credits remaining, while {cost} credits are required for "
                    "this request.")
            slot = (account.key, kind)
            if in_flight.get(slot, 0) >= limit:
                return error_reply(429, "too_many_concurrent_requests",
                                   f"Concurrent request limit of {limit} reached.",
                                   new_shape=True)
            in_flight[slot] = in_flight.get(slot, 0) + 1
            account.character_count += cost
            stats = self.stats
            stats.generations[op_id] = stats.generations.get(op_id, 0) + 1
            stats.in_flight += 1
            stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)

        def done(disconnected: bool) -> None:
            with self.lock:
                in_flight[slot] -= 1
                stats.in_flight -= 1
                if disconnected:
                    stats.disconnects += 1
                else:
                    stats.completed += 1

        return done

    # -- speech to text ----------------------------------------------------------------
    def _speech_to_text(self, operation: Any, query: dict[str, list[str]],
                        headers: dict[str, str], body: bytes) -> Reply:
        errors: list[dict[str, Any]] = []
        try:
            spec_module.validate_query(operation, query)
        except ContractError as exc:
            errors += exc.errors
        parts = parse_multipart_form(headers.get("content-type", ""), body)
        if parts is None:
            return validation_reply([*errors, {"loc": ["body"], "msg": "Expected a "
                                               "multipart/form-data body",
                                               "type": "model_attributes_type"}])
        instance, form_errors = form_instance(parts)
        errors += form_errors
        try:
            spec_module.validate_against(spec_module.schema_named(STT_FORM_SCHEMA), instance,
                                         ("body",))
        except ContractError as exc:
            errors += exc.errors
        files = [p for p in parts if p.name == "file" and p.filename is not None]
        sources = len(files) + sum(1 for name in ("cloud_storage_url", "source_url")
                                   if instance.get(name))
        if sources != 1:
            errors.append({"loc": ["body", "file"], "msg": "Exactly one of file, "
                           "cloud_storage_url or source_url must be provided.",
                           "type": "value_error"})
        for name in ("source_url", "cloud_storage_url"):  # a web address the server fetches
            link = instance.get(name)
            if link and not re.fullmatch(r"https?://[^\s/]+\.[^\s/]+(/\S*)?", str(link)):
                errors.append({"loc": ["body", name], "msg": "The URL must be an http(s) "
                               "address of an audio or video file.", "type": "value_error"})
        if errors:
            return validation_reply(errors)
        account = self._account_for(headers)
        if isinstance(account, Reply):
            return account
        audio = files[0].value if files else b""
        if files and not audio:
            return error_reply(400, "invalid_content", "The uploaded file is empty.")
        seconds = _audio_seconds(audio, instance.get("file_format")) if files else 10.0
        if seconds < 0.1:
            return error_reply(400, "audio_too_short",
                               "The audio must be at least 100 ms long.")
        cost = max(1, math.ceil(seconds * STT_CREDITS_PER_SECOND))
        started = self._start_work(account, "stt", "speech_to_text", cost,
                                   STT_CONCURRENCY.get(account.tier, 25))
        if isinstance(started, Reply):
            return started
        transcription_id = f"tr_{uuid.uuid4().hex[:16]}"
        if instance.get("use_multi_channel"):
            transcript = _sample("stt_multichannel.json")
        else:
            transcript = _sample("stt_diarized_word.json")
            if not instance.get("diarize"):
                for word in transcript["words"]:
                    word["speaker_id"] = "speaker_0"
            requested = instance.get("additional_formats") or []
            if requested:
                template = _sample("stt_with_additional_format_srt.json")["additional_formats"][0]
                transcript["additional_formats"] = [
                    {**template, "requested_format": str(item.get("format", "srt")),
                     "file_extension": str(item.get("format", "srt"))}
                    for item in requested if isinstance(item, dict)]
        transcript["transcription_id"] = transcription_id
        transcript["audio_duration_secs"] = round(seconds, 3)
        with self.lock:
            self._stt_music_state()["transcripts"][transcription_id] = transcript
            # What was transcribed: tests check a link went as the spec's source_url.
            self._stt_music_state().setdefault("sources", []).append(
                {name: instance.get(name) for name in ("source_url", "cloud_storage_url")}
                | {"file": files[0].filename if files else None})
        reply_headers = {"request-id": uuid.uuid4().hex, "content-type": "application/json"}
        if instance.get("webhook"):
            ack = {**_sample("stt_webhook_ack.json"), "transcription_id": transcription_id,
                   "request_id": reply_headers["request-id"]}
            return Reply(202, reply_headers, json.dumps(ack).encode(), on_done=started)
        return Reply(200, reply_headers, json.dumps(transcript).encode(), on_done=started)

    def _transcript(self, op_id: str, path: str) -> Reply:
        transcription_id = path.rstrip("/").rsplit("/", 1)[1]
        with self.lock:
            stored = self._stt_music_state()["transcripts"]
            transcript = stored.get(transcription_id)
            if transcript is not None and op_id == "delete_transcript_by_id":
                del stored[transcription_id]
        if transcript is None:
            return json_reply(404, _sample("error_404_transcript.json"))
        if op_id == "delete_transcript_by_id":
            return self._ok({})
        return self._ok(transcript)

    # -- music -------------------------------------------------------------------------
    def _music(self, op_id: str, one: dict[str, str], body: dict[str, Any],
               account: Account) -> Reply:
        model_id = str(body.get("model_id") or "music_v1")
        plan = body.get("composition_plan") or body.get("music_prompt")
        if op_id == MUSIC_PLAN_OPERATION:
            return self._music_plan(body, model_id)
        if body.get("prompt") and plan:
            return validation_reply([{"loc": ["body"], "msg": "Use either prompt or "
                                      "composition_plan, not both.", "type": "value_error"}])
        if not body.get("prompt") and not plan:
            return validation_reply([{"loc": ["body", "prompt"], "msg": "Either prompt or "
                                      "composition_plan is required.", "type": "missing"}])
        if isinstance(plan, dict):
            wants = "sections" if model_id == "music_v1" else "chunks"
            if wants not in plan:
                return validation_reply([{"loc": ["body", "composition_plan"],
                                          "msg": "Invalid type of composition_plan",
                                          "type": "value_error"}])
        missing = unknown_song_reply(self, plan)
        if missing is not None:
            return missing
        limit = MUSIC_CONCURRENCY.get(account.tier, 2)
        if limit <= 0:
            return error_reply(403, "only_for_creator+", "Music generation is not available "
                               "on the free plan.")
        requested = one.get("output_format", "auto")
        if requested == "auto":
            requested = "mp3_44100_128" if model_id == "music_v1" else "mp3_48000_192"
        fmt = OutputFormat.parse(requested)
        needed = fmt.minimum_plan
        if needed is not None and PLANS.index(account.tier) < PLANS.index(needed.lower()):
            return error_reply(403, "output_format_not_allowed",
                               f"The output format {fmt.value} requires the {needed} plan or "
                               "above.", param="output_format")
        length_ms = (_plan_duration_ms(plan) if isinstance(plan, dict)
                     else int(body.get("music_length_ms") or MUSIC_DEFAULT_LENGTH_MS))
        cost = max(1, math.ceil(length_ms / 1000 * MUSIC_CREDITS_PER_SECOND))
        started = self._start_work(account, "music", op_id, cost, limit)
        if isinstance(started, Reply):
            return started
        streamed, detailed = MUSIC_OPERATIONS[op_id]
        if isinstance(plan, dict) and self.config.music_section_drift_ms:
            plan = drifted_plan(plan, self.config.music_section_drift_ms)
            length_ms = _plan_duration_ms(plan)  # charged as asked, made as it came out
        # The tone is capped (tests stay fast); the song's declared length is kept.
        seconds = round(max(self.config.min_seconds,
                            min(self.config.max_seconds, length_ms / 1000)), 1)
        audio = encode_tone(fmt.value, seconds, 330.0)
        song_id = uuid.uuid4().hex[:20]
        remember_song(self, song_id)
        headers = {"request-id": uuid.uuid4().hex, "song-id": song_id,
                   "character-cost": str(cost)}
        config = self.config
        if not detailed:
            headers["content-type"] = fmt.mime_type
            return Reply(200, headers, audio, streamed=streamed,
                         chunk_bytes=config.chunk_bytes,
                         chunk_delay_s=config.chunk_delay_s if streamed else 0.0,
                         on_done=started)
        used_plan = plan if isinstance(plan, dict) else self._sample_plan(model_id, length_ms)
        if config.music_section_ms:
            used_plan = _with_lengths(used_plan, config.music_section_ms)
        metadata = _sample("music_detailed_metadata_part.json")
        metadata["composition_plan"] = used_plan
        words = None
        if body.get("with_timestamps"):
            words, at = [], 0
            step = max(1, length_ms // max(1, len(_plan_lines(used_plan)) * 4))
            for line in _plan_lines(used_plan):
                for word in line.split():
                    words.append({"word": word, "start_ms": at, "end_ms": at + step})
                    at += step
        metadata["words_timestamps"] = words
        if streamed:
            return detailed_stream_reply(metadata, audio, song_id, headers, config, started)
        content_type, payload = build_detailed_response(
            metadata, audio, boundary=uuid.uuid4().hex, audio_content_type=fmt.mime_type,
            filename=f"{song_id}.{fmt.file_extension}")
        headers["content-type"] = content_type
        return Reply(200, headers, payload, on_done=started)

    def _sample_plan(self, model_id: str, length_ms: int | None) -> dict[str, Any]:
        if model_id == "music_v1":
            plan = _sample("music_composition_plan_v1.json")
            items = plan["sections"]
        else:
            plan = _sample("music_composition_plan_v2.json")
            items = plan["chunks"]
        if length_ms:
            total = sum(int(item["duration_ms"]) for item in items)
            for item in items:
                item["duration_ms"] = max(3000, min(120_000, round(
                    int(item["duration_ms"]) * length_ms / total)))
        return plan

    def _music_plan(self, body: dict[str, Any], model_id: str) -> Reply:
        source = body.get("source_composition_plan")
        if isinstance(source, dict):  # reworked by the prompt, as the engine does
            return self._ok(rework_wire_plan(source, str(body.get("prompt", "")), model_id))
        length = body.get("music_length_ms")
        return self._ok(self._sample_plan(model_id, int(length) if length else None))


# -- the app ---------------------------------------------------------------------------

class CloudServer(SpeechToTextAndMusic):
    """The ASGI app. Its state lives here (one instance per test server)."""

    def __init__(self, config: CloudConfig | None = None,
                 accounts: dict[str, Account] | None = None) -> None:
        self._initial_config = config or CloudConfig()
        self.config = copy.copy(self._initial_config)
        self._initial_accounts = accounts
        self.lock = threading.Lock()
        self.models: list[dict[str, Any]] = [*_sample("models_list.json"), *extra_models()]
        self.default_settings: dict[str, Any] = _sample("voice_settings_default.json")
        self.voices: list[dict[str, Any]] = []
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.accounts = (copy.deepcopy(self._initial_accounts) if self._initial_accounts
                             else default_accounts())
            self.faults: list[Fault] = []
            self.requests: list[dict[str, Any]] = []
            self.stats = Stats()
            self.config = copy.copy(self._initial_config)
            self.voices = build_voices(self.config.extra_voices)
            self._stt_music = {"transcripts": {}, "in_flight": {}}  # STT and music state

    # ASGI entry point
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body, whole = await _read_body(receive)
        method = scope["method"].upper()
        path = scope["path"]
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"),
                         keep_blank_values=True)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        if path.startswith("/_test/"):
            await self._send(scope, receive, send, self._control(method, path, body), None)
            return

        self._record(method, path, query, headers, body)
        if not whole:  # the client went away mid-body: no request to answer (or charge)
            return
        counted = method == "POST" and path.startswith(GENERATION_PATHS)
        stats = self.stats  # this request's, even after a reset
        if counted:
            with self.lock:
                stats.requests_in_flight += 1
                stats.max_requests_in_flight = max(stats.max_requests_in_flight,
                                                   stats.requests_in_flight)
        try:
            await self._answer(scope, receive, send, method, path, query, headers, body)
        finally:
            if counted:
                with self.lock:
                    stats.requests_in_flight -= 1

    async def _answer(self, scope: dict[str, Any], receive: Any, send: Any, method: str,
                      path: str, query: dict[str, list[str]], headers: dict[str, str],
                      body: bytes) -> None:
        fault = self._take_fault(method, path)
        pre = fault if fault is not None and fault.fault not in (
            *BODY_FAULTS, *CHARGED_FAULTS) else None
        body_fault = fault if fault is not None and fault.fault in BODY_FAULTS else None
        charged = fault if fault is not None and fault.fault in CHARGED_FAULTS else None

        if pre is not None:
            done = await self._pre_fault(scope, receive, send, pre)
            if done:
                return
        used_before = self._characters_used()
        reply = self._handle(method, path, query, headers, body)
        if charged is not None and 200 <= reply.status < 300:
            cost = self._characters_used() - used_before
            spoiled = {"unexpected": "shape"} if charged.body is None else charged.body
            reply = Reply(200, {**reply.headers, "content-type": "application/json",
                                "character-cost": str(cost)},
                          json.dumps(spoiled).encode(), on_done=reply.on_done)
        if reply.status == 200 and path.startswith(GENERATION_PATHS):
            reply.delay_s = self.config.work_delay_s
        await self._send(scope, receive, send, reply, body_fault)

    def _characters_used(self) -> int:
        with self.lock:
            return sum(a.character_count for a in self.accounts.values())

    # -- recording and faults --------------------------------------------------------
    def _record(self, method: str, path: str, query: dict[str, list[str]],
                headers: dict[str, str], body: bytes) -> None:
        key = headers.get("xi-api-key")
        parsed: Any = None
        if body and headers.get("content-type", "").startswith("application/json"):
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
        entry = {
            "method": method,
            "path": path,
            "query": query,
            "headers": {k: v for k, v in headers.items() if k != "xi-api-key"},
            "has_key": key is not None,
            "key_sha256": hashlib.sha256(key.encode()).hexdigest() if key is not None else None,
            "json": parsed,
            "content_type": headers.get("content-type"),
            "body_size": len(body),
        }
        with self.lock:
            self.requests.append(entry)

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.matches(method, path):
                    fault.count -= 1
                    if fault.count <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    async def _pre_fault(self, scope: dict[str, Any], receive: Any, send: Any,
                         fault: Fault) -> bool:
        """Play a fault that replaces the answer; False means "now answer normally"."""
        kind = fault.fault
        if kind == "status":
            await self._send(scope, receive, send,
                             status_fault_reply(fault, str(scope.get("path", ""))), None)
        elif kind == "stall_before_headers":
            disconnected = asyncio.Event()
            watcher = asyncio.create_task(_watch_disconnect(receive, disconnected))
            try:
                await asyncio.wait_for(disconnected.wait(), fault.seconds)
            except TimeoutError:
                return False
            finally:
                watcher.cancel()
            with self.lock:
                self.stats.disconnects += 1
        elif kind == "invalid_json":
            await self._send(scope, receive, send, Reply(
                200, {"content-type": "application/json"}, b'{"voices": [ {"voice_id": '), None)
        elif kind == "wrong_content_type":
            await self._send(scope, receive, send, Reply(
                200, {"content-type": "text/html; charset=utf-8"},
                b"<html><body>Welcome to the hotel wifi</body></html>"), None)
        elif kind == "huge_body":
            await self._send_huge(receive, send, fault)
        elif kind == "redirect_to_other_host":
            location = fault.location or "http://127.0.0.2:9/stolen"
            await self._send(scope, receive, send, Reply(
                fault.status or 307, {"location": location, "content-type": "text/plain"},
                b"moved"), None)
        elif kind == "error_in_audio":
            # A 200 audio stream that turns into the API's JSON error after some audio.
            error = {"detail": {"status": fault.code or "quota_exceeded",
                                "message": "Audio stopped: this request exceeds your quota."}}
            audio = encode_tone("mp3_44100_128", 0.3)
            if str(scope.get("path", "")).endswith("/with-timestamps"):
                # The timed stream's own format: lines of JSON, then the error as a line.
                line = {"audio_base64": base64.b64encode(audio).decode("ascii"),
                        "alignment": None, "normalized_alignment": None}
                body = (json.dumps(line) + "\n" + json.dumps(error) + "\n").encode()
                reply = Reply(200, {"content-type": "application/json"}, body,
                              streamed=True, chunk_bytes=1024)
            else:
                reply = Reply(200, {"content-type": "audio/mpeg"},
                              audio + json.dumps(error).encode(), streamed=True,
                              chunk_bytes=1024)
            await self._send(scope, receive, send, reply, None)
        elif kind == "json_body":
            content = b"" if fault.body is None else json.dumps(fault.body).encode()
            await self._send(scope, receive, send, Reply(
                200, {"content-type": "application/json"}, content), None)
        elif kind == "raw_body":
            headers = fault.headers if fault.headers is not None else {
                "content-type": "application/json"}
            await self._send(scope, receive, send, Reply(
                200, dict(headers), base64.b64decode(fault.raw_base64 or "")), None)
        elif kind == "no_content":  # 204: success without a body (nor a content type)
            await self._send(scope, receive, send, Reply(204, {}, b""), None)
        elif kind == "no_route":
            # What a server without this route answers (FastAPI's own 404): no error code,
            # unlike the API's "not_found" for a route that exists.
            await self._send(scope, receive, send, Reply(
                404, {"content-type": "application/json"}, b'{"detail":"Not Found"}'), None)
        elif kind == "close_connection":
            abort = (scope.get("extensions") or {}).get(ABORT_EXTENSION)
            if abort is not None:
                abort()
                await asyncio.sleep(0.05)  # let the server see the connection go
        return True

    async def _send_huge(self, receive: Any, send: Any, fault: Fault) -> None:
        headers = [(b"content-type", b"application/json")]
        if fault.declare_length:
            headers.append((b"content-length", str(fault.size).encode()))
        disconnected = asyncio.Event()
        watcher = asyncio.create_task(_watch_disconnect(receive, disconnected))
        try:
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            chunk = b'{"pad": "' + b"x" * (256 * 1024)
            sent = 0
            while sent < fault.size and not disconnected.is_set():
                piece = chunk[: fault.size - sent]
                await send({"type": "http.response.body", "body": piece, "more_body": True})
                sent += len(piece)
                await asyncio.sleep(0)
            if not disconnected.is_set():
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            watcher.cancel()

    # -- sending ---------------------------------------------------------------------
    async def _send(self, scope: dict[str, Any], receive: Any, send: Any, reply: Reply,
                    fault: Fault | None) -> None:
        if fault is not None and fault.fault == "gzip_cut_off":
            import gzip

            packed = gzip.compress(reply.body)
            reply = Reply(reply.status, {**reply.headers, "content-encoding": "gzip"},
                          packed[: len(packed) // 2], on_done=reply.on_done)
            fault = None  # the cut is in the body itself; it is sent as a whole answer
        chunks = reply.chunks()
        headers = dict(reply.headers)
        if not reply.streamed:
            headers["content-length"] = str(len(reply.body))
            if fault is not None and len(reply.body) > 1:
                half = len(reply.body) // 2
                chunks = [reply.body[:half], reply.body[half:]]
        disconnected = asyncio.Event()
        watcher = asyncio.create_task(_watch_disconnect(receive, disconnected))
        try:
            if reply.delay_s:
                await _wait(disconnected, reply.delay_s)
                if disconnected.is_set():
                    return  # the client gave up waiting (`on_done` below says so)
            await send({"type": "http.response.start", "status": reply.status,
                        "headers": [(k.encode(), v.encode()) for k, v in headers.items()]})
            for index, chunk in enumerate(chunks):
                if disconnected.is_set():
                    break
                if fault is not None and index == max(1, len(chunks) // 2):
                    if fault.fault == "truncated_body":
                        abort = (scope.get("extensions") or {}).get(ABORT_EXTENSION)
                        if abort is not None:
                            abort()
                            await asyncio.sleep(0.05)
                        disconnected.set()
                        break
                    if fault.fault == "stall_mid_body":
                        self.stats.stalled_mid_body += 1
                        await _wait(disconnected, fault.seconds)
                        if disconnected.is_set():
                            break
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                if reply.chunk_delay_s:
                    await _wait(disconnected, reply.chunk_delay_s)
            if not disconnected.is_set():
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            watcher.cancel()
            if reply.on_done is not None:
                reply.on_done(disconnected.is_set())

    # -- control endpoints -----------------------------------------------------------
    def _control(self, method: str, path: str, body: bytes) -> Reply:
        try:
            data = json.loads(body) if body else None
        except ValueError:
            return json_reply(400, {"detail": "control endpoints take JSON"})
        try:
            if path == "/_test/faults" and method == "POST":
                items = data.get("faults", []) if isinstance(data, dict) else data
                faults = [Fault.from_json(item) for item in items or []]
                with self.lock:
                    self.faults.extend(faults)
                return json_reply(200, {"added": len(faults)})
            if path == "/_test/faults" and method == "GET":
                with self.lock:
                    return json_reply(200, [asdict(f) for f in self.faults])
            if path == "/_test/requests" and method == "GET":
                with self.lock:
                    return json_reply(200, list(self.requests))
            if path == "/_test/stats" and method == "GET":
                with self.lock:
                    stats = asdict(self.stats)
                    stats["accounts"] = {k: asdict(a) for k, a in self.accounts.items()}
                return json_reply(200, stats)
            if path == "/_test/reset" and method == "POST":
                self.reset()
                return json_reply(200, {"reset": True})
            if path == "/_test/accounts" and method == "POST":
                assert isinstance(data, dict)
                account = Account.for_plan(
                    data["key"], data.get("tier", "creator"),
                    character_limit=data.get("character_limit"),
                    character_count=data.get("character_count"),
                    concurrency_limit=data.get("concurrency_limit"))
                with self.lock:
                    self.accounts[account.key] = account
                return json_reply(200, asdict(account))
            if path == "/_test/config" and method == "POST":
                assert isinstance(data, dict)
                with self.lock:
                    for name, value in data.items():
                        if name in CloudConfig.__dataclass_fields__:
                            setattr(self.config, name, value)
                    if "extra_voices" in data:
                        self.voices = build_voices(self.config.extra_voices)
                return json_reply(200, asdict(self.config))
        except (KeyError, TypeError, ValueError, AssertionError, re.error) as exc:
            return json_reply(400, {"detail": f"bad control request: {exc}"})
        return json_reply(404, {"detail": "no such control endpoint"})

    # -- the API ---------------------------------------------------------------------
    def _handle(self, method: str, path: str, query: dict[str, list[str]],
                headers: dict[str, str], body: bytes) -> Reply:
        try:
            operation = find_operation(method, path)
        except ContractError:
            return json_reply(404, {"detail": "Not Found"})
        if operation.operation_id == "speech_to_text":  # multipart: its own handler
            return self._speech_to_text(operation, query, headers, body)
        if operation.operation_id == FILE_OPERATION:  # multipart too: cloud_dictionaries.py
            return from_file_reply(self, headers, body)
        if operation.operation_id == ALIGNMENT_OPERATION:  # multipart too
            return alignment_reply(self, headers, body)
        if operation.operation_id == STEM_OPERATION:  # multipart too: cloud_stems.py
            return stems_reply(self, operation, query, headers, body)
        if operation.operation_id == UPLOAD_OPERATION:  # multipart: cloud_upload.py
            return upload_reply(self, operation, headers, body)
        if operation.operation_id == VIDEO_OPERATION:  # multipart: cloud_video.py
            return video_to_music_reply(self, operation, query, headers, body)
        parsed: Any = None
        if body:
            content_type = headers.get("content-type", "")
            if not content_type.startswith("application/json"):
                return validation_reply([{"loc": ["body"], "msg": "Expected a JSON body",
                                          "type": "model_attributes_type"}])
            try:
                parsed = json.loads(body)
            except ValueError:
                return validation_reply([{"loc": ["body", 0], "msg": "JSON decode error",
                                          "type": "json_invalid"}])
        try:
            validate_request(method, path, query, parsed)
        except ContractError as exc:
            found = [e for e in exc.errors if e.get("loc", [None])[0] != "body"]
            found += _body_errors(operation, parsed)
            return validation_reply(found or exc.errors or [{"loc": [], "msg": str(exc)}])

        op_id = operation.operation_id
        account: Account | None = None
        if op_id != "get_voice_settings_default":
            key = headers.get("xi-api-key")
            if key is None:
                return error_reply(401, "needs_authorization",
                                   "Neither authorization header nor xi-api-key received, "
                                   "please provide one.")
            with self.lock:
                account = self.accounts.get(key)
            if account is None:
                return error_reply(401, "invalid_api_key", "Invalid API key", new_shape=True)

        one = {k: v[0] for k, v in query.items() if v}
        voice_id = path.split("/")[3] if path.count("/") >= 3 else ""
        if op_id == "get_models":
            return self._ok(self.models)
        if op_id == "get_user_voices_v2":
            return self._voices_page(query, one)
        if op_id == "get_voices":
            return self._ok({"voices": self.voices})
        if op_id in ("get_voice_by_id", "get_voice_settings"):
            voice = self._voice(voice_id)
            if voice is None:
                return _voice_not_found(voice_id)
            if op_id == "get_voice_settings":
                return self._ok(voice.get("settings") or self.default_settings)
            return self._ok(voice)
        if op_id == "get_voice_settings_default":
            return self._ok(self.default_settings)
        if op_id == "get_user_subscription_info":
            assert account is not None
            return self._ok(self._subscription(account))
        if op_id in TTS_OPERATIONS:
            assert account is not None
            return self._speech(op_id, voice_id, one, parsed or {}, account)
        if op_id in DIALOGUE_OPERATIONS:
            assert account is not None
            return dialogue_reply(self, op_id, one, parsed or {}, account)
        if op_id in STT_OPERATIONS:
            return self._transcript(op_id, path)
        if op_id in DICTIONARY_OPERATIONS:
            return dictionary_reply(self, op_id, path, one, parsed or {})
        if op_id in HISTORY_OPERATIONS:
            return history_reply(self, op_id, path, one, parsed or {})
        if op_id == FINETUNES_OPERATION:  # cloud_finetunes.py
            return finetunes_reply()
        if op_id in MUSIC_OPERATIONS or op_id == MUSIC_PLAN_OPERATION:
            assert account is not None
            return self._music(op_id, one, parsed or {}, account)
        return json_reply(404, {"detail": f"{op_id} is not played by the test server"})

    def _ok(self, data: Any) -> Reply:
        return json_reply(200, data, {"request-id": uuid.uuid4().hex})

    def _voice(self, voice_id: str) -> dict[str, Any] | None:
        return next((v for v in self.voices if v["voice_id"] == voice_id), None)

    def _voices_page(self, query: dict[str, list[str]], one: dict[str, str]) -> Reply:
        voices = list(self.voices)
        search = one.get("search", "").lower()
        if search:
            voices = [v for v in voices if search in json.dumps(
                [v["name"], v.get("description"), v.get("labels"), v["category"]]).lower()]
        if one.get("category"):
            voices = [v for v in voices if v["category"] == one["category"]]
        voice_type = one.get("voice_type")
        if voice_type == "default":
            voices = [v for v in voices if v["category"] == "premade"]
        elif voice_type in ("personal", "non-default"):
            voices = [v for v in voices if v["category"] != "premade"]
        if query.get("voice_ids"):
            voices = [v for v in voices if v["voice_id"] in query["voice_ids"]]
        if one.get("sort") == "name":
            voices.sort(key=lambda v: v["name"], reverse=one.get("sort_direction") == "desc")
        size = int(one.get("page_size", "10"))
        start = 0
        token = one.get("next_page_token")
        if token:
            try:
                start = int(base64.urlsafe_b64decode(token.encode()).decode())
            except ValueError:
                return error_reply(400, "invalid_next_page_token", "The page token is not valid.")
        page = voices[start:start + size]
        has_more = start + size < len(voices)
        next_token = (base64.urlsafe_b64encode(str(start + size).encode()).decode()
                      if has_more else None)
        return self._ok({"voices": page, "has_more": has_more, "total_count": len(voices),
                         "next_page_token": next_token})

    def _subscription(self, account: Account) -> dict[str, Any]:
        data = _sample("user_subscription.json")
        data.update(tier=account.tier, character_count=account.character_count,
                    character_limit=account.character_limit,
                    status="free" if account.tier == "free" else "active")
        if account.tier == "free":
            data["next_invoice"] = None
        return data

    def _speech(self, op_id: str, voice_id: str, one: dict[str, str], body: dict[str, Any],
                account: Account) -> Reply:
        streamed, timestamps = TTS_OPERATIONS[op_id]
        if self._voice(voice_id) is None:
            return _voice_not_found(voice_id)
        model_id = body.get("model_id") or "eleven_multilingual_v2"
        model = next((m for m in self.models if m["model_id"] == model_id), None)
        if model is None or not model.get("can_do_text_to_speech", True):
            return error_reply(400, "model_not_found",
                               f"A text to speech model with id {model_id} was not found.",
                               param="model_id")
        problem = locator_problem(self, body)
        if problem is not None:
            return problem
        text: str = body["text"]
        limit = int(model.get("maximum_text_length_per_request", 10_000))
        if len(text) > limit:
            return error_reply(400, "max_character_limit_exceeded",
                               f"This request's text has {len(text)} characters and exceeds "
                               f"the character limit of {limit} characters.")
        fmt = OutputFormat.parse(one.get("output_format", "mp3_44100_128"))
        needed = fmt.minimum_plan
        if needed is not None and PLANS.index(account.tier) < PLANS.index(needed.lower()):
            return error_reply(403, "output_format_not_allowed",
                               f"The output format {fmt.value} requires the {needed} plan or "
                               "above.", param="output_format")
        rates = model.get("model_rates") or {}
        multiplier = (float(rates.get("character_cost_multiplier", 1.0))
                      * float(rates.get("cost_discount_multiplier", 1.0)))
        cost = max(1, math.ceil(len(text) * multiplier))
        with self.lock:
            left = account.character_limit - account.character_count
            if cost > left:
                return error_reply(
                    401, "quota_exceeded",
                    f"This request exceeds your quota of {account.character_limit}. You have "
                    f"{max(0, left)} credits remaining, while {cost} credits are required for "
                    "this request.")
            if account.in_flight >= account.concurrency_limit:
                return error_reply(
                    429, "too_many_concurrent_requests",
                    f"Concurrent request limit of {account.concurrency_limit} reached.",
                    new_shape=True)
            account.in_flight += 1
            account.character_count += cost
            stats = self.stats
            stats.generations[op_id] = stats.generations.get(op_id, 0) + 1
            stats.in_flight += 1
            stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
            in_flight = account.in_flight

        def done(disconnected: bool) -> None:
            with self.lock:  # the objects of this request, even after a reset
                account.in_flight -= 1
                stats.in_flight -= 1
                if disconnected:
                    stats.disconnects += 1
                else:
                    stats.completed += 1

        config = self.config
        seconds = round(min(config.max_seconds,
                            max(config.min_seconds, len(text) * config.seconds_per_char)), 1)
        audio = encode_tone(fmt.value, seconds)
        headers = {
            "request-id": uuid.uuid4().hex,
            "character-cost": str(cost),
            "current-concurrent-requests": str(in_flight),
            "maximum-concurrent-requests": str(account.concurrency_limit),
            "history-item-id": uuid.uuid4().hex[:20],
        }
        if not timestamps:
            headers["content-type"] = fmt.mime_type
            return Reply(200, headers, audio, streamed=streamed, chunk_bytes=config.chunk_bytes,
                         chunk_delay_s=config.chunk_delay_s if streamed else 0.0, on_done=done)
        headers["content-type"] = "application/json"
        chars = list(text)
        if not streamed:
            data = {"audio_base64": base64.b64encode(audio).decode(),
                    "alignment": _alignment(chars, 0.0, seconds),
                    "normalized_alignment": _alignment(chars, 0.0, seconds)}
            return Reply(200, headers, json.dumps(data).encode(), on_done=done)
        pieces = [audio[i:i + config.chunk_bytes]
                  for i in range(0, len(audio), config.chunk_bytes)] or [b""]
        lines = []
        for index, piece in enumerate(pieces):
            lo = len(chars) * index // len(pieces)
            hi = len(chars) * (index + 1) // len(pieces)
            start_s = seconds * index / len(pieces)
            end_s = seconds * (index + 1) / len(pieces)
            part = _alignment(chars[lo:hi], start_s, end_s)
            lines.append(json.dumps({"audio_base64": base64.b64encode(piece).decode(),
                                     "alignment": part, "normalized_alignment": part}) + "\n")
        payload = "".join(lines).encode()
        # Stream one line per chunk: chunk boundaries need not match lines (the client
        # must split on newlines), so use the byte size of an average line.
        line_bytes = max(1, len(payload) // len(lines))
        return Reply(200, headers, payload, streamed=True, chunk_bytes=line_bytes,
                     chunk_delay_s=config.chunk_delay_s, on_done=done)


def _body_errors(operation: Any, body: Any) -> list[dict[str, Any]]:
    """Body errors as FastAPI reports them: the innermost field (through anyOf/oneOf)."""
    schema = request_body_schema(operation, "application/json")
    if body is None or schema is None:
        return []
    found = []
    for error in spec_module._validator(schema).iter_errors(body):
        leaf = best_match([error]) or error
        loc = ["body", *leaf.absolute_path]
        if leaf.validator == "required" and isinstance(leaf.instance, dict):
            found += [{"loc": [*loc, name], "msg": "Field required", "type": "missing"}
                      for name in leaf.validator_value if name not in leaf.instance]
            continue
        found.append({"loc": loc, "msg": leaf.message, "type": str(leaf.validator)})
    return found


def _voice_not_found(voice_id: str) -> Reply:
    return error_reply(404, "voice_not_found", f"A voice with voice_id {voice_id} was not "
                       "found.", new_shape=True, param="voice_id")


async def _read_body(receive: Any) -> tuple[bytes, bool]:
    """The request's body as far as it came, and whether it came whole (False: the
    client disconnected before its end)."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks), False
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks), True


async def _watch_disconnect(receive: Any, disconnected: asyncio.Event) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            disconnected.set()
            return


async def _wait(event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)


# -- the test side ---------------------------------------------------------------------

class CloudControl:
    """Drive a running CloudServer through its control endpoints (sync, for tests)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._http = httpx.Client(base_url=base_url, timeout=10, trust_env=False)

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, payload: Any = None) -> Any:
        response = self._http.request(method, path, json=payload)
        response.raise_for_status()
        return response.json()

    def add_faults(self, *faults: dict[str, Any]) -> None:
        self._call("POST", "/_test/faults", list(faults))

    def faults(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/_test/faults"))

    def requests(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/_test/requests"))

    def stats(self) -> dict[str, Any]:
        return dict(self._call("GET", "/_test/stats"))

    def reset(self) -> None:
        self._call("POST", "/_test/reset")

    def set_account(self, key: str, tier: str = "creator", **fields: Any) -> dict[str, Any]:
        return dict(self._call("POST", "/_test/accounts", {"key": key, "tier": tier, **fields}))

    def configure(self, **fields: Any) -> dict[str, Any]:
        return dict(self._call("POST", "/_test/config", fields))


__all__ = [
    "CREATOR_KEY",
    "FAULTS",
    "FREE_KEY",
    "PRO_KEY",
    "STARTER_KEY",
    "Account",
    "CloudConfig",
    "CloudControl",
    "CloudServer",
    "Fault",
    "FormPart",
    "SpeechToTextAndMusic",
    "encode_tone",
    "parse_multipart_form",
]
