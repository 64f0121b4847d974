"""`POST /v1/music/detailed/stream`: the song and its details as Server-Sent Events.

The spec says only that the answer is `text/event-stream` with "events for composition
plan, song metadata, audio chunks (base64, optional word timestamps) and completion";
the event names and payloads are not published. This is the format XI Studio's engine
and its cloud test server send, and the one this parser reads (one event per blank-line
separated block; `event:` names it, `data:` is one JSON object whose `type` repeats the
name, so a reader that only sees data lines still knows what it holds):

    event: composition_plan   {"type", "composition_plan": MusicPrompt | CompositionPlan}
    event: song_metadata      {"type", "song_metadata": {title, description, genres, ...}}
    event: section            {"type", "index", "section_name", "start_ms", "end_ms"}
                              where a section really falls, sent as it is made (the
                              timeline updates while the song plays)
    event: audio_chunk        {"type", "audio_base64", "words_timestamps": [...] | null}
    event: done               {"type", "song_id", "duration_ms"}
    event: error              {"type", "detail": {"status", "message"}}  (then the end)

Comments (`:` lines) and unknown event types are skipped; `id:`/`retry:` are ignored.
Anything else that cannot be read (a data line that is not a JSON object, bad base64, an
event bigger than MAX_EVENT_BYTES, a stream that ends before `done`) raises
`DetailedStreamError` with plain words: the reader never waits for more than it was sent.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

from app.domain.music_detailed import DetailedResult, WordTiming
from app.domain.music_plan import Plan
from app.domain.music_plan_json import PlanFormatError, plan_from_json
from app.domain.music_section_times import (
    plan_times_problem,
    refused_times_words,
    timings_problem,
)

DETAILED_STREAM_PATH = "/v1/music/detailed/stream"
EVENT_STREAM_TYPE = "text/event-stream"
#: One event's text at most (an audio chunk of a few seconds is far less).
MAX_EVENT_BYTES = 8 * 1024 * 1024
EVENT_TYPES = ("composition_plan", "song_metadata", "section", "audio_chunk", "done",
               "error")


class DetailedStreamError(ValueError):
    """A detailed stream that cannot be read; plain words."""


@dataclass(frozen=True)
class StreamEvent:
    """One event: its type and its JSON payload (audio already decoded)."""

    type: str
    data: dict[str, Any]
    audio: bytes = b""


@dataclass(frozen=True)
class SectionTime:
    index: int
    name: str
    start_ms: int
    end_ms: int


class DetailedStreamParser:
    """Bytes in (any boundaries), events out: `feed(chunk)` -> events; `finish()` at the
    end of the body raises when the stream was cut short."""

    def __init__(self, max_event_bytes: int = MAX_EVENT_BYTES) -> None:
        self._buffer = bytearray()
        self._max = max_event_bytes
        self._event = ""
        self._data: list[str] = []
        self._size = 0
        self.done = False

    def feed(self, chunk: bytes) -> list[StreamEvent]:
        self._buffer += chunk
        events: list[StreamEvent] = []
        while True:
            end = self._buffer.find(b"\n")
            if end < 0:
                break
            raw = bytes(self._buffer[:end])
            del self._buffer[:end + 1]
            event = self._line(raw.rstrip(b"\r"))
            if event is not None:
                events.append(event)
        if len(self._buffer) + self._size > self._max:
            raise DetailedStreamError("The song's details stream sent an event too large to "
                                      "be one (it is damaged or not a detailed stream).")
        return events

    def finish(self) -> list[StreamEvent]:
        """The last event if the body ended without its blank line; raises when the
        stream ended before `done` or in the middle of an event."""
        events: list[StreamEvent] = []
        try:
            if self._buffer:
                tail = bytes(self._buffer).rstrip(b"\r")
                self._buffer.clear()
                event = self._line(tail)
                if event is not None:
                    events.append(event)
            if self._data or self._event:
                event = self._dispatch()
                if event is not None:
                    events.append(event)
        except DetailedStreamError:
            if self.done:
                raise
            events = []  # an event cut in the middle: the cut is what to say
        if not self.done:
            raise DetailedStreamError("The song's details stream ended before the song was "
                                      "complete (the connection may have dropped). Nothing "
                                      "was saved; compose again.")
        return events

    def _line(self, raw: bytes) -> StreamEvent | None:
        if not raw:
            return self._dispatch()
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DetailedStreamError("The song's details stream holds text that is not "
                                      "UTF-8 (it is damaged).") from exc
        if line.startswith(":"):
            return None  # a comment (keep-alive)
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
            self._size += len(value)
        elif name not in ("id", "retry"):
            raise DetailedStreamError(f"The song's details stream has a line this app cannot "
                                      f"read: {line[:60]!r}.")
        return None

    def _dispatch(self) -> StreamEvent | None:
        name, text = self._event, "\n".join(self._data)
        self._event, self._data, self._size = "", [], 0
        if not text:
            return None
        if self.done:
            raise DetailedStreamError("The song's details stream went on after it said the "
                                      "song was complete.")
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise DetailedStreamError("An event of the song's details stream is not valid "
                                      "JSON (the stream is damaged).") from exc
        if not isinstance(data, dict):
            raise DetailedStreamError("An event of the song's details stream is not a JSON "
                                      "object.")
        kind = name or str(data.get("type") or "")
        if kind not in EVENT_TYPES:
            return None  # a newer server's event: not ours to judge
        audio = b""
        if kind == "audio_chunk":
            encoded = data.get("audio_base64")
            if not isinstance(encoded, str):
                raise DetailedStreamError("An audio event of the song's details stream holds "
                                          "no audio.")
            try:
                audio = base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise DetailedStreamError("An audio event of the song's details stream is "
                                          "damaged (bad base64).") from exc
        if kind in ("done", "error"):
            self.done = True
        return StreamEvent(kind, data, audio)


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return round(value)
    except (ValueError, OverflowError):
        return None


def section_time(event: StreamEvent) -> SectionTime:
    """A `section` event's times; DetailedStreamError when they make no sense."""
    index, start, end = (_int(event.data.get(k)) for k in ("index", "start_ms", "end_ms"))
    if index is None or start is None or end is None or index < 0 or not 0 <= start <= end:
        raise DetailedStreamError("A section of the song's details stream has no usable "
                                  "times.")
    name = event.data.get("section_name")
    return SectionTime(index, name if isinstance(name, str) else "", start, end)


