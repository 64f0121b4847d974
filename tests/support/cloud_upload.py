"""`POST /v1/music/upload` for the cloud test server (tests/support/cloud_server.py):
the form is checked against the spec; a file that is not audio gets the API's 400
`invalid_audio`; with `extract_composition_plan` the answer carries the sample plan of
that model scaled to the song's length (the real service analyses the song)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from tests.support.cloud_audio_form import AudioForm
from tests.support.cloud_songs import remember_song

if TYPE_CHECKING:
    from tests.support.cloud_server import CloudServer, Reply

UPLOAD_OPERATION = "upload_song"
UPLOAD_FORM_SCHEMA = "Body_Upload_music_v1_music_upload_post"


def upload_reply(server: CloudServer, operation: Any, headers: dict[str, str],
                 body: bytes) -> Reply:
    from tests.support.cloud_audio_form import checked_audio_form
    from tests.support.cloud_server import json_reply

    form = checked_audio_form(server, headers, body, UPLOAD_FORM_SCHEMA)
    if not isinstance(form, AudioForm):
        return form
    instance, clip = form.instance, form.clip
    answer: dict[str, Any] = {"song_id": uuid.uuid4().hex[:20], "composition_plan": None}
    remember_song(server, answer["song_id"])
    extract = instance.get("extract_composition_plan")
    if extract:
        model = extract if extract in ("music_v1", "music_v2") else "music_v1"
        answer["composition_plan"] = server._sample_plan(model, max(3000, clip.duration_ms))
    return json_reply(200, answer, {"request-id": uuid.uuid4().hex})
