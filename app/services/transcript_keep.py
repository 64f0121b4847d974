"""Transcribe one recording (a file or a web address) and keep the result: the JSON in
the app's data folder, the server's extra formats beside it, an entry in History.

Shared by the Transcripts tab (one file, opened at once) and the transcription queue
(many files, in the background), so both keep a transcript the same way. No Qt here:
file writes and History run in worker threads.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.api.client import ResponseInfo
from app.api.errors import ApiProtocolError
from app.api.transcripts import ProgressCallback, TranscriptsService
from app.domain import json_io
from app.domain.stt_options import TranscriptionOptions
from app.domain.transcript import XI_STUDIO_KEY, Transcript, TranscriptFormatError
from app.domain.transcript_edit import TranscriptEdits, load_saved, to_api_json
from app.domain.transcript_parse import load_json, parse_transcript
from app.library.atomic import atomic_write_bytes, atomic_write_text
from app.library.history import Generation, HistoryStore, NewGeneration

if TYPE_CHECKING:
    from app.services.cost_recording import CostRecorder

KIND = "transcript"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class TranscriptSource:
    """Where a transcript lives on this computer and what it came from."""

    saved_path: Path | None = None  # the JSON kept in the app's data folder
    audio_path: Path | None = None
    generation_id: int | None = None
    title: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Kept:
    """A transcript just made and kept."""

    original: Transcript
    source: TranscriptSource
    info: ResponseInfo | None
    generation: Generation | None  # None when it was listed in History before
    saved_formats: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class KeepPlace:
    """Where transcripts are kept: the folder, History and this session's id."""

    folder: Path
    history: HistoryStore
    session_id: str


def saved_json(original: Transcript, edits: TranscriptEdits,
               source: TranscriptSource) -> dict[str, Any]:
    """What is written to the data folder: the API shape with the edits applied (and
    the originals kept), plus the linked audio and title under `xi_studio`."""
    data = to_api_json(original, edits)
    extra = data.setdefault(XI_STUDIO_KEY, {})
    if source.audio_path is not None:
        extra["audio_path"] = str(source.audio_path)
    if source.title:
        extra["title"] = source.title
    return data


def read_saved(data: bytes | str | dict[str, Any]
               ) -> tuple[Transcript, TranscriptEdits, dict[str, Any]]:
    """Open a saved transcript: (server transcript, edits, XI Studio's own notes such as
    the linked audio). Raises TranscriptFormatError (a ValueError)."""
    whole = load_json(data)
    original, edits = load_saved(whole)
    notes: dict[str, Any] = {}
    extra = whole.get(XI_STUDIO_KEY) if isinstance(whole, dict) else None
    if isinstance(extra, dict):
        for key in ("audio_path", "title"):
            if isinstance(extra.get(key), str):
                notes[key] = extra[key]
    return original, edits, notes


def options_settings(options: TranscriptionOptions | None) -> dict[str, Any]:
    """The settings a transcript was made with, as History keeps them."""
    if options is None:
        return {}
    return {"model_id": options.model_id, "language_code": options.language_code,
            "diarize": options.diarize, "num_speakers": options.num_speakers,
            "timestamps_granularity": options.timestamps_granularity,
            "tag_audio_events": options.tag_audio_events,
            "use_multi_channel": options.use_multi_channel, "keyterms": list(options.keyterms),
            "no_verbatim": options.no_verbatim}