@dataclass
class DetailedStreamCollector:
    """Everything a detailed stream said, gathered as it arrives; `result()` at the end."""

    song_id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    plan: Plan | None = None
    sections: list[SectionTime] = field(default_factory=list)
    words: list[WordTiming] = field(default_factory=list)
    audio: bytearray = field(default_factory=bytearray)
    duration_ms: int | None = None
    finished: bool = False
    # What was wrong with the server's section times ("" when nothing): such times are
    # left out (the song itself is kept; it was paid for), and the user told why.
    times_problem: str = ""

    def add(self, event: StreamEvent) -> None:
        """Take one event in; raises DetailedStreamError for an `error` event (the
        server's own words). Section times that make no sense are left out."""
        data = event.data
        if event.type == "error":
            detail = data.get("detail")
            message = detail.get("message") if isinstance(detail, dict) else None
            raise DetailedStreamError(str(message or data.get("message")
                                          or "The server stopped the song with an error."))
        if event.type == "composition_plan" and isinstance(data.get("composition_plan"), dict):
            self.metadata["composition_plan"] = data["composition_plan"]
            try:
                self.plan = plan_from_json({"composition_plan": data["composition_plan"]})
            except PlanFormatError:
                self.plan = None
            problem = plan_times_problem(self.plan) if self.plan is not None else ""
            if problem:
                self.times_problem = self.times_problem or problem
                self.plan = None
                del self.metadata["composition_plan"]
        elif event.type == "song_metadata" and isinstance(data.get("song_metadata"), dict):
            self.metadata["song_metadata"] = data["song_metadata"]
        elif event.type == "section":
            try:
                time = section_time(event)
            except DetailedStreamError:
                self.times_problem = self.times_problem or "a section has no usable times"
                return
            problem = timings_problem([(time.start_ms, time.end_ms)])
            if problem:
                self.times_problem = self.times_problem or problem
                return
            self.sections = [s for s in self.sections if s.index != time.index] + [time]
            self.sections.sort(key=lambda s: s.index)
        elif event.type == "audio_chunk":
            self.audio += event.audio
            for item in data.get("words_timestamps") or []:
                if isinstance(item, dict) and isinstance(item.get("word"), str):
                    start, end = _int(item.get("start_ms")), _int(item.get("end_ms"))
                    if start is not None and end is not None:
                        self.words.append(WordTiming(item["word"], start, end))
        elif event.type == "done":
            self.finished = True
            if isinstance(data.get("song_id"), str) and data["song_id"]:
                self.song_id = self.song_id or data["song_id"]
            self.duration_ms = _int(data.get("duration_ms"))

    def section_timings_ms(self) -> list[tuple[int, int]]:
        """The sections' (start, end): the times the stream sent, else the plan's (all
        the plan's when some sent times were left out: a mix would not line up)."""
        if self.sections and not self.times_problem:
            return [(s.start_ms, s.end_ms) for s in self.sections]
        return self.plan.section_bounds_ms() if self.plan is not None else []

    def result(self, audio_content_type: str | None = None) -> DetailedResult:
        if not self.finished:
            raise DetailedStreamError("The song's details stream ended before the song was "
                                      "complete. Nothing was saved; compose again.")
        metadata = dict(self.metadata)
        if self.times_problem:
            metadata["section_times_refused"] = refused_times_words(self.times_problem)
        if self.words:
            metadata["words_timestamps"] = [
                {"word": w.word, "start_ms": w.start_ms, "end_ms": w.end_ms} for w in self.words]
        return DetailedResult(metadata=metadata, song_id=self.song_id,
                              section_timings_ms=self.section_timings_ms(),
                              audio=bytes(self.audio), audio_content_type=audio_content_type,
                              plan=self.plan, words=list(self.words))


def format_event(kind: str, payload: dict[str, Any]) -> bytes:
    """One event as the servers send it (the engine, the cloud test server)."""
    data = json.dumps({"type": kind, **payload}, ensure_ascii=False, separators=(",", ":"))
    return f"event: {kind}\ndata: {data}\n\n".encode()


def audio_event(audio: bytes, words: list[dict[str, Any]] | None = None) -> bytes:
    return format_event("audio_chunk", {"audio_base64": base64.b64encode(audio).decode(),
                                        "words_timestamps": words})


__all__ = ["DETAILED_STREAM_PATH", "EVENT_STREAM_TYPE", "EVENT_TYPES", "MAX_EVENT_BYTES",
           "DetailedStreamCollector", "DetailedStreamError", "DetailedStreamParser",
           "SectionTime", "StreamEvent", "audio_event", "format_event", "section_time"]
