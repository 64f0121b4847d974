"""Stem separation: `POST /v1/music/stem-separation` (multipart: the audio file and the
stem variation; the output format in the query) -> a zip with one audio file a stem."""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass

from app.api.client import ApiClient, ResponseInfo
from app.api.errors import ApiProtocolError

STEM_SEPARATION_PATH = "/v1/music/stem-separation"
STEM_VARIATIONS = ("six_stems_v1", "two_stems_v1")
ZIP_TYPES = ("application/zip", "application/x-zip-compressed", "application/octet-stream")
# Separation takes about as long as the song (the spec warns of high latency).
STEMS_READ_TIMEOUT_S = 900.0
MAX_STEMS = 16
# What the stems may come to unpacked, all together: six lossless stems of a 20-minute
# song at 48 kHz stereo are ~1.4 GB... of 32-bit float; 16-bit PCM or MP3 far less. A zip
# declaring more is refused before anything is unpacked (a few MB can unpack to many GB).
MAX_STEMS_UNPACKED_BYTES = 1024 * 1024 * 1024
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
    """The stems in the server's zip, in its order; ApiProtocolError when it is not one,
    is damaged, or unpacks to more than MAX_STEMS_UNPACKED_BYTES. Folders inside the zip
    are dropped from the names (nothing is written from here), and two stems of the same
    name get "2", "3"... so neither hides the other."""
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            members = [i for i in archive.infolist() if not i.is_dir()]
            if not members or len(members) > MAX_STEMS:
                raise ApiProtocolError("The server's stems archive holds no stems.",
                                       request_id)
            if sum(i.file_size for i in members) > MAX_STEMS_UNPACKED_BYTES:
                raise ApiProtocolError(
                    "The server's stems archive would unpack to more than "
                    f"{MAX_STEMS_UNPACKED_BYTES // 2**20} MB, far more than stems can be; "
                    "it was not unpacked.", request_id)
            stems: list[StemFile] = []
            taken: set[str] = set()
            for info in members:
                base = info.filename.replace("\\", "/").rsplit("/", 1)[-1]
                stem = base.rsplit(".", 1)[0] or base
                name, n = stem, 1
                while name.casefold() in taken:
                    n += 1
                    name = f"{stem} {n}"
                taken.add(name.casefold())
                stems.append(StemFile(name, base, archive.read(info)))
            return stems
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ApiProtocolError("The server's answer is not a zip of stems, or it is "
                               "damaged.", request_id) from exc
    except NotImplementedError as exc:
        raise ApiProtocolError("The server's stems archive is packed in a way XI Studio "
                               "cannot unpack.", request_id) from exc
    except RuntimeError as exc:  # zipfile's word for a member locked with a password
        raise ApiProtocolError("The server's stems archive is locked with a password.",
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
        try:
            return stems_from_zip(payload, info.request_id), info
        except ApiProtocolError as exc:
            exc.info = info  # the separation was done and charged: see errors.py
            raise


__all__ = ["MAX_STEMS_UNPACKED_BYTES", "STEM_METHOD_HEADER", "STEM_VARIATIONS", "StemFile",
           "StemService", "stem_method", "stems_from_zip"]
