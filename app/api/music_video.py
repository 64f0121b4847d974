"""Music for a video: `POST /v1/music/video-to-music` (multipart: one or more `videos`,
an optional `description` and `tags`, the model; the output format in the query)."""

from __future__ import annotations

from collections.abc import Sequence

from app.api.client import AUDIO_TYPES, ApiClient, ResponseInfo

VIDEO_TO_MUSIC_PATH = "/v1/music/video-to-music"
VIDEO_READ_TIMEOUT_S = 900.0


class MusicVideoService:
    def __init__(self, client: ApiClient) -> None:
        self._client = client

    async def video_to_music(self, videos: Sequence[tuple[str, bytes]], *,
                             description: str = "", tags: Sequence[str] = (),
                             model_id: str = "music_v1",
                             output_format: str = "mp3_44100_128") -> tuple[bytes, ResponseInfo]:
        files = [("videos", (name, data, "application/octet-stream")) for name, data in videos]
        data: dict[str, object] = {"model_id": model_id}
        if description.strip():
            data["description"] = description.strip()
        if tags:
            data["tags"] = list(tags)
        return await self._client.request_bytes(
            "POST", VIDEO_TO_MUSIC_PATH, params={"output_format": output_format}, data=data,
            files=files, expect=AUDIO_TYPES, read_timeout_s=VIDEO_READ_TIMEOUT_S)


__all__ = ["MusicVideoService"]
