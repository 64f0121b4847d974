"""`POST /v1/music/upload` for the cloud test server (tests/support/cloud_server.py):
the form is checked against the spec; a file that is not audio gets the API's 400
`invalid_audio`; with `extract_composition_plan` the answer carries the sample plan of
that model scaled to the song's length (the real service analyses the song). Priced as
the contract says, like composing a song as long (the charge in `character-cost`)."""

from __future__ import annotations

import math
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
    from tests.support.cloud_server import (
        MUSIC_CONCURRENCY,
        MUSIC_CREDITS_PER_SECOND,
        Reply,
        json_reply,
    )

    form = checked_audio_form(server, headers, body, UPLOAD_FORM_SCHEMA)
    if not isinstance(form, AudioForm):
        return form
    instance, clip = form.instance, form.clip
    with server.lock:
        account = server.accounts[headers["xi-api-key"]]  # known: checked_form asked
    cost = max(1, math.ceil(clip.duration_ms / 1000 * MUSIC_CREDITS_PER_SECOND))
    # Its own slots: an upload does not hold back a song being composed meanwhile.
    started = server._start_work(account, "music_upload", UPLOAD_OPERATION, cost,
                                 max(1, MUSIC_CONCURRENCY.get(account.tier, 2)))
    if isinstance(started, Reply):
        return started
    answer: dict[str, Any] = {"song_id": uuid.uuid4().hex[:20], "composition_plan": None}
    remember_song(server, answer["song_id"])
    extract = instance.get("extract_composition_plan")
    if extract:
        model = extract if extract in ("music_v1", "music_v2") else "music_v1"
        answer["composition_plan"] = server._sample_plan(model, max(3000, clip.duration_ms))
    reply = json_reply(200, answer, {"request-id": uuid.uuid4().hex,
                                     "character-cost": str(cost)})
    reply.on_done = started
    return reply
