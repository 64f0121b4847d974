"""`POST /v1/music/video-to-music` for the cloud test server (tests/support/cloud_server.py).

The query and the multipart form are checked against the spec (the form against
`Body_Video_to_Music_v1_music_video_to_music_post`: 1-10 `videos`, each sent as a file,
an optional `description`, up to 10 `tags`, the model), then the limits its description
gives: 200 MB and 600 s in all. Each video must hold pictures (read with PyAV); a file
without them gets 422, the answer the spec gives for invalid videos, naming it.

The answer is music as long as the videos played one after another (the API combines
them in order), a tone whose pitch changes at each video's start (330 Hz, then 440, 550,
...), so a test can hear which part of the music lies under which video. It is charged
and counted like music (`stats.generations["video_to_music"]`), and the checked form is
kept in `_stt_music["video_forms"]` for tests to read.
"""

from __future__ import annotations

import io
import math
import uuid
from typing import TYPE_CHECKING, Any

import numpy as np

from app.audio.clip import AudioClip
from app.audio.encode import encode_clip
from app.domain.formats import OutputFormat
from tests.support.cloud_audio_form import CheckedForm

if TYPE_CHECKING:
    from tests.support.cloud_server import CloudServer, Reply

VIDEO_OPERATION = "video_to_music"
VIDEO_FORM_SCHEMA = "Body_Video_to_Music_v1_music_video_to_music_post"
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_TOTAL_S = 600.0
FIRST_PITCH_HZ, PITCH_STEP_HZ = 330.0, 110.0


def picture_seconds(data: bytes) -> float | None:
    """How long a video's pictures last (end of the last picture); None without any."""
    import av

    try:
        with av.open(io.BytesIO(data), "r") as container:
            if not container.streams.video:
                return None
            stream = container.streams.video[0]
            end, pictures = 0.0, 0
            for packet in container.demux(stream):
                if packet.size == 0:
                    continue
                pictures += 1
                if packet.pts is not None and packet.time_base is not None:
                    end = max(end, float((packet.pts + (packet.duration or 0))
                                         * packet.time_base))
    except Exception:  # PyAV's errors: not a video
        return None
    return end if pictures else None


def video_music(lengths_s: list[float], fmt: OutputFormat) -> bytes:
    """A tone per video, each at its own pitch, one after another, encoded as `fmt`."""
    rate = fmt.sample_rate_hz
    pieces = []
    for index, seconds in enumerate(lengths_s):
        t = np.arange(round(seconds * rate), dtype=np.float64) / rate
        tone = 0.3 * np.sin(2 * np.pi * (FIRST_PITCH_HZ + PITCH_STEP_HZ * index) * t)
        fade = min(len(tone) // 4, int(0.01 * rate))  # no click where the pitch changes
        if fade:
            ramp = np.linspace(0.0, 1.0, fade)
            tone[:fade] *= ramp
            tone[-fade:] *= ramp[::-1]
        pieces.append(tone)
    samples = np.concatenate(pieces).astype(np.float32)
    return encode_clip(AudioClip(samples, rate), fmt)


def video_to_music_reply(server: CloudServer, operation: Any, query: dict[str, list[str]],
                         headers: dict[str, str], body: bytes) -> Reply:
    from tests.support import spec as spec_module
    from tests.support.cloud_audio_form import checked_form
    from tests.support.cloud_server import (
        MUSIC_CONCURRENCY,
        MUSIC_CREDITS_PER_SECOND,
        PLANS,
        Reply,
        error_reply,
        validation_reply,
    )

    query_errors = spec_module.query_errors(operation, query)
    form = checked_form(server, headers, body, VIDEO_FORM_SCHEMA, query_errors)
    if not isinstance(form, CheckedForm):
        return form
    videos = [p for p in form.parts if p.name == "videos"]
    not_files = [i for i, p in enumerate(videos) if p.filename is None]
    if not_files:
        return validation_reply([{"loc": ["body", "videos", i], "msg": "Expected UploadFile, "
                                  "received: <class 'str'>", "type": "value_error"}
                                 for i in not_files])
    if sum(len(p.value) for p in videos) > MAX_TOTAL_BYTES:
        return validation_reply([{"loc": ["body", "videos"], "msg": "The videos are larger "
                                  "than 200MB together.", "type": "value_error"}])
    lengths: list[float] = []
    for index, part in enumerate(videos):
        seconds = picture_seconds(part.value)
        if seconds is None:
            return validation_reply([{"loc": ["body", "videos", index],
                                      "msg": f"“{part.filename}” is not a video with "
                                      "pictures.", "type": "value_error"}])
        lengths.append(seconds)
    if sum(lengths) > MAX_TOTAL_S:
        return validation_reply([{"loc": ["body", "videos"], "msg": "The videos last longer "
                                  "than 600 seconds together.", "type": "value_error"}])
    with server.lock:
        account = server.accounts[headers["xi-api-key"]]  # known: checked_form asked
    limit = MUSIC_CONCURRENCY.get(account.tier, 2)
    if limit <= 0:
        return error_reply(403, "only_for_creator+", "Music generation is not available on "
                           "the free plan.")
    fmt = OutputFormat.parse(query.get("output_format", ["mp3_44100_128"])[0])
    needed = fmt.minimum_plan
    if needed is not None and PLANS.index(account.tier) < PLANS.index(needed.lower()):
        return error_reply(403, "output_format_not_allowed", f"The output format {fmt.value} "
                           f"requires the {needed} plan or above.", param="output_format")
    cost = max(1, math.ceil(sum(lengths) * MUSIC_CREDITS_PER_SECOND))
    started = server._start_work(account, "music", VIDEO_OPERATION, cost, limit)
    if isinstance(started, Reply):
        return started
    with server.lock:
        server._stt_music_state().setdefault("video_forms", []).append(form.instance)
    audio = video_music(lengths, fmt)
    return Reply(200, {"content-type": fmt.mime_type, "request-id": uuid.uuid4().hex,
                       "character-cost": str(cost)}, audio, on_done=started)
