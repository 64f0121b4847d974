"""Bring your own song: `POST /v1/music/upload` (multipart: the audio file and, to get
the song's composition plan back, `extract_composition_plan` = a music model id).
Answer: `song_id` (for `source_from` in later plans) and the plan when asked for.

The contract prices an upload like composing a song (half of it still charged when the
song is refused as copyrighted), so the answer's `character-cost` belongs in the usage
ledger, even when the answer itself cannot be used (`ApiProtocolError.info`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, BinaryIO

from app.api.client import ApiClient, ResponseInfo
from app.api.errors import ApiProtocolError
from app.api.upload_file import UploadFile

UPLOAD_PATH = "/v1/music/upload"
UPLOAD_READ_TIMEOUT_S = 600.0  # extracting a plan takes a while for a long song
# A 2-hour WAV is ~1.2 GB; a file past this is no song to upload (and would take hours).
MAX_UPLOAD_BYTES = 2 * 1024 ** 3


@dataclass(frozen=True)
class UploadedSong:
    song_id: str
    composition_plan: dict[str, Any] | None
    estimated: bool  # the plan was estimated from the audio (the offline engine says so)


class MusicUploadService:
    def __init__(self, client: ApiClient) -> None:
        self._client = client

    async def upload(self, audio: bytes | BinaryIO | UploadFile, file_name: str, *,
                     plan_model: str | None = None) -> tuple[UploadedSong, ResponseInfo]:
        """`audio` as bytes, or an open file: httpx then sends it from disk a piece at a
        time (a long WAV is over a gigabyte), rewinding it if the request is repeated. An
        `UploadFile` reports each piece as it goes, so the user sees the upload move."""
        data = {"extract_composition_plan": plan_model} if plan_model else None
        files = [("file", (file_name, audio, "application/octet-stream"))]
        body, info = await self._client.request_json(
            "POST", UPLOAD_PATH, data=data, files=files, read_timeout_s=UPLOAD_READ_TIMEOUT_S)
        if not isinstance(body, dict) or not isinstance(body.get("song_id"), str):
            raise ApiProtocolError("The server's answer to the upload has no song id.", info=info)
        plan = body.get("composition_plan")
        estimated = info.headers.get("x-plan-estimated") is not None
        return UploadedSong(body["song_id"], plan if isinstance(plan, dict) else None,
                            estimated), info


__all__ = ["MAX_UPLOAD_BYTES", "MusicUploadService", "UploadedSong"]