def keep_files(place: KeepPlace, original: Transcript, edits: TranscriptEdits,
               source: TranscriptSource, options: TranscriptionOptions | None,
               raw: dict[str, Any] | None, info: ResponseInfo | None,
               ) -> tuple[Generation | None, list[Path]]:
    """Save a copy in the data folder and list it in History (once per transcript):
    (the new History entry or None, the extra formats written). Blocking: run it in a
    worker thread."""
    if source.saved_path is None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        name = _UNSAFE.sub("-", original.transcription_id or Path(source.title).stem
                           or "transcript").strip("-")[:60] or "transcript"
        source.saved_path = _free_path(place.folder / f"{stamp}-{name}.json")
    try:
        text = json_io.dumps(saved_json(original, edits, source))
    except RecursionError as exc:  # read at the edge of the limit, written from deeper
        raise TranscriptFormatError("The transcript is nested too deeply (hundreds of "
                                    "levels) to be kept.") from exc
    atomic_write_text(source.saved_path, text)
    formats = save_formats(raw, source.saved_path) if raw is not None else []
    if source.generation_id is not None:
        return None, formats
    generation = place.history.add(NewGeneration(
        kind=KIND,
        title=source.title or f"Transcript {original.transcription_id or ''}".strip(),
        text=original.text[:2000],
        voice_id=None, voice_name=None,
        model_id=options.model_id if options else None,
        output_format="json",
        settings_json=json.dumps(options_settings(options)),
        request_ids=[info.request_id] if info and info.request_id else [],
        character_cost=None,
        duration_ms=original.duration_ms,
        file_path=source.audio_path,
        session_id=place.session_id,
        extra_json=json.dumps({"transcript_path": str(source.saved_path),
                               "transcription_id": original.transcription_id}),
    ))
    source.generation_id = generation.id
    return generation, formats


def _free_path(path: Path) -> Path:
    """`path`, or `path` with -2, -3... when a transcript of that name (made in the
    same second, e.g. by the queue) is already there."""
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


def save_formats(raw: dict[str, Any], beside: Path) -> list[Path]:
    """The extra formats the server made (SRT, text, Word...), saved next to the JSON."""
    items: list[Any] = list(raw.get("additional_formats") or [])
    for chunk in raw.get("transcripts") or []:
        if isinstance(chunk, dict) and not items:
            items = list(chunk.get("additional_formats") or [])
    written: list[Path] = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("content"), str):
            continue
        extension = _UNSAFE.sub("", str(item.get("file_extension") or
                                        item.get("requested_format") or "txt")) or "txt"
        content = item["content"]
        data = base64.b64decode(content) if item.get("is_base64_encoded") else \
            content.encode("utf-8")
        written.append(atomic_write_bytes(beside.with_suffix(f".{extension}"), data))
    return written


async def transcribe_and_keep(service: TranscriptsService, place: KeepPlace,
                              source: Path | str, options: TranscriptionOptions,
                              progress: ProgressCallback | None = None,
                              title: str | None = None,
                              costs: CostRecorder | None = None) -> Kept:
    """Transcribe a recording (a local file, or a web address given as a str starting
    with http) and keep the transcript. Raises what the service raises. With `costs`,
    the transcription is written to the ledger as soon as it is paid for (before
    keeping, so a full disk cannot hide a charge)."""
    is_link = isinstance(source, str) and re.match(r"https?://", source) is not None
    audio_path = None if is_link else Path(source)
    name = title or (str(source).rstrip("/").rsplit("/", 1)[-1] or str(source) if is_link
                     else Path(source).name)
    try:
        if audio_path is None:
            raw, info = await service.create_from_url(str(source), options)
        else:
            raw, info = await service.create(audio_path, options, progress)
    except ApiProtocolError as exc:
        if costs is not None and exc.info is not None:  # answered (paid), then unusable
            await costs.transcription(audio_path, name, options.model_id, None, exc.info)
        raise
    try:
        original = await asyncio.to_thread(parse_transcript, raw)
    except TranscriptFormatError:
        if costs is not None:  # answered, so paid for, though it cannot be read
            await costs.transcription(audio_path, name, options.model_id, None, info)
        raise
    if costs is not None:
        await costs.transcription(audio_path, name, options.model_id,
                                  original.duration_ms or None, info)
    kept_source = TranscriptSource(audio_path=audio_path, title=name)
    generation, formats = await asyncio.to_thread(
        keep_files, place, original, TranscriptEdits(), kept_source, options, raw, info)
    return Kept(original, kept_source, info, generation, formats)


__all__ = [
    "KIND",
    "KeepPlace",
    "Kept",
    "TranscriptSource",
    "keep_files",
    "options_settings",
    "read_saved",
    "save_formats",
    "saved_json",
    "transcribe_and_keep",
]
