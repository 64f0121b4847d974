"""Bring your own song: upload an audio file (`POST /v1/music/upload`, the plan
extracted), open its plan in the editor with every section kept as it sounds (its
`source_from` the uploaded song), so unticking Keep on a section re-makes only that one.

The file goes from disk a piece at a time and says how far it got (`progress`), so a
2-hour WAV (~1.2 GB) is seen moving and Stop upload ends it between two pieces. The upload
is priced like a song: a paid answer goes on the usage ledger, also when it is unusable."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.api.client import ResponseInfo
from app.api.errors import ApiProtocolError, paid_answer
from app.api.music_upload import MAX_UPLOAD_BYTES, MusicUploadService, UploadedSong
from app.api.upload_file import UploadFile
from app.domain.music_plan import SongRef
from app.domain.music_plan_json import PlanFormatError, plan_from_json
from app.ui.app_context import AppContext
from app.ui.music.compose_request import KeepBase
from app.ui.music.music_files import SongFileError
from app.ui.music.plan_editor import PlanEditor
from app.ui.qt_async import TaskRunner

AUDIO_FILTER = "Audio (*.mp3 *.wav *.flac *.ogg *.m4a *.aac *.opus);;All files (*)"


class OwnSongImport(QObject):
    finished = Signal(str)  # what happened, in plain words
    failed = Signal(object)  # the exception
    # Bytes sent, bytes in all: at most once per tenth of a percent (a 1.2 GB file is
    # read in ~18,000 pieces; the status line needs far fewer).
    progress = Signal(int, int)

    TASK = "music.upload"

    def __init__(self, ctx: AppContext, runner: TaskRunner, editor: PlanEditor,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx, self._runner, self._editor = ctx, runner, editor
        runner.task_failed.connect(self._on_task_failed)
        runner.reports(self.TASK)

    def _on_task_failed(self, name: str, exc: object) -> None:
        if name == self.TASK:
            self.failed.emit(exc)

    def upload(self, path: str | Path, model_id: str) -> None:
        self._runner.restart(self.TASK, lambda: self._upload(Path(path), model_id))

    def cancel(self) -> None:
        self._runner.cancel(self.TASK)

    async def _upload(self, path: Path, model_id: str) -> None:
        song = await self._send(path, model_id)
        # The server's answer, not a file of the user's: its faults are said as the server's.
        if song.composition_plan is None:
            raise ApiProtocolError("The server kept the song but sent no plan for it.")
        try:
            plan = plan_from_json(song.composition_plan)
        except PlanFormatError as exc:
            raise ApiProtocolError(f"The server's plan of the song could not be read: "
                                   f"{exc}") from exc
        bounds = []
        for index, start in enumerate(plan.section_starts_ms()):
            section = plan.sections[index]
            end = start + section.duration_ms
            bounds.append((start, end))
            plan.sections[index] = dataclasses.replace(
                section, source=SongRef(song.song_id, start, end))
        label = f"your song “{path.name}”"
        self._editor.set_plan(plan, "Bring your own song")
        self._editor.set_keep_base(KeepBase(song.song_id, label,
                                            tuple(s.name for s in plan.sections),
                                            tuple(bounds)))
        how = ("estimated from the audio (offline: where the music changes)"
               if song.estimated else "as the server heard them")
        self.finished.emit(f"{len(plan.sections)} sections of {label}, {how}, all kept. "
                           "Untick Keep on the sections to re-make, then Compose.")


    async def _send(self, path: Path, model_id: str) -> UploadedSong:
        """The file to the server, from disk as it goes; its paid answer on the ledger."""
        shown = -1

        def sent(done: int, total: int) -> None:
            nonlocal shown
            step = done * 1000 // total if total else 1000
            if step != shown:
                shown = step
                self.progress.emit(done, total)

        try:  # sent from disk as it goes: a 2-hour WAV (~1.2 GB) is never read whole
            audio = await asyncio.to_thread(UploadFile, path, sent)
        except OSError as exc:  # moved or deleted since it was chosen, a folder, no access
            raise SongFileError(f"“{path.name}” could not be read: "
                                f"{exc.strerror or exc}.") from exc
        with audio:  # closed however it ends: sent, refused or stopped
            if not audio.total:  # (not sent: the upload is charged like a song)
                raise SongFileError(f"“{path.name}” is empty (0 bytes): there is no song in "
                                    "it.")
            if audio.total > MAX_UPLOAD_BYTES:
                raise SongFileError(
                    f"“{path.name}” is {audio.total / 1024 ** 3:.1f} GB, more than the "
                    f"{MAX_UPLOAD_BYTES // 1024 ** 3} GB a song can be: choose the song "
                    "itself, or a compressed copy (MP3, FLAC or OGG).")
            try:
                song, info = await MusicUploadService(self._ctx.client).upload(
                    audio, path.name, plan_model=model_id)
            except ApiProtocolError as exc:
                paid = paid_answer(exc)
                if paid is not None:
                    await self._record_paid(path, model_id, paid, " (answer unusable)")
                raise
        await self._record_paid(path, model_id, info, "")
        return song

    async def _record_paid(self, path: Path, model_id: str, info: ResponseInfo,
                           note: str) -> None:
        """The upload on the usage ledger: the contract prices it like composing a song,
        and `character-cost` says what this one cost."""
        from app.services.cost_recording import music_row

        costs = self._ctx.costs
        await costs.add(music_row(
            title=f"Your song “{path.name}” uploaded{note}", model_id=model_id,
            reported=info.character_cost, request_id=info.request_id, file=str(path),
            source=costs.source))


__all__ = ["AUDIO_FILTER", "OwnSongImport"]
