"""Bring your own song: upload an audio file (`POST /v1/music/upload`, the plan
extracted), open its plan in the editor with every section kept as it sounds (its
`source_from` the uploaded song), so unticking Keep on a section re-makes only that one."""

from __future__ import annotations

import asyncio
import dataclasses
import os
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.api.errors import ApiProtocolError
from app.api.music_upload import MAX_UPLOAD_BYTES, MusicUploadService
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
        try:  # sent from disk as it goes: a 2-hour WAV (~1.2 GB) is never read whole
            audio = await asyncio.to_thread(path.open, "rb")
        except OSError as exc:  # moved or deleted since it was chosen, a folder, no access
            raise SongFileError(f"“{path.name}” could not be read: "
                                f"{exc.strerror or exc}.") from exc
        with audio:
            size = os.fstat(audio.fileno()).st_size
            if not size:  # (not sent: the upload is charged like a song)
                raise SongFileError(f"“{path.name}” is empty (0 bytes): there is no song in "
                                    "it.")
            if size > MAX_UPLOAD_BYTES:
                raise SongFileError(
                    f"“{path.name}” is {size / 1024 ** 3:.1f} GB, more than the "
                    f"{MAX_UPLOAD_BYTES // 1024 ** 3} GB a song can be: choose the song "
                    "itself, or a compressed copy (MP3, FLAC or OGG).")
            song, _info = await MusicUploadService(self._ctx.client).upload(
                audio, path.name, plan_model=model_id)
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


__all__ = ["AUDIO_FILTER", "OwnSongImport"]
