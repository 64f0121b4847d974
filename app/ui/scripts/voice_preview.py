"""A voice's preview sample, played when ▶ is pressed beside it in the Scripts tab's
cast: fetched from the server's public URL (never a paid request), decoded and its
waveform worked out on worker threads, then shown and played in the player bar."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from app.api.responses import AUDIO_TYPES

if TYPE_CHECKING:
    from app.domain.wire import Voice
    from app.ui.app_context import AppContext
    from app.ui.qt_async import TaskRunner
    from app.ui.scripts.scripts_tab import ScriptsTab


class VoicePreview(QObject):
    PREVIEW = "scripts.preview"

    def __init__(self, tab: ScriptsTab, ctx: AppContext, runner: TaskRunner) -> None:
        super().__init__(tab)
        self._tab = tab
        self._ctx = ctx
        self._runner = runner
        runner.task_failed.connect(self._on_runner_task_failed)

    def preview(self, voice: Voice) -> None:
        self._runner.restart(self.PREVIEW, lambda: self._preview(voice))

    def cancel(self) -> None:
        self._runner.cancel(self.PREVIEW)

    async def _preview(self, voice: Voice) -> None:
        from app.audio.decode import decode_bytes
        from app.audio.peaks import compute_peaks

        if not voice.preview_url:
            # Not made up with a paid request: a click on ▶ should never spend credits
            # (nor go unrecorded in the usage ledger).
            self._tab.status.setText(
                f"{voice.name} has no preview sample on the server, so there is nothing to "
                "play. To hear this voice, generate one of its blocks.")
            return
        self._tab.status.setText(f"Fetching the preview of {voice.name}…")
        data = await self._ctx.client.fetch_public(voice.preview_url,
                                                 expect=AUDIO_TYPES)
        clip = await asyncio.to_thread(decode_bytes, data, None)
        peaks = await asyncio.to_thread(compute_peaks, clip, 800)
        self._ctx.player.load(clip)
        bar = self._tab.player_bar
        bar.show_clip(f"Preview: {voice.name}", peaks)
        self._ctx.player.play()
        bar.follow()
        self._tab.status.setText(f"Playing the preview of {voice.name}.")

    def _on_runner_task_failed(self, name: str, exc: object) -> None:
        if name == self.PREVIEW:
            self._tab.show_error(exc)
            self._tab.status.setText("The preview could not be played (the message above "
                                     "says why).")
