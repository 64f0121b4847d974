"""Closing the window right after every tab was built: the tabs' first reads (the Music
versions list, started by a zero timer once the tab is built) began after the window had
cancelled its tasks, met the History database that quitting had just closed, and a task
failure was logged (`task music.versions failed: Cannot operate on a closed database`)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any


def test_closing_at_once_after_every_tab_was_built_fails_nothing(
        launch: Any, engine_url: str, qtbot: Any, caplog: Any) -> None:
    studio = launch(engine_url=engine_url)
    window = studio.window
    caplog.set_level(logging.INFO)
    failed: list[str] = []
    window.runner.task_failed.connect(lambda name, _exc: failed.append(name))
    started: list[str] = []
    window.tab_builder.build_all()
    window.close()  # at once: the tabs' first reads were only asked for
    window.runner.task_started.connect(started.append)
    studio.ctx.history.close()  # as quitting does next (app.main.shutdown)
    qtbot.wait(300)  # the tabs' zero timers fire now (counted below, not timed)
    from app.main import shutdown

    closing = asyncio.ensure_future(shutdown(studio.ctx))
    qtbot.waitUntil(closing.done, timeout=30_000)
    closing.result()
    problems = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert problems == [] and failed == [] and started == []
    assert window.statusBar().currentMessage() == ""
