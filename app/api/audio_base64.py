"""Audio sent as base64 inside JSON (the with-timestamps answers of speech and dialogue),
read without freezing the window.

The event loop is the GUI thread, and the C functions that read such an answer hold the
interpreter lock for the whole of their input even in a worker thread: `json.loads`
scanning a 13 MB string (10 minutes of MP3) and `base64.b64decode` of it each kept the
window from running for tens of milliseconds. So a long answer's audio is cut out of the
JSON text before parsing (`loads_lifting_audio`), and decoded in slices
(`b64decode_in_slices`) in a worker thread, which lets the window run between slices.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from app.api.errors import ApiProtocolError

AUDIO_KEY = "audio_base64"
# Base64 audio at least this long is decoded off the event loop, in slices.
BIG_BASE64_CHARS = 256 * 1024
SLICE_CHARS = 64 * 1024  # a multiple of 4: each slice decodes on its own


def b64decode_in_slices(encoded: str | bytes) -> bytes:
    """`base64.b64decode(encoded)`, one slice per C call. Strict slices only: base64 with
    line breaks or other leniencies is decoded in one lenient call instead."""
    try:
        parts = [binascii.a2b_base64(encoded[at:at + SLICE_CHARS], strict_mode=True)
                 for at in range(0, len(encoded), SLICE_CHARS)]
    except binascii.Error:
        return base64.b64decode(encoded)
    return b"".join(parts)


async def decode_audio_base64(encoded: str, request_id: str | None = None) -> bytes:
    """The audio of a timestamped answer; a long one decoded in a worker thread. Audio
    that is not base64 is a protocol error (the server's fault, said so), not a crash."""
    try:
        if len(encoded) < BIG_BASE64_CHARS:
            return base64.b64decode(encoded)
        return await asyncio.to_thread(b64decode_in_slices, encoded)
    except ValueError as exc:  # binascii.Error is one
        raise ApiProtocolError("The server's audio is damaged (it is not valid base64).",
                               request_id) from exc


def loads_lifting_audio(text: str, loads: Callable[[str], Any] = json.loads) -> Any:
    """`loads(text)`, except that a long top-level `"audio_base64": "..."` string is cut
    out of the text first and put back into the result, so the JSON scanner never walks
    it. Anything unusual (no such key, escapes in the value, the key found inside another
    string) falls back to parsing the whole text."""
    marker = f'"{AUDIO_KEY}"'
    at = text.find(marker)
    if at < 0:
        return loads(text)
    colon = _skip_space(text, at + len(marker))
    if colon >= len(text) or text[colon] != ":":
        return loads(text)
    quote = _skip_space(text, colon + 1)
    if quote >= len(text) or text[quote] != '"':
        return loads(text)
    end = text.find('"', quote + 1)
    if end < 0 or end - quote < BIG_BASE64_CHARS:
        return loads(text)
    audio = text[quote + 1:end]
    if "\\" in audio:
        return loads(text)
    data = loads(text[:quote + 1] + text[end:])
    if not isinstance(data, dict) or data.get(AUDIO_KEY) != "":
        return loads(text)  # the marker was not the top-level key after all
    data[AUDIO_KEY] = audio
    return data


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t\r\n":
        at += 1
    return at
