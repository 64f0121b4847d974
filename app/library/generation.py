"""What History keeps of one generation: the entry handed to `HistoryStore.add`, the row
read back (with the file name offered on export), and the error for audio that is gone.
Plain data, apart from the store (app/library/history.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

_UNSAFE_FILENAME = re.compile(r'[\x00-\x1f<>:"/\\|?*…]+')


@dataclass(slots=True)
class NewGeneration:
    """What a finished generation hands to `HistoryStore.add`."""

    kind: str
    title: str
    text: str
    voice_id: str | None
    voice_name: str | None
    model_id: str | None
    output_format: str
    settings_json: str
    request_ids: list[str]
    character_cost: int | None
    duration_ms: int
    file_path: Path | None
    session_id: str
    extra_json: str = "{}"


class AudioMissingError(FileNotFoundError):
    """The audio to copy is no longer there (its entry or its file was deleted): not a
    problem of the place it was being copied to."""


@dataclass(frozen=True, slots=True)
class Generation:
    """One history row. `file_path` is absolute (resolved against the audio folder);
    `created_at` is an ISO 8601 UTC string (the history model parses it), `created` the
    datetime."""

    id: int
    created_at: str
    kind: str
    title: str
    text: str
    voice_id: str | None
    voice_name: str | None
    model_id: str | None
    output_format: str
    settings_json: str
    request_ids: list[str] = field(hash=False)
    character_cost: int | None
    duration_ms: int
    file_path: Path | None
    session_id: str
    extra_json: str
    file_exists: bool

    @property
    def created(self) -> datetime:
        """When it was made; the start of 1970 for a date that cannot be read (a damaged
        row), so lists still sort and show it."""
        try:
            return datetime.fromisoformat(self.created_at)
        except ValueError:
            return datetime(1970, 1, 1, tzinfo=UTC)

    @property
    def extension(self) -> str:
        if self.file_path is not None and self.file_path.suffix:
            return self.file_path.suffix.lstrip(".").lower()
        return _extension_for_format(self.output_format)

    @property
    def suggested_filename(self) -> str:
        """A safe, readable name for exporting, e.g. '2026-11-25 1412 Hello world.mp3'."""
        when = self.created.astimezone().strftime("%Y-%m-%d %H%M")
        title = " ".join(_UNSAFE_FILENAME.sub(" ", self.title).split())[:80].strip(" .")
        stem = f"{when} {title}" if title else f"{when} {self.kind or 'audio'}"
        return f"{stem}.{self.extension}"


def _extension_for_format(output_format: str | None) -> str:
    from app.domain.formats import OutputFormat

    if not output_format:
        return "audio"
    try:
        return OutputFormat.parse(output_format).file_extension
    except ValueError:
        codec = output_format.split("_", 1)[0].lower()
        return codec if codec.isalnum() else "audio"
