"""Text to dialogue for the cloud test server (tests/support/cloud_server.py).

Each input line is a tone of its own pitch (one per voice), with a short pause between
lines; with timestamps, the alignment covers the lines joined by one space and
`voice_segments` say which stretch belongs to which line, as the API's answers do.
Charged like text to speech (characters × the model's rate), counted in
`stats.generations`, subject to the account's quota and concurrency limit. Only the
models in `CloudConfig.dialogue_models` make dialogues; any other model, listed or not,
is refused with 400 `unsupported_model` naming it (`param: model_id`).
"""

from __future__ import annotations

import base64
import json
import math
import uuid
from typing import TYPE_CHECKING, Any

import numpy as np

from app.audio.clip import AudioClip
from app.audio.encode import encode_clip
from app.domain.formats import OutputFormat

if TYPE_CHECKING:
    from tests.support.cloud_server import Account, CloudServer, Reply

DIALOGUE_OPERATIONS = {
    "text_to_dialogue": (False, False),  # (streamed, with timestamps)
    "text_to_dialogue_stream": (True, False),
    "text_to_dialogue_full_with_timestamps": (False, True),
    "text_to_dialogue_stream_with_timestamps": (True, True),
}
PAUSE_S = 0.2
DEFAULT_MODEL = "eleven_v3"


