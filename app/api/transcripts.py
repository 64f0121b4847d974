"""Speech to text: create a transcript from a file or a web address, fetch one by id,
delete one.

    POST   /v1/speech-to-text                              multipart -> transcript JSON
           (a `file` part, or a `source_url` field: see `create_from_url`)
    GET    /v1/speech-to-text/transcripts/{transcription_id}
    DELETE /v1/speech-to-text/transcripts/{transcription_id}

The audio is streamed from disk, never read into memory: httpx reads the `UploadFile`
wrapper 64 KB at a time while it sends, and each read reports progress. The options are
checked (`TranscriptionOptions.validate`) before anything is sent; the form fields come
from `TranscriptionOptions.to_form_fields`, JSON-valued fields as parts typed
application/json (`JSON_PART_FIELDS`), as the official SDK sends them.
"""

from __future__ import annotations

import mimetypes
from dataclasses import replace
from pathlib import Path
from typing import Any

from app.api._parse import path_part
from app.api.client import ApiClient, ResponseInfo
from app.api.errors import ApiProtocolError
from app.api.upload_file import ProgressCallback, UploadFile
from app.domain.stt_options import JSON_PART_FIELDS, TranscriptionOptions

#: The API's upper limit for an uploaded file (spec 2026: "less than 5.0GB").
MAX_UPLOAD_BYTES = 5 * 1000**3

_EXTRA_TYPES = {
    ".opus": "audio/ogg", ".m4a": "audio/mp4", ".aac": "audio/aac", ".flac": "audio/flac",
    ".webm": "video/webm", ".mkv": "video/x-matroska", ".mov": "video/quicktime",
    ".mp4": "video/mp4", ".wav": "audio/wav", ".mp3": "audio/mpeg", ".ogg": "audio/ogg",
}


class TranscriptionOptionsError(ValueError):
    """The options (or the file) cannot be sent; `problems` says why in plain words,
    the settings' first, then the file's (`file_problems`, also listed on their own so
    a message can say which of the two needs changing)."""

    def __init__(self, problems: list[str], file_problems: list[str] | None = None) -> None:
        self.file_problems = list(file_problems or [])
        self.problems = [*problems, *self.file_problems]
        super().__init__(" ".join(self.problems))

    @property
    def only_the_file(self) -> bool:
        return len(self.problems) == len(self.file_problems)


def guess_mime_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in _EXTRA_TYPES:
        return _EXTRA_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def check_upload(path: Path, options: TranscriptionOptions) -> TranscriptionOptionsError | None:
    """Everything wrong with sending `path` with `options`, in plain words (None: all
    is well)."""
    problems = options.validate()
    if options.source_url:
        problems.append("Send either a file or a web address, not both.")
    file_problems: list[str] = []
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        file_problems.append(f"The file {path.name} no longer exists.")
    except OSError as exc:
        file_problems.append(f"The file {path.name} cannot be read ({exc.strerror or exc}).")
    else:
        if path.is_dir():
            file_problems.append(f"{path.name} is a folder, not an audio or video file.")
        elif not path.is_file():  # a named pipe or a device was called "a folder"
            file_problems.append(f"{path.name} is not an ordinary saved file (it is a "
                                 "device or a pipe), so it cannot be sent.")
        elif size == 0:
            file_problems.append(f"{path.name} is empty: it holds no audio.")
        elif size >= MAX_UPLOAD_BYTES:
            file_problems.append(f"{path.name} is larger than 5 GB, the most the service "
                                 "accepts.")
    if problems or file_problems:
        return TranscriptionOptionsError(problems, file_problems)
    return None


def multipart_parts(options: TranscriptionOptions) -> tuple[dict[str, list[str]],
                                                            list[tuple[str, Any]]]:
    """The form as httpx takes it: plain fields (`data`, repeated keys as lists) and
    JSON parts (`files` entries without a filename, typed application/json)."""
    data: dict[str, list[str]] = {}
    json_parts: list[tuple[str, Any]] = []
    for name, value in options.to_form_fields():
        if name in JSON_PART_FIELDS:
            json_parts.append((name, (None, value.encode("utf-8"), "application/json")))
        else:
            data.setdefault(name, []).append(value)
    return data, json_parts


