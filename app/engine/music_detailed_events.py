"""`POST /v1/music/detailed/stream` on the local engine: the song and its details as
Server-Sent Events, in the format `app.domain.music_detailed_stream` documents.

The plan and the song's metadata go first; then, as the renderer reaches each section,
a `section` event with where it really falls (the engine renders sections at exact
frame boundaries), followed by that stretch's audio in `audio_chunk` events (encoded a
STREAM_BLOCK_S block at a time, base64, with the words sung in it when asked for);
`done` closes the stream with the song id. A failure half-way ends it with an `error`
event, so a client never waits for a song that will not come.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from app.domain.formats import OutputFormat
from app.domain.music_detailed_stream import audio_event, format_event
from app.engine.encode import StreamEncoder
from app.engine.music_songs import RENDER_RATE_HZ, STREAM_BLOCK_S, Song
from app.engine.music_stream_render import RenderCancelled

log = logging.getLogger(__name__)


def detailed_events(song: Song, metadata: dict[str, Any], fmt: OutputFormat,
                    blocks: Iterable[np.ndarray]) -> Iterator[bytes]:
    """The SSE body for `song` (its mono blocks in order, as `Song.blocks` gives them)."""
    rate = RENDER_RATE_HZ
    yield format_event("composition_plan", {"composition_plan": metadata["composition_plan"]})
    yield format_event("song_metadata", {"song_metadata": metadata["song_metadata"]})
    words: list[dict[str, Any]] = list(metadata.get("words_timestamps") or [])
    sections = [(i, s.name, start, start + s.duration_ms) for i, (s, start) in enumerate(
        zip(song.plan.sections, song.plan.section_starts_ms(), strict=True))]
    encoder = StreamEncoder(fmt, rate)
    step = int(rate * STREAM_BLOCK_S)
    at = 0  # song frames encoded so far

    def announce(upto_ms: float) -> Iterator[bytes]:
        while sections and sections[0][2] <= upto_ms:
            index, name, start, end = sections.pop(0)
            yield format_event("section", {"index": index, "section_name": name,
                                           "start_ms": start, "end_ms": end})

    def sung(upto_ms: float) -> list[dict[str, Any]] | None:
        taken = []
        while words and words[0]["start_ms"] < upto_ms:
            taken.append(words.pop(0))
        return taken or None

    try:
        for block in blocks:
            for lo in range(0, len(block), step):
                piece = block[lo:lo + step]
                yield from announce(at * 1000 / rate)
                data = encoder.feed(piece)
                at += len(piece)
                if data:
                    yield audio_event(data, sung(at * 1000 / rate))
        yield from announce(float("inf"))
        tail = encoder.finish()
        if tail or words:
            yield audio_event(tail, sung(float("inf")))
    except RenderCancelled:
        return
    except Exception as exc:  # said in the stream: the status line has long been sent
        log.exception("the detailed stream of song %s failed", song.song_id)
        yield format_event("error", {"detail": {"status": "generation_failed", "message":
                                                f"The engine could not finish the song: "
                                                f"{exc}"}})
        return
    yield format_event("done", {"song_id": song.song_id,
                                "duration_ms": round(at * 1000 / rate)})


__all__ = ["detailed_events"]
