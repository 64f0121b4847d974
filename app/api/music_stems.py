"""Stem separation: `POST /v1/music/stem-separation` (multipart: the audio file and the
stem variation; the output format in the query) -> a zip with one audio file a stem."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from app.api.client import ApiClient, ResponseInfo
from app.api.errors import ApiProtocolError

STEM_SEPARATION_PATH = "/v1/music/stem-separation"
STEM_VARIATIONS = ("six_stems_v1", "two_stems_v1")
ZIP_TYPES = ("application/zip", "application/x-zip-compressed", "application/octet-stream")
# Separation takes about as long as the song (the spec warns of high latency).
STEMS_READ_TIMEOUT_S = 900.0
MAX_STEMS = 16
# XI Studio's engine says how it made the stems (the cloud sends no such header):
# "sketch-layers" (a song it composed, rendered again in its own layers) or
# "approximate" (other audio, split by a documented method).
STEM_METHOD_HEADER = "stem-method"


def stem_method(info: ResponseInfo) -> str | None:
    """How the stems were made, when the server says so (None: it did not)."""
    return info.headers.get(STEM_METHOD_HEADER) or None


@dataclass(frozen=True)
class StemFile:
    """One stem as the server sent it: its name (`drums`) and its encoded audio."""

    name: str
    file_name: str
    data: bytes


def stems_from_zip(payload: bytes, request_id: str | None = None) -> list[StemFile]:
    """The stems in the server's zip, in its order; ApiProtocolError when it is not one."""
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            names = [i.filename for i in archive.infolist() if not i.is_dir()]
            if not names or len(names) > MAX_STEMS:
                raise ApiProtocolError("The server's stems archive holds no stems.",
                                       request_id)
            stems = []
            for name in names:
                base = name.replace("\\", "/").rsplit("/", 1)[-1]
                stems.append(StemFile(base.rsplit(".", 1)[0] or base, base, archive.read(name)))
            return stems
    except zipfile.BadZipFile as exc:
        raise ApiProtocolError("The server's answer is not a zip of stems.",
                               request_id) from exc


class StemService:
    def __init__(self, client: ApiClient) -> None:
        self._client = client

    async def separate(self, audio: bytes, file_name: str, *,
                       variation: str = "six_stems_v1",
                       output_format: str = "mp3_44100_128") -> tuple[list[StemFile],
                                                                      ResponseInfo]:
        """The stems of `audio` (a whole audio file's bytes)."""
        if variation not in STEM_VARIATIONS:
            raise ValueError(f"unknown stem variation {variation!r}")
        files = [("file", (file_name, audio, "application/octet-stream"))]
        payload, info = await self._client.request_bytes(
            "POST", STEM_SEPARATION_PATH, params={"output_format": output_format},
            data={"stem_variation_id": variation}, files=files, expect=ZIP_TYPES,
            read_timeout_s=STEMS_READ_TIMEOUT_S)
        return stems_from_zip(payload, info.request_id), info


__all__ = ["STEM_METHOD_HEADER", "STEM_VARIATIONS", "StemFile", "StemService", "stem_method",
           "stems_from_zip"]
