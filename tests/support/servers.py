"""Run an ASGI app on 127.0.0.1 in a background thread, for tests.

    with run_server(app) as base_url:
        httpx.get(base_url + "/v1/models")

The server binds port 0 (a free port), is listening before the block starts and shuts
down cleanly (in-flight requests get `shutdown_timeout_s` to finish) when it ends.

Each request's ASGI scope carries `scope["extensions"]["xi.abort_connection"]`, a
callable that drops the TCP connection at once: test servers use it to play network
failures (a connection closed before any answer, a body cut off mid-way).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

ASGIApp = Callable[..., Any]
ABORT_EXTENSION = "xi.abort_connection"


class _Connections:
    """Open transports by peer address, so the app can drop a connection on purpose."""

    def __init__(self) -> None:
        self._by_peer: dict[tuple[str, int], asyncio.Transport] = {}

    def add(self, transport: asyncio.Transport) -> None:
        peer = transport.get_extra_info("peername")
        if peer:
            self._by_peer[(peer[0], peer[1])] = transport

    def remove(self, transport: asyncio.Transport) -> None:
        peer = transport.get_extra_info("peername")
        if peer and self._by_peer.get((peer[0], peer[1])) is transport:
            del self._by_peer[(peer[0], peer[1])]

    def get(self, client: Any) -> asyncio.Transport | None:
        if not client:
            return None
        return self._by_peer.get((client[0], client[1]))


def _protocol_class(connections: _Connections) -> type[H11Protocol]:
    class TrackingProtocol(H11Protocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            connections.add(transport)

        def connection_lost(self, exc: Exception | None) -> None:
            connections.remove(self.transport)
            super().connection_lost(exc)

    return TrackingProtocol


def _with_abort(app: ASGIApp, connections: _Connections) -> ASGIApp:
    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            transport = connections.get(scope.get("client"))
            if transport is not None:
                extensions = dict(scope.get("extensions") or {})
                extensions[ABORT_EXTENSION] = transport.abort
                scope = {**scope, "extensions": extensions}
        await app(scope, receive, send)

    return wrapped


@contextmanager
def run_server(app: ASGIApp, *, port: int = 0, shutdown_timeout_s: float = 2.0,
               start_timeout_s: float = 10.0) -> Iterator[str]:
    """Serve `app` on loopback (a free port unless `port` is given); yields the base URL
    (no trailing slash)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    port = sock.getsockname()[1]
    connections = _Connections()
    config = uvicorn.Config(
        _with_abort(app, connections),
        http=_protocol_class(connections),
        lifespan="off",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=int(max(1, shutdown_timeout_s)),
        timeout_keep_alive=5,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name=f"test-server-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(shutdown_timeout_s + 3)
        if thread.is_alive():
            server.force_exit = True
            thread.join(5)
        sock.close()


__all__ = ["ABORT_EXTENSION", "run_server"]