def _transcript_or_error(data: Any, info: ResponseInfo) -> dict[str, Any]:
    if isinstance(data, dict) and ("words" in data or "transcripts" in data
                                   or "request_id" in data):
        return data
    raise ApiProtocolError("The server's answer is not a transcript.", info=info)


# The answer comes only when the whole recording is transcribed: minutes for a long one
# (the offline engine runs at several times real time). The user can cancel at any time.
TRANSCRIBE_READ_TIMEOUT_S = 3600.0
# Uploading up to 5 GB and then waiting up to an hour: the whole request's upper bound.
TRANSCRIBE_DEADLINE_S = 6 * 3600.0


class TranscriptsService:
    def __init__(self, client: ApiClient) -> None:
        self._client = client

    async def create(
        self,
        path: str | Path,
        options: TranscriptionOptions,
        progress_cb: ProgressCallback | None = None,
    ) -> tuple[dict[str, Any], ResponseInfo]:
        """Upload `path` and transcribe it: (the server's JSON, response info).

        Raises TranscriptionOptionsError before sending when something would be refused.
        The JSON is either transcript shape, or the webhook acknowledgement.
        """
        path = Path(path)
        refused = check_upload(path, options)
        if refused is not None:
            raise refused
        data, json_parts = multipart_parts(options)
        with UploadFile(path, progress_cb) as upload:
            files: list[tuple[str, Any]] = [
                *json_parts, ("file", (path.name, upload, guess_mime_type(path))),
            ]
            body, info = await self._client.request_json(
                "POST", "/v1/speech-to-text", params=options.to_query_params() or None,
                data=data, files=files, read_timeout_s=TRANSCRIBE_READ_TIMEOUT_S,
                deadline_s=TRANSCRIBE_DEADLINE_S)
        return _transcript_or_error(body, info), info

    async def create_from_url(
        self, url: str, options: TranscriptionOptions,
    ) -> tuple[dict[str, Any], ResponseInfo]:
        """Transcribe the recording at a web address (the server fetches it): `source_url`,
        the spec's field for this; `cloud_storage_url` is deprecated there. Sent as
        multipart/form-data like an upload, without a file. Raises
        TranscriptionOptionsError before sending when the address or options are wrong."""
        url = url.strip()
        problems = replace(options, source_url=url or None).validate()
        if not url:
            problems.append("Paste the web address of a recording.")
        if problems:
            raise TranscriptionOptionsError(problems)
        data, json_parts = multipart_parts(replace(options, source_url=None))
        # As its own part, so the body is multipart even when no other part is JSON.
        files: list[tuple[str, Any]] = [*json_parts, ("source_url", (None, url.encode("utf-8")))]
        body, info = await self._client.request_json(
            "POST", "/v1/speech-to-text", params=options.to_query_params() or None,
            data=data, files=files, read_timeout_s=TRANSCRIBE_READ_TIMEOUT_S,
            deadline_s=TRANSCRIBE_DEADLINE_S)
        return _transcript_or_error(body, info), info

    async def get(self, transcription_id: str) -> tuple[dict[str, Any], ResponseInfo]:
        body, info = await self._client.request_json(
            "GET", f"/v1/speech-to-text/transcripts/{path_part(transcription_id.strip())}")
        return _transcript_or_error(body, info), info

    async def delete(self, transcription_id: str) -> ResponseInfo:
        _, info = await self._client.request_json(
            "DELETE", f"/v1/speech-to-text/transcripts/{path_part(transcription_id.strip())}")
        return info


__all__ = [
    "MAX_UPLOAD_BYTES",
    "ProgressCallback",
    "TranscriptionOptionsError",
    "TranscriptsService",
    "UploadFile",
    "check_upload",
    "guess_mime_type",
    "multipart_parts",
]
