"""Bring your own song: `POST /v1/music/upload` (multipart: the audio file and, to get
the song's composition plan back, `extract_composition_plan` = a music model id).
Answer: `song_id` (for `source_from` in later plans) and the plan when asked for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.api.client import ApiClient, ResponseInfo
from app.api.errors import ApiProtocolError

UPLOAD_PATH = "/v1/music/upload"
UPLOAD_READ_TIMEOUT_S = 600.0  # extracting a plan takes a while for a long song


@dataclass(frozen=True)
class UploadedSong:
    song_id: str
    composition_plan: dict[str, Any] | None
    estimated: bool  # the plan was estimated from the audio (the offline engine says so)


class MusicUploadService:
    def __init__(self, client: ApiClient) -> None:
        self._client = client

    async def upload(self, audio: bytes, file_name: str, *, plan_model: str | None = None
                     ) -> tuple[UploadedSong, ResponseInfo]:
        data = {"extract_composition_plan": plan_model} if plan_model else None
        files = [("file", (file_name, audio, "application/octet-stream"))]
        body, info = await self._client.request_json(
            "POST", UPLOAD_PATH, data=data, files=files, read_timeout_s=UPLOAD_READ_TIMEOUT_S)
        if not isinstance(body, dict) or not isinstance(body.get("song_id"), str):
            raise ApiProtocolError("The server's answer to the upload has no song id.",
                                   info.request_id)
        plan = body.get("composition_plan")
        estimated = info.headers.get("x-plan-estimated") is not None
        return UploadedSong(body["song_id"], plan if isinstance(plan, dict) else None,
                            estimated), info


__all__ = ["MusicUploadService", "UploadedSong"]
