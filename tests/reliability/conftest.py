"""Reliability suite fixtures: the real app against the cloud test server, a second
loopback server that records whatever reaches it (a key must never), and the fault
matrix printed at the end of the run (and written to build/fault-matrix.md)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.reliability import matrix
from tests.support.cloud_server import CREATOR_KEY
from tests.support.servers import run_server
from tests.ui.conftest import (  # noqa: F401 - fixtures shared with the UI tests
    Studio,
    qt_loop,
)

# -- the other host -------------------------------------------------------------------

@dataclass
class Recorder:
    """An ASGI app that answers 200 to anything and remembers what it was sent."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    body: bytes = b"ok"
    content_type: str = "text/plain"
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        while True:
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        with self.lock:
            self.requests.append({"method": scope["method"], "path": scope["path"],
                                  "headers": headers})
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", self.content_type.encode())]})
        await send({"type": "http.response.body", "body": self.body})

    def seen(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.requests)

    def clear(self) -> None:
        with self.lock:
            self.requests.clear()


@dataclass
class OtherHost:
    url: str
    recorder: Recorder

    def keys_seen(self) -> list[str]:
        return [r["headers"]["xi-api-key"] for r in self.recorder.seen()
                if "xi-api-key" in r["headers"]]


@pytest.fixture(scope="session")
def other_host() -> Iterator[OtherHost]:
    recorder = Recorder()
    with run_server(recorder) as url:
        yield OtherHost(url, recorder)


def dead_url() -> str:
    """A loopback address where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


DNS_FAILURE_URL = "https://no-such-host.invalid"


# -- the app, started and stopped as often as a test needs ------------------------------

@dataclass
class StudioFactory:
    qtbot: Any
    monkeypatch: pytest.MonkeyPatch
    base: Path
    started: list[Studio] = field(default_factory=list)
    count: int = 0

    def home(self, name: str | None = None) -> Path:
        self.count += 1
        return self.base / (name or f"home-{self.count}")

    def start(self, home: Path, *, cloud_url: str, key: str | None = CREATOR_KEY,
              read_timeout_s: float = 1.0, wait_ready: bool = True) -> Studio:
        from app.main import build_context
        from app.ui.main_window import MainWindow

        self.monkeypatch.setenv("XI_STUDIO_HOME", str(home))
        self.monkeypatch.setenv("ELEVENLABS_BASE_URL", cloud_url)
        self.monkeypatch.setenv("XI_STUDIO_READ_TIMEOUT_S", str(read_timeout_s))
        if key:
            self.monkeypatch.setenv("ELEVENLABS_API_KEY", key)
        else:
            self.monkeypatch.delenv("ELEVENLABS_API_KEY", raising=False)
        ctx = build_context()
        window = MainWindow(ctx)  # closed and deleted by stop(), also after a failure
        window.show()
        window.start()
        studio = Studio(window, ctx, home)
        self.started.append(studio)
        if wait_ready:
            self.qtbot.waitUntil(lambda: window.is_ready, timeout=20_000)
        return studio

    def stop(self, studio: Studio, timeout_s: float = 10.0) -> float:
        """Close the window as a user would and shut down; returns the seconds it took."""
        from app.main import shutdown

        started = time.monotonic()
        if studio in self.started:
            self.started.remove(studio)
        if studio.window.isVisible():
            studio.window.close()
        task = asyncio.ensure_future(shutdown(studio.ctx))
        self.qtbot.waitUntil(task.done, timeout=int(timeout_s * 1000))
        with contextlib.suppress(Exception):
            studio.window.deleteLater()
        return time.monotonic() - started


@pytest.fixture
def studios(qtbot: Any, request: pytest.FixtureRequest, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[StudioFactory]:
    request.getfixturevalue("qt_loop")  # the app's asyncio loop, driven by qtbot
    factory = StudioFactory(qtbot, monkeypatch, tmp_path)
    yield factory
    for studio in list(factory.started):
        with contextlib.suppress(Exception):
            factory.stop(studio)


def run_coroutine(qtbot: Any, factory: Callable[[], Any], timeout_s: float = 20.0
                  ) -> tuple[Any, BaseException | None, float]:
    """Run a coroutine on the app's loop (driven by qtbot): (result, exception, seconds)."""
    started = time.monotonic()
    task = asyncio.ensure_future(factory())
    qtbot.waitUntil(task.done, timeout=int(timeout_s * 1000))
    elapsed = time.monotonic() - started
    if task.cancelled():
        return None, asyncio.CancelledError(), elapsed
    return (task.result() if task.exception() is None else None), task.exception(), elapsed


# -- the matrix at the end ---------------------------------------------------------------

def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not matrix.has_results():
        return
    path = matrix.write_file()
    terminalreporter.section("fault matrix")
    terminalreporter.write(matrix.markdown())
    terminalreporter.write_line(f"(also written to {path})")
