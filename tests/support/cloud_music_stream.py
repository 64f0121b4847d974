"""`POST /v1/music/detailed/stream` for the cloud test server (tests/support/cloud_server.py):
the song and its details as Server-Sent Events in the format documented in
app/domain/music_detailed_stream.py (the spec names no events). The plan and metadata
come first; each section's event comes just before the audio of its share of the song,
so a client sees the section times while the audio is still arriving; `done` ends it.
The reply is sent in paced chunks like the other streamed songs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.domain.music_detailed_stream import audio_event, format_event
from app.domain.music_plan_json import plan_from_json

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.support.cloud_server import CloudConfig, Reply

DETAILED_STREAM_OPERATION = "compose_detailed_stream"
AUDIO_EVENT_BYTES = 4096  # audio bytes an event carries


def detailed_stream_reply(metadata: dict[str, Any], audio: bytes, song_id: str,
                          headers: dict[str, str], config: CloudConfig,
                          on_done: Callable[[bool], None]) -> Reply:
    from tests.support.cloud_server import Reply

    plan = plan_from_json({"composition_plan": metadata["composition_plan"]})
    total_ms = max(1, plan.total_ms)
    sections = [(i, s.name, start, start + s.duration_ms) for i, (s, start) in enumerate(
        zip(plan.sections, plan.section_starts_ms(), strict=True))]
    words = list(metadata.get("words_timestamps") or [])
    parts = [format_event("composition_plan", {"composition_plan": metadata["composition_plan"]}),
             format_event("song_metadata", {"song_metadata": metadata["song_metadata"]})]
    step = AUDIO_EVENT_BYTES
    for at in range(0, max(1, len(audio)), step):
        here_ms = at / max(1, len(audio)) * total_ms
        while sections and sections[0][2] <= here_ms:
            index, name, start, end = sections.pop(0)
            parts.append(format_event("section", {"index": index, "section_name": name,
                                                  "start_ms": start, "end_ms": end}))
        upto_ms = (at + step) / max(1, len(audio)) * total_ms
        sung = [w for w in words if w["start_ms"] < upto_ms]
        words = words[len(sung):]
        parts.append(audio_event(audio[at:at + step], sung or None))
    parts += [format_event("section", {"index": i, "section_name": n, "start_ms": a,
                                       "end_ms": b}) for i, n, a, b in sections]
    parts.append(format_event("done", {"song_id": song_id, "duration_ms": total_ms}))
    return Reply(200, {**headers, "content-type": "text/event-stream"}, b"".join(parts),
                 streamed=True, chunk_bytes=config.chunk_bytes,
                 chunk_delay_s=config.chunk_delay_s, on_done=on_done)


__all__ = ["DETAILED_STREAM_OPERATION", "detailed_stream_reply"]
