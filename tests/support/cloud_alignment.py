"""Forced alignment for the cloud test server (tests/support/cloud_server.py).

`POST /v1/forced-alignment`: the multipart form is checked field by field against the
spec's body schema (422 in FastAPI's shape when it does not match), the key must name an
account, the audio's length is charged like speech to text. The answer spreads the
text's words over the audio by their length (a stand-in for the real aligner), in the
`ForcedAlignmentResponseModel` shape.
"""

from __future__ import annotations

import json
import math
import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.support.cloud_server import CloudServer, Reply

ALIGNMENT_OPERATION = "forced_alignment"
ALIGNMENT_FORM_SCHEMA = "Body_Create_forced_alignment_v1_forced_alignment_post"


def _spread(text: str, seconds: float) -> dict[str, Any]:
    words = text.split()
    letters = max(1, sum(len(w) for w in words))
    step = seconds / letters
    out_words: list[dict[str, Any]] = []
    chars: list[dict[str, Any]] = []
    at = 0.0
    position = 0
    for word in words:
        found = text.index(word, position)
        for ch in text[position:found]:
            chars.append({"text": ch, "start": round(at, 3), "end": round(at, 3)})
        start = at
        for ch in word:
            chars.append({"text": ch, "start": round(at, 3), "end": round(at + step, 3)})
            at += step
        out_words.append({"text": word, "start": round(start, 3), "end": round(at, 3),
                          "loss": 0.05})
        position = found + len(word)
    for ch in text[position:]:
        chars.append({"text": ch, "start": round(at, 3), "end": round(at, 3)})
    return {"characters": chars, "words": out_words, "loss": 0.05}


def alignment_reply(server: CloudServer, headers: dict[str, str], body: bytes) -> Reply:
    from tests.support import spec as spec_module
    from tests.support.cloud_server import (
        STT_CONCURRENCY,
        STT_CREDITS_PER_SECOND,
        ContractError,
        Reply,
        _audio_seconds,
        error_reply,
        parse_multipart_form,
        validation_reply,
    )

    parts = parse_multipart_form(headers.get("content-type", ""), body)
    if parts is None:
        return validation_reply([{"loc": ["body"], "msg": "Expected a multipart/form-data "
                                  "body", "type": "model_attributes_type"}])
    instance: dict[str, Any] = {}
    for part in parts:
        instance[part.name] = (f"<file {part.filename}: {len(part.value)} bytes>"
                               if part.filename is not None
                               else part.value.decode("utf-8", errors="replace"))
    try:
        spec_module.validate_against(spec_module.schema_named(ALIGNMENT_FORM_SCHEMA),
                                     instance, ("body",))
    except ContractError as exc:
        return validation_reply(exc.errors)
    account = server._account_for(headers)
    if isinstance(account, Reply):
        return account
    audio = next(p.value for p in parts if p.name == "file")
    if not audio:
        return error_reply(400, "invalid_content", "The uploaded file is empty.")
    seconds = _audio_seconds(audio, None)
    cost = max(1, math.ceil(seconds * STT_CREDITS_PER_SECOND))
    started = server._start_work(account, "stt", ALIGNMENT_OPERATION, cost,
                                 STT_CONCURRENCY.get(account.tier, 25))
    if isinstance(started, Reply):
        return started
    reply_headers = {"request-id": uuid.uuid4().hex, "content-type": "application/json"}
    result = _spread(str(instance["text"]), seconds)
    return Reply(200, reply_headers, json.dumps(result).encode(), on_done=started)


__all__ = ["ALIGNMENT_OPERATION", "alignment_reply"]
