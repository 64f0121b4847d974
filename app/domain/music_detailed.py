"""The `/v1/music/detailed` reply: a `multipart/mixed` answer of the song's details (JSON)
and its audio, read into a `DetailedResult` (`parse_detailed_response`), and built for the
local engine and tests (`build_detailed_response`). Request bodies: music_request.py."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.domain.music_plan import Plan
from app.domain.music_plan_json import PlanFormatError, plan_from_json
from app.domain.music_section_times import (
    plan_times_problem,
    refused_times_words,
)


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
