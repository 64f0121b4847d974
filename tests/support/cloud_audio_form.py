"""The part the cloud test server's multipart music routes share: the key is known and
the body is a multipart form valid against the spec's body schema (plus any query errors
the caller found) — `checked_form`, also used by `POST /v1/music/video-to-music`; for
`POST /v1/music/upload` and `POST /v1/music/stem-separation` it also holds one file, and
that file decodes as audio (`checked_audio_form`). Either the checked form comes back, or
the API's own error reply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.audio.clip import AudioClip
from app.audio.decode import decode_bytes
from app.audio.errors import AudioDecodeError

if TYPE_CHECKING:
    from tests.support.cloud_server import CloudServer, FormPart, Reply


@dataclass(frozen=True)
class AudioForm:
    instance: dict[str, Any]  # the form's fields as the spec's schema sees them
    clip: AudioClip           # the uploaded file, decoded


@dataclass(frozen=True)
class CheckedForm:
    instance: dict[str, Any]  # the form's fields as the spec's schema sees them
    parts: list[FormPart]     # as sent, files included


def checked_form(server: CloudServer, headers: dict[str, str], body: bytes,
                 schema_name: str, errors: list[dict[str, Any]] | None = None,
                 ) -> CheckedForm | Reply:
    from tests.support import spec as spec_module
    from tests.support.cloud_server import (
        error_reply,
        form_instance,
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
    errors = list(errors or [])
    instance, form_errors = form_instance(parts, schema_name)
    errors += form_errors
    try:
        spec_module.validate_against(spec_module.schema_named(schema_name), instance,
                                     ("body",))
    except spec_module.ContractError as exc:
        errors += exc.errors
    if errors:
        return validation_reply(errors)
    return CheckedForm(instance, parts)


def checked_audio_form(server: CloudServer, headers: dict[str, str], body: bytes,
                       schema_name: str, errors: list[dict[str, Any]] | None = None,
                       ) -> AudioForm | Reply:
    from tests.support.cloud_server import error_reply, validation_reply

    form = checked_form(server, headers, body, schema_name, errors)
    if not isinstance(form, CheckedForm):
        return form
    files = [p for p in form.parts if p.name == "file" and p.filename is not None]
    if len(files) != 1:
        return validation_reply([{"loc": ["body", "file"], "msg": "Field required",
                                  "type": "missing"}])
    try:
        clip = decode_bytes(files[0].value, None)
    except AudioDecodeError:
        return error_reply(400, "invalid_audio", "The uploaded file could not be decoded "
                           "as audio.")
    return AudioForm(form.instance, clip)
