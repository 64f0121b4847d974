"""GUI test fixtures: one qasync loop per test driven by qtbot.waitUntil, and the real
app (the composition root's own context) wired to real servers on loopback: the local
engine, or the test server that plays the cloud."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtWidgets import QApplication, QWidget

from tests.support.cloud_server import CREATOR_KEY
from tests.support.servers import run_server


@pytest.fixture
def qt_loop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """An asyncio loop running inside Qt's: qtbot.waitUntil spins both."""
    from app.ui.event_loop import AppEventLoop
    from app.ui.qt_async import install_asyncgen_hooks

    loop = AppEventLoop(qapp, already_running=True)  # as app.main.run_gui has it
    asyncio.set_event_loop(loop)
    old_hooks = sys.get_asyncgen_hooks()
    install_asyncgen_hooks(loop)  # as app.main.run_gui does
    yield loop
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    deadline = time.monotonic() + 10
    while any(not t.done() for t in pending) and time.monotonic() < deadline:
        qapp.processEvents()
    closing = asyncio.ensure_future(loop.shutdown_asyncgens(), loop=loop)
    while not closing.done() and time.monotonic() < deadline:
        qapp.processEvents()
    sys.set_asyncgen_hooks(*old_hooks)
    asyncio.events._set_running_loop(None)
    # Not loop.stop(): it calls QApplication.exit(), which leaves Qt's own event loop
    # refusing to run timers for every later test in the session.
    loop._QEventLoop__is_running = False  # type: ignore[attr-defined]
    loop.close()
    asyncio.set_event_loop(None)


def save_screenshot(widget: QWidget, name: str, tmp_path: Path) -> Path:
    """Screenshots go to the test's folder, or to $XI_STUDIO_SCREENSHOTS when set (to
    refresh the README images); tests never write into the repository otherwise."""
    folder = Path(os.environ.get("XI_STUDIO_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    assert widget.grab().save(str(path))
    return path


# -- servers ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def engine_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real local engine, served on loopback for the whole session."""
    from app.engine.app import create_app

    with run_server(create_app(tmp_path_factory.mktemp("engine"))) as url:
        yield url


# -- the app ---------------------------------------------------------------------------

@dataclass
class Studio:
    window: Any  # MainWindow
    ctx: Any  # AppContext
    home: Path

    def find(self, cls: type, name: str) -> Any:
        widget = self.window.findChild(cls, name)
        if widget is None and not self.window.all_tabs_built:
            # A tab is built when first shown; a test may reach into any of them.
            self.window.build_all_tabs()
            widget = self.window.findChild(cls, name)
        assert widget is not None, f"no {cls.__name__} named {name!r}"
        return widget


@pytest.fixture
def launch(qtbot: Any, qapp: QApplication, qt_loop: qasync.QEventLoop, xi_home: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Studio]]:
    """Start the app as `xi-studio` would (app.main.build_context, MainWindow), against
    the cloud test server (`cloud_url` + `key`) or the local engine (`engine_url`)."""
    started: list[Studio] = []

    def start(*, cloud_url: str | None = None, key: str | None = CREATOR_KEY,
              engine_url: str | None = None, wait_ready: bool = True) -> Studio:
        from app.main import build_context
        from app.ui.app_style import install_app_style
        from app.ui.main_window import MainWindow

        install_app_style(qapp)  # as run_gui does

        if cloud_url is not None:
            monkeypatch.setenv("ELEVENLABS_BASE_URL", cloud_url)
            if key:
                monkeypatch.setenv("ELEVENLABS_API_KEY", key)
        if engine_url is not None:
            monkeypatch.setenv("XI_STUDIO_ENGINE_URL", engine_url)
        ctx = build_context()
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        window.show()
        window.start()
        studio = Studio(window, ctx, xi_home)
        started.append(studio)
        if wait_ready:
            try:
                qtbot.waitUntil(lambda: window.is_ready, timeout=30_000)
            except Exception as exc:
                raise AssertionError(
                    f"the window did not become ready: badge {window.backend_badge.text()!r}, "
                    f"status {window.speech_tab.status.text()!r}") from exc
        return studio

    yield start

    import shiboken6

    for studio in started:
        # (pytest-qt may already have closed and deleted the windows it was given.)
        if shiboken6.isValid(studio.window) and studio.window.isVisible():
            studio.window.close()
        from app.main import shutdown

        task = asyncio.ensure_future(shutdown(studio.ctx))
        qtbot.waitUntil(task.done, timeout=10_000)


# -- the Music tab's two servers -------------------------------------------------------

@dataclass
class MusicBackend:
    """The server a Music tab test runs against: the local engine or the cloud test
    server, each recording what the app sent (method, path, query, JSON body)."""
    kind: str  # "engine" or "cloud"
    url: str
    requests: Callable[[], list[dict[str, Any]]]
    forget_songs: Callable[[], None]  # plays a server that no longer keeps its songs

    def launch_options(self) -> dict[str, str]:
        return {"engine_url": self.url} if self.kind == "engine" else {"cloud_url": self.url}


@pytest.fixture(params=["engine", "cloud"])
def music_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MusicBackend]:
    """Each acceptance test of the Music tab runs against both servers."""
    if request.param == "cloud":
        from tests.support.cloud_songs import forget_songs

        cloud = request.getfixturevalue("cloud")
        # Songs as long as their plan, as the engine makes them (not the usual short tone).
        cloud.control.configure(max_seconds=120.0)
        yield MusicBackend("cloud", cloud.url, cloud.control.requests,
                           lambda: forget_songs(cloud.server))
        return
    from app.engine.app import create_app
    from app.engine.song_store_registry import song_store_for
    from tests.support.recording import RecordingApp

    folder = tmp_path / "engine"
    app = RecordingApp(create_app(folder))
    with run_server(app) as url:
        yield MusicBackend("engine", url, lambda: list(app.requests),
                           lambda: song_store_for(folder).forget())


def emulate_screen(window: Any, width: int) -> None:
    """The window acts as on a screen `width` logical pixels wide (the offscreen test
    screen is 800 wide): a tab stacks its columns only where they would not fit."""
    window.narrow_screen.room = lambda: width
    window.narrow_screen.fit()
