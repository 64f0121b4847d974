"""GUI test fixtures: one qasync loop per test driven by qtbot.waitUntil, and the app
wired to real servers on loopback (the local engine, or the test cloud)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtWidgets import QApplication


@pytest.fixture
def qt_loop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """An asyncio loop running inside Qt's: qtbot.waitUntil spins both."""
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    yield loop
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    deadline = time.monotonic() + 10
    while any(not t.done() for t in pending) and time.monotonic() < deadline:
        qapp.processEvents()
    asyncio.events._set_running_loop(None)
    loop.stop()
    loop.close()
    asyncio.set_event_loop(None)


def save_screenshot(widget, name: str, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """Screenshots go to the test's folder, or to $XI_STUDIO_SCREENSHOTS when set (to
    refresh the README images); tests never write into the repository otherwise."""
    import os

    folder = Path(os.environ.get("XI_STUDIO_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    assert widget.grab().save(str(path))
    return path
