"""One job of the transcription queue: a recording (a file or a web address), the
settings it is sent with, where it stands, and its saved form in the queue file. A job
found "running" in the file was cut off when the app closed: it waits again."""

from __future__ import annotations

import contextlib
import math
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from app.domain.stt_options import TranscriptionOptions
from app.domain.stt_options_json import options_from_json, options_to_json

JobState = Literal["waiting", "running", "done", "failed", "cancelled"]
STATES: tuple[JobState, ...] = ("waiting", "running", "done", "failed", "cancelled")
INTERRUPTED = "Interrupted when XI Studio closed; it starts again by itself."


@dataclass
class QueueJob:
    job_id: str
    source: str  # a file path, or a web address (http/https)
    options: TranscriptionOptions = field(default_factory=TranscriptionOptions)
    title: str = ""
    state: JobState = "waiting"
    fraction: float = 0.0  # of the upload; the transcription itself has no measure
    phase: str = ""  # what a running job is doing, in words
    reason: str = ""  # why it failed (or a note, e.g. that it was interrupted)
    transcript_path: str | None = None
    generation_id: int | None = None
    added_at: float = field(default_factory=time.time)

    @property
    def is_url(self) -> bool:
        return self.source.startswith(("http://", "https://"))

    @property
    def is_finished(self) -> bool:
        return self.state in ("done", "failed", "cancelled")

    def to_json(self) -> dict[str, Any]:
        return {"job_id": self.job_id, "source": self.source,
                "options": options_to_json(self.options), "title": self.title,
                "state": self.state, "reason": self.reason,
                "transcript_path": self.transcript_path,
                "generation_id": self.generation_id, "added_at": self.added_at}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> QueueJob | None:
        source = data.get("source")
        if not isinstance(source, str) or not source:
            return None
        state = data.get("state") if data.get("state") in STATES else "waiting"
        reason = str(data.get("reason") or "")
        if state == "running":  # the app stopped while it ran: it starts again
            state, reason = "waiting", INTERRUPTED
        generation_id = data.get("generation_id")
        transcript_path = data.get("transcript_path")
        added_at = data.get("added_at")
        return cls(
            job_id=str(data.get("job_id") or uuid.uuid4().hex),
            source=source, options=options_from_json(data.get("options")),
            title=str(data.get("title") or ""), state=state,  # type: ignore[arg-type]
            reason=reason,
            transcript_path=transcript_path if isinstance(transcript_path, str) else None,
            generation_id=generation_id if isinstance(generation_id, int) else None,
            added_at=_time_or_now(added_at))


def _time_or_now(value: Any) -> float:
    """A saved time, or now: float() of a 400-digit number raised OverflowError, and the
    queue could then neither load nor take a new job."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        with contextlib.suppress(OverflowError):
            number = float(value)
            if math.isfinite(number):
                return number
    return time.time()


__all__ = ["INTERRUPTED", "STATES", "JobState", "QueueJob"]
