"""Forced alignment: exact word times for a known text.

    POST /v1/forced-alignment    multipart (file, text) -> ForcedAlignmentResponseModel

The audio is streamed from disk (the same progress-reporting upload as transcription).
The cloud answers with a key; the local engine answers offline with PocketSphinx's
aligner. The text is checked before sending: it must hold at least one word.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from app.api.client import ApiClient, ResponseInfo
from app.api.errors import ApiProtocolError
from app.api.transcripts import ProgressCallback, UploadFile, guess_mime_type

# Alignment is faster than transcription, but a long file still takes minutes offline.
ALIGN_READ_TIMEOUT_S = 3600.0


class AlignmentInputError(ValueError):
    """The file or the text cannot be sent; the message says why in plain words."""


def check_alignment_input(path: Path, text: str) -> AlignmentInputError | None:
    if not any(ch.isalnum() for ch in text):
        return AlignmentInputError("The script is empty: there are no words to align.")
    try:
        size = path.stat().st_size
    except OSError:
        return AlignmentInputError(f"The recording {path.name} cannot be read: it may have "
                                   "been moved or deleted.")
    # A folder was opened and sent (Python's "[Errno 21]" came back); a pipe read empty.
    if path.is_dir():
        return AlignmentInputError(f"{path.name} is a folder, not a recording.")
    if not path.is_file():
        return AlignmentInputError(f"{path.name} is not an ordinary saved file (it is a "
                                   "device or a pipe), so it cannot be sent.")
    if size == 0:
        return AlignmentInputError(f"{path.name} is empty: it holds no audio.")
    return None


_MAX_SECONDS = 1e12  # far beyond any recording (as transcripts are read)


def _is_time(value: Any) -> bool:
    return (not isinstance(value, bool) and isinstance(value, int | float)
            and 0 <= value < _MAX_SECONDS)  # (NaN and inf fail too)


def _word_problem(word: Any) -> str | None:
    """What is wrong with one word of the answer (`ForcedAlignmentWordResponseModel`)."""
    if not isinstance(word, dict):
        return "is not an object"
    if not isinstance(word.get("text"), str):
        return "has no text"
    if not (_is_time(word.get("start")) and _is_time(word.get("end"))):
        return "has no usable start and end time"
    loss = word.get("loss", 0.0)
    if isinstance(loss, bool) or not isinstance(loss, int | float) or not math.isfinite(loss):
        return "has a loss that is not a number"
    return None


def _alignment_or_error(data: Any, info: ResponseInfo) -> dict[str, Any]:
    if not (isinstance(data, dict) and isinstance(data.get("words"), list)
            and isinstance(data.get("characters"), list)):
        raise ApiProtocolError("The server's answer is not a forced alignment.", info=info)
    for n, word in enumerate(data["words"], 1):
        problem = _word_problem(word)
        if problem is not None:  # read later, it stopped as "unexpected" ('start')
            raise ApiProtocolError(f"The server's forced alignment cannot be used: word {n} "
                                   f"{problem}.", info=info)
    return data


class AlignmentService:
    def __init__(self, client: ApiClient) -> None:
        self._client = client

    async def create(self, path: str | Path, text: str,
                     progress_cb: ProgressCallback | None = None,
                     ) -> tuple[dict[str, Any], ResponseInfo]:
        """Upload the recording and the text: (the server's JSON, response info)."""
        path = Path(path)
        refused = check_alignment_input(path, text)
        if refused is not None:
            raise refused
        with UploadFile(path, progress_cb) as upload:
            body, info = await self._client.request_json(
                "POST", "/v1/forced-alignment", data={"text": text},
                files=[("file", (path.name, upload, guess_mime_type(path)))],
                read_timeout_s=ALIGN_READ_TIMEOUT_S)
        return _alignment_or_error(body, info), info


__all__ = ["AlignmentInputError", "AlignmentService", "check_alignment_input"]