def _tone(seconds: float, rate: int, frequency_hz: float) -> np.ndarray:
    frames = max(1, int(rate * seconds))
    t = np.arange(frames) / rate
    samples = 0.3 * np.sin(2 * np.pi * frequency_hz * t)
    fade = min(frames // 4, int(0.02 * rate))
    if fade:
        ramp = np.linspace(0.0, 1.0, fade)
        samples[:fade] *= ramp
        samples[-fade:] *= ramp[::-1]
    return samples.astype(np.float32)


def _alignment(text: str, start_s: float, end_s: float) -> dict[str, Any]:
    step = (end_s - start_s) / max(1, len(text))
    return {"characters": list(text),
            "character_start_times_seconds": [round(start_s + i * step, 4)
                                              for i in range(len(text))],
            "character_end_times_seconds": [round(start_s + (i + 1) * step, 4)
                                            for i in range(len(text))]}


def dialogue_reply(server: CloudServer, op_id: str, one: dict[str, str],
                   body: dict[str, Any], account: Account) -> Reply:
    from tests.support.cloud_server import Reply, _voice_not_found, error_reply

    streamed, timestamps = DIALOGUE_OPERATIONS[op_id]
    inputs: list[dict[str, str]] = body["inputs"]
    if not inputs:
        return error_reply(400, "empty_inputs", "A dialogue needs at least one input.")
    voices = list(dict.fromkeys(i["voice_id"] for i in inputs))
    if len(voices) > 10:
        return error_reply(400, "too_many_voices", "At most 10 different voices.")
    for item in inputs:
        if server._voice(item["voice_id"]) is None:
            return _voice_not_found(item["voice_id"])
    model_id = body.get("model_id") or DEFAULT_MODEL
    model = next((m for m in server.models if m["model_id"] == model_id), None)
    if model is None:
        return error_reply(400, "model_not_found", f"A model with id {model_id} was not found.",
                           param="model_id")
    if model_id not in server.config.dialogue_models:
        # Listed in /v1/models (it may even speak text), but not a dialogue model.
        takes = ", ".join(server.config.dialogue_models) or "none at the moment"
        return error_reply(400, "unsupported_model",
                           f"The model {model_id} does not support text to dialogue. "
                           f"Models that do: {takes}.", new_shape=True, param="model_id")
    text_chars = sum(len(i["text"]) for i in inputs)
    rates = model.get("model_rates") or {}
    cost = max(1, math.ceil(text_chars * float(rates.get("character_cost_multiplier", 1.0))
                            * float(rates.get("cost_discount_multiplier", 1.0))))
    fmt = OutputFormat.parse(one.get("output_format", "mp3_44100_128"))
    with server.lock:
        left = account.character_limit - account.character_count
        if cost > left:
            return error_reply(401, "quota_exceeded",
                               f"This request exceeds your quota of {account.character_limit}. "
                               f"You have {max(0, left)} credits remaining, while {cost} "
                               "credits are required for this request.")
        if account.in_flight >= account.concurrency_limit:
            return error_reply(429, "too_many_concurrent_requests",
                               f"Concurrent request limit of {account.concurrency_limit} "
                               "reached.", new_shape=True)
        account.in_flight += 1
        account.character_count += cost
        stats = server.stats
        stats.generations[op_id] = stats.generations.get(op_id, 0) + 1
        stats.in_flight += 1

    def done(disconnected: bool) -> None:
        with server.lock:
            account.in_flight -= 1
            stats.in_flight -= 1
            stats.completed += 0 if disconnected else 1

    config = server.config
    rate = fmt.sample_rate_hz
    parts: list[np.ndarray] = []
    segments: list[dict[str, Any]] = []
    alignments: list[dict[str, Any]] = []
    clock, offset = 0.0, 0
    for index, item in enumerate(inputs):
        seconds = round(min(config.max_seconds, max(config.min_seconds,
                                                    len(item["text"]) * config.seconds_per_char)),
                        2)
        frequency = 300.0 + 80.0 * voices.index(item["voice_id"])
        parts.append(_tone(seconds, rate, frequency))
        segments.append({"voice_id": item["voice_id"], "start_time_seconds": round(clock, 4),
                         "end_time_seconds": round(clock + seconds, 4),
                         "character_start_index": offset,
                         "character_end_index": offset + len(item["text"]),
                         "dialogue_input_index": index})
        text = item["text"] + (" " if index + 1 < len(inputs) else "")
        part = _alignment(item["text"], clock, clock + seconds)
        if index + 1 < len(inputs):
            parts.append(np.zeros(int(PAUSE_S * rate), np.float32))
            part["characters"].append(" ")
            part["character_start_times_seconds"].append(round(clock + seconds, 4))
            part["character_end_times_seconds"].append(round(clock + seconds + PAUSE_S, 4))
            clock += PAUSE_S
        alignments.append(part)
        clock += seconds
        offset += len(text)
    headers = {"request-id": uuid.uuid4().hex, "character-cost": str(cost),
               "current-concurrent-requests": str(account.in_flight),
               "maximum-concurrent-requests": str(account.concurrency_limit)}
    if not timestamps:
        audio = encode_clip(AudioClip(np.concatenate(parts), rate), fmt)
        headers["content-type"] = fmt.mime_type
        return Reply(200, headers, audio, streamed=streamed, chunk_bytes=config.chunk_bytes,
                     chunk_delay_s=config.chunk_delay_s if streamed else 0.0, on_done=done)
    headers["content-type"] = "application/json"
    if not streamed:
        joined: dict[str, Any] = {"characters": [], "character_start_times_seconds": [],
                                  "character_end_times_seconds": []}
        for part in alignments:
            for key in joined:
                joined[key] += part[key]
        audio = encode_clip(AudioClip(np.concatenate(parts), rate), fmt)
        data = {"audio_base64": base64.b64encode(audio).decode(), "alignment": joined,
                "normalized_alignment": joined, "voice_segments": segments}
        return Reply(200, headers, json.dumps(data).encode(), on_done=done)
    lines = []
    pieces = [np.concatenate(parts[i * 2:i * 2 + 2]) for i in range(len(inputs))]
    for piece, part, segment in zip(pieces, alignments, segments, strict=True):
        audio = encode_clip(AudioClip(piece, rate), fmt)
        lines.append(json.dumps({"audio_base64": base64.b64encode(audio).decode(),
                                 "alignment": part, "normalized_alignment": part,
                                 "voice_segments": [segment]}) + "\n")
    payload = "".join(lines).encode()
    return Reply(200, headers, payload, streamed=True,
                 chunk_bytes=max(1, len(payload) // len(lines)),
                 chunk_delay_s=config.chunk_delay_s, on_done=done)
