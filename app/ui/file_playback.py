"""Playing a saved audio file in the shared player: a History entry, a Transcripts source.

A short file is decoded whole (off the event loop) and shown with its waveform; a long one
plays from disk while its waveform is read in a second pass. Every tab shares the one
player, so a file that cannot be played is said in the banner of the tab on screen.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from app.ui.app_context import AppContext
from app.ui.errors import describe_error
from app.ui.qt_async import TaskRunner
from app.ui.widgets.error_banner import ErrorBanner
from app.ui.widgets.player_bar import PlayerBar

if TYPE_CHECKING:
    from app.audio.file_stream import FileStream

log = logging.getLogger(__name__)

TASK = "player.load"


class FilePlayback(QObject):
    def __init__(self, ctx: AppContext, runner: TaskRunner, player_bar: PlayerBar,
                 banner_in_view: Callable[[], ErrorBanner], parent: QObject | None = None
                 ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._player_bar = player_bar
        self._banner_in_view = banner_in_view
        self._file_stream: FileStream | None = None  # a long file playing from disk

    def play(self, path: Path, title: str, output_format: str | None = None) -> None:
        """Play `path` (the latest request wins over one still loading)."""
        self._runner.restart(TASK, lambda: self._load_and_play(path, title, output_format))

    async def _load_and_play(self, path: Path, title: str, output_format: str | None) -> None:
        from app.audio.decode import decode_file
        from app.audio.file_stream import is_long_file
        from app.audio.peaks import compute_peaks
        from app.domain.formats import OutputFormat

        fmt = OutputFormat.parse(output_format) if output_format else None
        if (fmt is None or not fmt.is_headerless) and await asyncio.to_thread(is_long_file,
                                                                             path):
            await self._stream_and_play(path, title)
            return
        try:
            clip = await asyncio.to_thread(decode_file, path, fmt)
        except Exception as exc:
            self._banner_in_view().show_message(describe_error(exc))
            return
        peaks = await asyncio.to_thread(compute_peaks, clip, 800)
        self.stop_file_stream()
        self._ctx.player.load(clip)
        self._player_bar.show_clip(title, peaks)
        self._ctx.player.play()
        self._player_bar.follow()

    async def _stream_and_play(self, path: Path, title: str) -> None:
        """A long file plays from disk (an hour decoded whole would take ~0.6 GB); its
        waveform is read in a second pass and shown when ready."""
        from app.audio.file_stream import FileStream, file_peaks

        stream = FileStream(self._ctx.player, path)
        self.stop_file_stream()
        try:
            await asyncio.to_thread(stream.start)
        except Exception as exc:
            self._banner_in_view().show_message(describe_error(exc))
            return
        self._file_stream = stream
        self._player_bar.show_clip(title, ())  # no peaks yet
        self._ctx.player.play()
        self._player_bar.follow()
        try:
            peaks = await asyncio.to_thread(file_peaks, path, 800, stream.stopping)
        except Exception:  # the sound plays on; only the picture is missing
            log.warning("no waveform for %s", path, exc_info=True)
            return
        if self._file_stream is stream and not stream.stopping.is_set():
            self._player_bar.show_clip(title, peaks)

    def stop_file_stream(self) -> None:
        """Stop reading a long file from disk (another clip, or quitting)."""
        stream, self._file_stream = self._file_stream, None
        if stream is not None:
            stream.stop()
