"""An httpx transport whose open connections can be cut from another thread.

A blocking read of a server that stalls only returns at the read timeout (30 s for model
downloads): closing the socket from another thread does not wake it on Linux, but
`shutdown()` does. So the transport keeps its live sockets, and `abort()` shuts them
down; the blocked read then fails at once with a transport error.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx


class _TrackedStream(httpcore.NetworkStream):
    """A network stream that registers itself (and its TLS successor) for `abort()`."""

    def __init__(self, inner: httpcore.NetworkStream, owner: _AbortableBackend) -> None:
        self._inner, self._owner = inner, owner
        owner.track(self)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._owner.forget(self)
        self._inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        self._owner.forget(self)  # the TLS stream takes the socket over
        return _TrackedStream(self._inner.start_tls(ssl_context, server_hostname, timeout),
                              self._owner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)

    def shutdown(self) -> None:
        sock = self._inner.get_extra_info("socket")
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):  # already closed: nothing to wake
                sock.shutdown(socket.SHUT_RDWR)


class _AbortableBackend(httpcore.SyncBackend):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._streams: set[_TrackedStream] = set()

    def track(self, stream: _TrackedStream) -> None:
        with self._lock:
            self._streams.add(stream)

    def forget(self, stream: _TrackedStream) -> None:
        with self._lock:
            self._streams.discard(stream)

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        return _TrackedStream(super().connect_tcp(host, port, timeout, local_address,
                                                  socket_options), self)

    def abort(self) -> None:
        with self._lock:
            streams = list(self._streams)
        for stream in streams:
            stream.shutdown()


class AbortableTransport(httpx.HTTPTransport):
    """`httpx.HTTPTransport` (no proxy) with `abort()`. httpx takes no network backend,
    so its connection pool is replaced by an equal one built with the tracking backend."""

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        super().__init__(verify=ssl_context)
        self._backend = _AbortableBackend()
        self._pool = httpcore.ConnectionPool(ssl_context=ssl_context, keepalive_expiry=5.0,
                                             network_backend=self._backend)

    def abort(self) -> None:
        """Cut every open connection: any read or write blocked on one fails now."""
        self._backend.abort()
