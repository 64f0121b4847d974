"""Long base64 audio in JSON answers: cut out before parsing and decoded in slices, with
exactly the results of json.loads and base64.b64decode (see app/api/audio_base64.py)."""

from __future__ import annotations

import base64
import json
import os

import pytest

from app.api.api_stream import decode_json_answer
from app.api.audio_base64 import (
    BIG_BASE64_CHARS,
    SLICE_CHARS,
    b64decode_in_slices,
    decode_audio_base64,
    loads_lifting_audio,
)
from app.api.client import ResponseInfo
from app.api.errors import ApiProtocolError

AUDIO = os.urandom(BIG_BASE64_CHARS)  # 4/3 as many base64 characters: over the line
ENCODED = base64.b64encode(AUDIO).decode()
ALIGNMENT = {"characters": ["H", "i"], "character_start_times_seconds": [0.0, 0.1],
             "character_end_times_seconds": [0.1, 0.2]}


@pytest.mark.parametrize("size", [0, 1, 2, 3, SLICE_CHARS // 4 * 3, SLICE_CHARS + 5,
                                  3 * SLICE_CHARS + 1])
def test_slices_decode_exactly_as_one_call(size: int) -> None:
    data = os.urandom(size)
    encoded = base64.b64encode(data)
    assert b64decode_in_slices(encoded) == data
    assert b64decode_in_slices(encoded.decode()) == data


def test_base64_with_line_breaks_falls_back_to_the_lenient_decode() -> None:
    wrapped = base64.encodebytes(AUDIO).decode()  # a line break every 76 characters
    assert "\n" in wrapped
    assert b64decode_in_slices(wrapped) == AUDIO


@pytest.mark.anyio
async def test_a_long_take_decodes_the_same_off_the_loop() -> None:
    assert await decode_audio_base64(ENCODED) == AUDIO
    assert await decode_audio_base64("SGk=") == b"Hi"


@pytest.mark.anyio
@pytest.mark.parametrize("damaged", ["abc", "a===", "A" * (BIG_BASE64_CHARS + 1)])
async def test_audio_that_is_not_base64_is_the_servers_fault_said_plainly(damaged: str) -> None:
    with pytest.raises(ApiProtocolError, match="not valid base64") as info:
        await decode_audio_base64(damaged, "req-9")
    assert info.value.request_id == "req-9"


@pytest.mark.parametrize("text", [
    json.dumps({"audio_base64": ENCODED, "alignment": ALIGNMENT}),
    json.dumps({"alignment": ALIGNMENT, "audio_base64": ENCODED}, indent=2),
    '{"audio_base64" :\n "' + ENCODED + '", "alignment": null}',
    json.dumps({"audio_base64": "SGk=", "alignment": ALIGNMENT}),  # short: parsed whole
    json.dumps({"audio_base64": ENCODED.replace("/", "\\/")}),  # escapes: parsed whole
    json.dumps({"note": 'say "audio_base64": "' + ENCODED[:10] + '"', "audio_base64": ENCODED}),
    json.dumps({"nested": {"audio_base64": ENCODED}, "audio_base64": "x"}),
    json.dumps({"audio_base64": ENCODED, "audio_base64 ": 1}),
    '{"audio_base64": "' + ENCODED + '", "audio_base64": "last wins"}',
    json.dumps([{"audio_base64": ENCODED}]),
    json.dumps({"detail": {"status": "quota_exceeded", "message": "No credits left."}}),
])
def test_lifting_gives_what_json_loads_gives(text: str) -> None:
    assert loads_lifting_audio(text) == json.loads(text)


def test_damaged_json_is_still_an_error() -> None:
    text = '{"audio_base64": "' + ENCODED + '", "alignment": [1, }'
    with pytest.raises(ValueError):
        loads_lifting_audio(text)
    with pytest.raises(ValueError):
        loads_lifting_audio('{"audio_base64": "' + ENCODED)  # cut off inside the audio


@pytest.mark.anyio
async def test_a_big_answer_with_audio_reads_as_before() -> None:
    info = ResponseInfo(request_id="req-1", content_type="application/json")
    body = json.dumps({"audio_base64": ENCODED, "alignment": ALIGNMENT}).encode()
    assert await decode_json_answer(body, info) == json.loads(body)
    assert await decode_json_answer(b"\xef\xbb\xbf" + body, info) == json.loads(body)
    utf16 = json.dumps({"audio_base64": ENCODED}).encode("utf-16")
    assert await decode_json_answer(utf16, info) == json.loads(utf16)
    with pytest.raises(ApiProtocolError, match="not valid JSON"):
        await decode_json_answer(body[:-40], info)
