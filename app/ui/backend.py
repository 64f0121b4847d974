"""Chooses where requests go: the ElevenLabs cloud (with a key) or the local engine.

Both speak the same HTTP API, so the tabs never know which one they talk to; only the
badge in the status bar does ("Offline voices" or "ElevenLabs cloud").
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from app.library.ledger import CLOUD as CLOUD_SOURCE
from app.library.ledger import ENGINE
from app.ui.app_context import CLOUD, OFFLINE, AppContext
from app.ui.qt_async import TaskRunner

if TYPE_CHECKING:  # the launcher is imported when the engine is needed, not at start-up
    from app.engine.launcher import LocalEngineProcess

log = logging.getLogger(__name__)


class BackendController(QObject):
    connecting = Signal()
    connected = Signal(str)  # OFFLINE or CLOUD
    failed = Signal(object)  # exception

    TASK = "backend.connect"

    def __init__(self, ctx: AppContext, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._engine: LocalEngineProcess | None = None

    # The mode is kept in the context, so a dialog that only has the context (Stems...)
    # asks the same fact the window does.
    @property
    def mode(self) -> str | None:
        return self._ctx.backend_mode

    @mode.setter
    def mode(self, mode: str | None) -> None:
        self._ctx.backend_mode = mode

    @property
    def is_offline(self) -> bool:
        return self._ctx.is_offline

    def connect_backend(self) -> None:
        """(Re)connect: after start-up and whenever the key or base URL changes."""
        self.mode = None
        self.connecting.emit()
        self._runner.start(self.TASK, self._connect)

    async def _connect(self) -> None:
        try:
            key = await asyncio.to_thread(self._read_key_and_prepare)
            if key:
                self._ctx.client.reconfigure(base_url=self._ctx.settings.base_url, api_key=key)
                self.mode = CLOUD
            else:
                from app.engine.launcher import external_engine_key

                url = self._ctx.engine_url or await self._start_engine()
                # The engine's per-launch token travels as the key (see app/engine/guard.py).
                token = self._engine.token if self._engine is not None and \
                    not self._ctx.engine_url else external_engine_key()
                self._ctx.client.reconfigure(base_url=url, api_key=token)
                self.mode = OFFLINE
        except Exception as exc:
            log.exception("could not connect a backend")
            self.failed.emit(exc)
            return
        self._ctx.costs.source = ENGINE if self.mode == OFFLINE else CLOUD_SOURCE
        self.connected.emit(self.mode)

    def _read_key_and_prepare(self) -> str | None:
        """In a worker thread: the keychain and the TLS certificates are slow to load."""
        key = self._ctx.key_store.get()
        self._ctx.client.prepare()
        return key

    async def _start_engine(self) -> str:
        from app.engine.launcher import LocalEngineProcess

        if self._engine is None:
            self._engine = LocalEngineProcess(log_path=self._ctx.paths.log_dir / "engine.log")
        if not self._engine.running:
            # Starting a process and waiting for its ready line blocks: keep it off the loop.
            await asyncio.to_thread(self._engine.start)
        return self._engine.base_url

    def shutdown(self) -> None:
        if self._engine is not None:
            self._engine.stop()
            self._engine = None
