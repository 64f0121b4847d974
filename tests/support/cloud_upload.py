"""`POST /v1/music/upload` for the cloud test server (tests/support/cloud_server.py):
the form is checked against the spec; a file that is not audio gets the API's 400
`invalid_audio`; with `extract_composition_plan` the answer carries the sample plan of
that model scaled to the song's length (the real service analyses the song)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from app.audio.decode import decode_bytes
from app.audio.errors import AudioDecodeError

if TYPE_CHECKING:
    from tests.support.cloud_server import CloudServer, Reply

UPLOAD_OPERATION = "upload_song"
UPLOAD_FORM_SCHEMA = "Body_Upload_music_v1_music_upload_post"


def upload_reply(server: CloudServer, operation: Any, headers: dict[str, str],
                 body: bytes) -> Reply:
    from tests.support import spec as spec_module
    from tests.support.cloud_server import (
        error_reply,
        form_instance,
        json_reply,
        parse_multipart_form,
        validation_reply,
    )

    key = headers.get("xi-api-key")
    with server.lock:
        known = key is not None and key in server.accounts
    if not known:
        return error_reply(401, "invalid_api_key", "Invalid API key", new_shape=True)
    parts = parse_multipart_form(headers.get("content-type", ""), body)
    if parts is None:
        return validation_reply([{"loc": ["body"], "msg": "Expected a multipart/form-data "
                                  "body", "type": "model_attributes_type"}])
    instance, errors = form_instance(parts, UPLOAD_FORM_SCHEMA)
    try:
        spec_module.validate_against(spec_module.schema_named(UPLOAD_FORM_SCHEMA), instance,
                                     ("body",))
    except spec_module.ContractError as exc:
        errors += exc.errors
    files = [p for p in parts if p.name == "file" and p.filename is not None]
    if errors or len(files) != 1:
        return validation_reply(errors or [{"loc": ["body", "file"], "msg": "Field required",
                                            "type": "missing"}])
    try:
        clip = decode_bytes(files[0].value, None)
    except AudioDecodeError:
        return error_reply(400, "invalid_audio", "The uploaded file could not be decoded "
                           "as audio.")
    answer: dict[str, Any] = {"song_id": uuid.uuid4().hex[:20], "composition_plan": None}
    extract = instance.get("extract_composition_plan")
    if extract:
        model = extract if extract in ("music_v1", "music_v2") else "music_v1"
        answer["composition_plan"] = server._sample_plan(model, max(3000, clip.duration_ms))
    return json_reply(200, answer, {"request-id": uuid.uuid4().hex})
