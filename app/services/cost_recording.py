"""Turns finished work into usage-ledger rows: one small function per kind of work, and
a `CostRecorder` that the places where work finishes call.

Which figure a row carries, in order:
1. the offline engine's work is free: 0 credits, not an estimate;
2. the server's own figure (the `character-cost` header) when the response had one;
3. otherwise our estimate (characters times the model's multiplier; seconds of audio at
   the plan's rate), labelled as an estimate;
4. otherwise unknown (None), never a made-up 0.

Recording is bookkeeping: `CostRecorder` never raises (a ledger that cannot be written
reports through the notice board, see app/library/ledger.py), so a generation never
fails because of it. No Qt: listeners are plain callables, called on the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from app.domain.cost import (
    TRANSCRIPTION_CREDITS_PER_MINUTE,
    estimate_credits_for_audio,
    estimate_credits_for_characters,
)
from app.library.ledger import (
    ALIGNMENT,
    CLOUD,
    DIALOGUE,
    ENGINE,
    MUSIC,
    SCRIPT_TAKE,
    SPEECH,
    STEMS,
    TRANSCRIPTION,
    VIDEO_MUSIC,
    Ledger,
    LedgerEntry,
)

if TYPE_CHECKING:
    from app.api.responses import ResponseInfo
    from app.domain.script import Script, Take
    from app.library.history import Generation
    from app.services.script_document import ScriptDocument

log = logging.getLogger(__name__)

Listener = Callable[[LedgerEntry], None]


def credits_and_estimate(reported: int | None, estimate: int | None,
                         source: str) -> tuple[int | None, bool]:
    """(credits, is an estimate) by the rule in the module doc."""
    if source == ENGINE:
        return 0, False
    if reported is not None:
        return reported, False
    if estimate is not None:
        return estimate, True
    return None, False


def _snippet(text: str, length: int = 48) -> str:
    line = " ".join(text.split())
    return line if len(line) <= length else line[: length - 1].rstrip() + "…"


# -- one function per kind ------------------------------------------------------------

def speech_row(*, text: str, title: str = "", model_id: str | None, reported: int | None,
               multiplier: float = 1.0, request_id: str | None = None,
               duration_ms: int | None = None, file: str | None = None,
               source: str = CLOUD) -> LedgerEntry:
    credits, estimated = credits_and_estimate(
        reported, estimate_credits_for_characters(len(text), multiplier), source)
    return LedgerEntry(SPEECH, title or _snippet(text), model_id=model_id,
                       characters=len(text), duration_ms=duration_ms, credits=credits,
                       estimated=estimated, source=source, request_id=request_id, file=file)


def music_row(*, title: str, model_id: str | None, reported: int | None,
              request_id: str | None = None, duration_ms: int | None = None,
              file: str | None = None, source: str = CLOUD) -> LedgerEntry:
    credits, estimated = credits_and_estimate(reported, None, source)
    return LedgerEntry(MUSIC, title, model_id=model_id, duration_ms=duration_ms,
                       credits=credits, estimated=estimated, source=source,
                       request_id=request_id, file=file)


def script_what(script: Script, script_path: Path | None) -> str:
    return script.title or (script_path.name.split(".")[0] if script_path else "Untitled script")


def script_take_row(*, script: Script, script_path: Path | None, block_id: str, take: Take,
                    multiplier: float = 1.0, source: str = CLOUD) -> LedgerEntry:
    block = script.block(block_id)
    credits, estimated = credits_and_estimate(
        take.character_cost, estimate_credits_for_characters(len(take.text), multiplier),
        source)
    return LedgerEntry(
        SCRIPT_TAKE, f"{script_what(script, script_path)}: {block.speaker} “"
        f"{_snippet(take.text, 32)}”", model_id=take.model_id, characters=len(take.text),
        duration_ms=take.duration_ms, credits=credits, estimated=estimated, source=source,
        request_id=take.request_id, script_path=str(script_path) if script_path else None,
        block_id=block_id, file=take.file)


def dialogue_row(*, script: Script, script_path: Path | None, takes: dict[str, Take],
                 multiplier: float = 1.0, source: str = CLOUD) -> LedgerEntry:
    """One row for one text-to-dialogue request (its cost is on the first take)."""
    made = list(takes.values())
    characters = sum(len(t.text) for t in made)
    reported = None if all(t.character_cost is None for t in made) \
        else sum(t.character_cost or 0 for t in made)
    credits, estimated = credits_and_estimate(
        reported, estimate_credits_for_characters(characters, multiplier), source)
    return LedgerEntry(
        DIALOGUE, f"{script_what(script, script_path)}: {len(made)} blocks as one dialogue",
        model_id=made[0].model_id if made else None, characters=characters,
        duration_ms=sum(t.duration_ms or 0 for t in made), credits=credits,
        estimated=estimated, source=source,
        request_id=made[0].request_id if made else None,
        script_path=str(script_path) if script_path else None,
        block_id=",".join(takes), file=made[0].file if made else None)


def stems_row(*, file: Path, info: ResponseInfo | None, duration_ms: int | None,
              source: str = CLOUD) -> LedgerEntry:
    credits, estimated = credits_and_estimate(
        info.character_cost if info else None, None, source)
    return LedgerEntry(STEMS, file.name, duration_ms=duration_ms, credits=credits,
                       estimated=estimated, source=source,
                       request_id=info.request_id if info else None, file=str(file))


def video_music_row(*, files: Iterable[Path], info: ResponseInfo | None,
                    duration_ms: int | None, source: str = CLOUD) -> LedgerEntry:
    names = [f.name for f in files]
    credits, estimated = credits_and_estimate(
        info.character_cost if info else None, None, source)
    return LedgerEntry(VIDEO_MUSIC, ", ".join(names), duration_ms=duration_ms,
                       credits=credits, estimated=estimated, source=source,
                       request_id=info.request_id if info else None,
                       file=names[0] if names else None)


def transcription_row(*, file: Path | None, title: str, model_id: str | None,
                      duration_ms: int | None, info: ResponseInfo | None,
                      credits_per_minute: float = TRANSCRIPTION_CREDITS_PER_MINUTE,
                      source: str = CLOUD, kind: str = TRANSCRIPTION) -> LedgerEntry:
    """A transcription (or, with `kind=ALIGNMENT`, a forced alignment): the server's
    figure when it gave one, else the audio's length at the plan's rate (an estimate)."""
    estimate = estimate_credits_for_audio(duration_ms, credits_per_minute) \
        if duration_ms else None
    credits, estimated = credits_and_estimate(
        info.character_cost if info else None, estimate, source)
    return LedgerEntry(kind, title, model_id=model_id, duration_ms=duration_ms,
                       credits=credits, estimated=estimated, source=source,
                       request_id=info.request_id if info else None,
                       file=str(file) if file else None)


def alignment_row(*, file: Path, text: str, duration_ms: int | None,
                  info: ResponseInfo | None,
                  credits_per_minute: float = TRANSCRIPTION_CREDITS_PER_MINUTE,
                  source: str = CLOUD) -> LedgerEntry:
    row = transcription_row(file=file, title=f"{file.name} (aligned)", model_id=None,
                            duration_ms=duration_ms, info=info,
                            credits_per_minute=credits_per_minute, source=source,
                            kind=ALIGNMENT)
    return replace(row, characters=len(text))


# -- the recorder ---------------------------------------------------------------------

class CostRecorder:
    """Where finished work is recorded. `source` is ENGINE or CLOUD, set by whoever
    connects the backend; `ledger` None records nothing (a tool without a data folder).
    `session_id` marks every row with the run of the app that made it (the status bar's
    "this session"); None leaves rows unmarked (`xi-studio render`)."""

    def __init__(self, ledger: Ledger | None, source: str = CLOUD,
                 credits_per_minute: float = TRANSCRIPTION_CREDITS_PER_MINUTE,
                 session_id: str | None = None) -> None:
        self.ledger = ledger
        self.source = source
        self.session_id = session_id
        self.credits_per_minute = credits_per_minute
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    async def add(self, entry: LedgerEntry) -> LedgerEntry | None:
        """Record `entry` (in a worker thread); never raises."""
        if self.ledger is None:
            return None
        if entry.session_id is None and self.session_id is not None:
            entry = replace(entry, session_id=self.session_id)
        try:
            added = await asyncio.shield(asyncio.to_thread(self.ledger.add, entry))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("the usage ledger could not record %s", entry.kind)
            return None
        for listener in list(self._listeners):
            try:
                listener(added)
            except Exception:
                log.exception("usage listener failed")
        return added

    # -- at the places where work finishes ----------------------------------------------
    async def generation(self, generation: Generation,
                         multiplier: float = 1.0) -> LedgerEntry | None:
        """A Speech or Music generation, from its History entry."""
        request_id = generation.request_ids[-1] if generation.request_ids else None
        file = str(generation.file_path) if generation.file_path else None
        if generation.kind == "music":
            entry = music_row(title=generation.title, model_id=generation.model_id,
                              reported=generation.character_cost, request_id=request_id,
                              duration_ms=generation.duration_ms, file=file,
                              source=self.source)
        else:
            entry = speech_row(text=generation.text, title=generation.title,
                               model_id=generation.model_id,
                               reported=generation.character_cost, multiplier=multiplier,
                               request_id=request_id, duration_ms=generation.duration_ms,
                               file=file, source=self.source)
        return await self.add(entry)

    async def script_take(self, document: ScriptDocument, block_id: str, take: Take,
                          multiplier: float = 1.0) -> LedgerEntry | None:
        try:
            entry = script_take_row(script=document.script, script_path=document.path,
                                    block_id=block_id, take=take, multiplier=multiplier,
                                    source=self.source)
        except KeyError:  # the block went away meanwhile
            return None
        return await self.add(entry)

    async def dialogue(self, document: ScriptDocument, takes: dict[str, Take],
                       multiplier: float = 1.0) -> LedgerEntry | None:
        if not takes:
            return None
        return await self.add(dialogue_row(script=document.script, script_path=document.path,
                                           takes=takes, multiplier=multiplier,
                                           source=self.source))

    async def stems(self, file: Path, info: ResponseInfo | None,
                    duration_ms: int | None) -> LedgerEntry | None:
        return await self.add(stems_row(file=file, info=info, duration_ms=duration_ms,
                                        source=self.source))

    async def video_music(self, files: Iterable[Path], info: ResponseInfo | None,
                          duration_ms: int | None) -> LedgerEntry | None:
        return await self.add(video_music_row(files=list(files), info=info,
                                              duration_ms=duration_ms, source=self.source))

    async def transcription(self, file: Path | None, title: str, model_id: str | None,
                            duration_ms: int | None,
                            info: ResponseInfo | None) -> LedgerEntry | None:
        return await self.add(transcription_row(
            file=file, title=title, model_id=model_id, duration_ms=duration_ms, info=info,
            credits_per_minute=self.credits_per_minute, source=self.source))

    async def alignment(self, file: Path, text: str, duration_ms: int | None,
                        info: ResponseInfo | None) -> LedgerEntry | None:
        return await self.add(alignment_row(
            file=file, text=text, duration_ms=duration_ms, info=info,
            credits_per_minute=self.credits_per_minute, source=self.source))


__all__ = ["CostRecorder", "alignment_row", "credits_and_estimate", "dialogue_row",
           "music_row", "script_take_row", "speech_row", "stems_row", "transcription_row",
           "video_music_row"]
