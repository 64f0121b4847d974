"""Request bodies for the music endpoints, and the `/v1/music/detailed` reply.

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

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
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
from app.domain.music_plan_json import PlanFormatError, plan_from_json
from app.domain.music_plan_write import to_wire_plan
from app.domain.music_section_times import (
    plan_times_problem,
    refused_times_words,
)

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


# --- /v1/music/detailed ---------------------------------------------------------------------


class DetailedResponseError(ValueError):
    """A `/v1/music/detailed` reply that cannot be read; plain words."""


@dataclass(frozen=True)
class WordTiming:
    word: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class DetailedResult:
    """The song and what the server says about it (`DetailedMusicResponse`)."""

    metadata: dict[str, Any]
    song_id: str | None
    section_timings_ms: list[tuple[int, int]]  # (start_ms, end_ms) per plan section
    audio: bytes
    audio_content_type: str | None = None
    filename: str | None = None
    plan: Plan | None = None
    words: list[WordTiming] = field(default_factory=list)

    @property
    def title(self) -> str | None:
        song = self.metadata.get("song_metadata")
        title = song.get("title") if isinstance(song, dict) else None
        return title if isinstance(title, str) else None


def _header_params(value: str) -> tuple[str, dict[str, str]]:
    """`type/sub; a=b; c="d"` → ('type/sub', {'a': 'b', 'c': 'd'})."""
    head, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for match in re.finditer(r'([\w.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))', rest):
        name = match.group(1).lower()
        raw = match.group(2) if match.group(2) is not None else match.group(3)
        params[name] = re.sub(r"\\(.)", r"\1", raw)
    return head.strip().lower(), params


@dataclass(frozen=True)
class _Part:
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return _header_params(self.headers.get("content-type", ""))[0]


def _split_part(raw: bytes) -> _Part:
    if raw.startswith(b"\r\n"):
        return _Part({}, raw[2:])
    if raw.startswith(b"\n"):
        return _Part({}, raw[1:])
    ends = [(i, n) for i, n in ((raw.find(b"\r\n\r\n"), 4), (raw.find(b"\n\n"), 2)) if i >= 0]
    if not ends:
        return _Part({}, raw)
    index, size = min(ends)
    headers: dict[str, str] = {}
    for line in raw[:index].decode("latin-1").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return _Part(headers, raw[index + size :])


def _multipart_parts(body: bytes, boundary: str) -> list[_Part]:
    delimiter = b"--" + boundary.encode("latin-1")
    parts: list[_Part] = []
    if body.startswith(delimiter):
        position = 0
    else:
        position = body.find(b"\n" + delimiter)
        if position < 0:
            raise DetailedResponseError("The reply is cut short: it has no parts.")
        position += 1
    while True:
        after = position + len(delimiter)
        if body[after : after + 2] == b"--":
            break
        line_end = body.find(b"\n", after)
        if line_end < 0:
            break
        start = line_end + 1
        following = body.find(b"\n" + delimiter, start - 1)
        if following < 0:  # no closing delimiter: take the rest
            parts.append(_split_part(body[start:]))
            break
        raw = body[start:following]
        parts.append(_split_part(raw.removesuffix(b"\r")))
        position = following + 1
    return parts


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise DetailedResponseError(f"The {what} could not be read (it is not JSON).") from exc
    if not isinstance(data, dict):
        raise DetailedResponseError(f"The {what} should be a JSON object.")
    return data


def _words(metadata: Mapping[str, Any]) -> list[WordTiming]:
    raw = metadata.get("words_timestamps")
    words: list[WordTiming] = []
    if not isinstance(raw, list):
        return words
    for item in raw:
        if not isinstance(item, dict):
            continue
        word, start, end = item.get("word"), item.get("start_ms"), item.get("end_ms")
        if (
            isinstance(word, str)
            and isinstance(start, int | float)
            and isinstance(end, int | float)
            and not isinstance(start, bool)
            and not isinstance(end, bool)
        ):
            try:
                words.append(WordTiming(word, round(start), round(end)))
            except (ValueError, OverflowError):
                continue
    return words


def _result(
    metadata: dict[str, Any],
    audio: bytes,
    song_id: str | None,
    audio_content_type: str | None,
    filename: str | None,
) -> DetailedResult:
    plan: Plan | None = None
    if "composition_plan" in metadata:
        try:
            plan = plan_from_json({"composition_plan": metadata["composition_plan"]})
        except PlanFormatError:
            plan = None
    timings = plan.section_bounds_ms() if plan is not None else []
    problem = plan_times_problem(plan) if plan is not None else ""
    if problem:
        # The song is kept (it was paid for); its damaged times are not: the timeline,
        # looping and the DAW markers use the plan that was sent instead.
        metadata = {k: v for k, v in metadata.items() if k != "composition_plan"}
        metadata["section_times_refused"] = refused_times_words(problem)
        plan, timings = None, []
    if song_id is None and isinstance(metadata.get("song_id"), str):
        song_id = metadata["song_id"]
    return DetailedResult(
        metadata=metadata,
        song_id=song_id,
        section_timings_ms=timings,
        audio=audio,
        audio_content_type=audio_content_type,
        filename=filename,
        plan=plan,
        words=_words(metadata),
    )


def parse_detailed_response(
    content_type: str, body: bytes, song_id: str | None = None
) -> DetailedResult:
    """Read a `/v1/music/detailed` reply: `multipart/mixed` with a JSON metadata part and
    an audio part (the API), a JSON object with `audio_base64` beside the metadata, or
    bare audio. `song_id` is the `song-id` response header, if any. Raises
    DetailedResponseError, and nothing else, when the reply cannot be read."""
    try:
        return _parse_detailed(content_type, bytes(body), song_id)
    except DetailedResponseError:
        raise
    except (ValueError, TypeError, IndexError, RecursionError) as exc:  # keep the promise
        raise DetailedResponseError("The reply could not be read.") from exc


def _parse_detailed(content_type: str, body: bytes, song_id: str | None) -> DetailedResult:
    media_type, params = _header_params(content_type or "")
    if media_type.startswith("multipart/"):
        boundary = params.get("boundary")
        if not boundary:
            raise DetailedResponseError("The reply has several parts but does not say how "
                                        "they are separated (no boundary).")
        parts = _multipart_parts(body, boundary)
        meta_part = next((p for p in parts if p.content_type == "application/json"), None)
        if meta_part is None:  # untyped parts: the first one that is a JSON object
            for p in parts:
                if not p.content_type and p.body.lstrip()[:1] == b"{":
                    meta_part = p
                    break
        audio_part = next(
            (p for p in parts if p is not meta_part
             and (p.content_type.startswith("audio/") or p.content_type in
                  ("application/octet-stream", ""))),
            None,
        )
        if meta_part is None:
            raise DetailedResponseError("The reply has no song details (no JSON part).")
        if audio_part is None:
            raise DetailedResponseError("The reply has no audio.")
        metadata = _json_object(meta_part.body.strip(), "song details")
        disposition = _header_params(audio_part.headers.get("content-disposition", ""))[1]
        return _result(
            metadata,
            audio_part.body,
            song_id,
            audio_part.content_type or None,
            disposition.get("filename"),
        )
    if media_type == "application/json":
        metadata = _json_object(body, "reply")
        encoded = metadata.pop("audio_base64", None)
        if not isinstance(encoded, str):
            raise DetailedResponseError("The reply has no audio.")
        try:
            audio = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise DetailedResponseError("The reply's audio is damaged (bad base64).") from exc
        return _result(metadata, audio, song_id, None, None)
    if media_type.startswith("audio/") or media_type == "application/octet-stream":
        return _result({}, body, song_id, media_type, None)
    raise DetailedResponseError(
        f"The reply is {media_type or 'of no stated type'}, not a song with its details."
    )


def build_detailed_response(
    metadata: Mapping[str, Any],
    audio: bytes,
    *,
    boundary: str,
    audio_content_type: str = "audio/mpeg",
    filename: str = "song.mp3",
) -> tuple[str, bytes]:
    """The `multipart/mixed` reply of `/v1/music/detailed` as (content type, body), for the
    local engine and tests. The JSON sits on one line after its part headers, as the
    SDK's parser expects."""
    head = f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode()
    meta = json.dumps(metadata, ensure_ascii=False, separators=(",", ":")).encode()
    audio_head = (
        f"\r\n--{boundary}\r\nContent-Type: {audio_content_type}\r\n"
        f'Content-Disposition: attachment; filename="{filename}"\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return f"multipart/mixed; boundary={boundary}", head + meta + audio_head + audio + tail
