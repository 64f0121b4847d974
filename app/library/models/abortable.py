"""An httpx transport whose open connections can be cut from another thread.

A blocking read of a server that stalls only returns at the read timeout (30 s for model
downloads): closing the socket from another thread does not wake it on Linux, but
`shutdown()` does. So the transport keeps its live sockets, and `abort()` shuts them
down; the blocked read then fails at once with a transport error.

A connect that hangs (a hub behind a firewall that drops packets) has no socket to shut
down yet, and would hold Pause and Cancel up to the 10 s connect timeout. So each connect
runs in a helper thread the download waits for in short steps: `abort()` ends the wait
at once, and the helper closes its connection whenever the connect ends.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Callable, Iterable
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


_CONNECT_STEP_S = 0.05  # how often a waiting connect looks for an abort


class _PendingConnect:
    """One connect running in its own thread; `wait` returns its stream or raises."""

    def __init__(self, connect: Callable[[], httpcore.NetworkStream]) -> None:
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._abandoned = False
        self._stream: httpcore.NetworkStream | None = None
        self._error: BaseException | None = None
        self._connect = connect
        threading.Thread(target=self._run, name="model-connect", daemon=True).start()

    def _run(self) -> None:
        try:
            stream = self._connect()
        except BaseException as exc:  # handed to the waiting thread
            self._error = exc
            self._done.set()
            return
        with self._lock:
            abandoned = self._abandoned
            self._stream = stream
        if abandoned:  # nobody waits any more: do not leave the connection open
            stream.close()
        self._done.set()

    def wait(self, aborted: Callable[[], bool]) -> httpcore.NetworkStream:
        while not self._done.wait(_CONNECT_STEP_S):
            if aborted():
                with self._lock:
                    self._abandoned = self._stream is None
                if self._abandoned:
                    raise httpcore.ConnectError("the connection was stopped (pause or cancel)")
        if self._error is not None:
            raise self._error
        assert self._stream is not None
        return self._stream


class _AbortableBackend(httpcore.SyncBackend):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._streams: set[_TrackedStream] = set()
        self._aborts = 0  # a connect started before the latest abort gives up

    def track(self, stream: _TrackedStream) -> None:
        with self._lock:
            self._streams.add(stream)

    def forget(self, stream: _TrackedStream) -> None:
        with self._lock:
            self._streams.discard(stream)

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        aborts = self._aborts
        connect = super().connect_tcp
        pending = _PendingConnect(
            lambda: connect(host, port, timeout, local_address, socket_options))
        stream = pending.wait(lambda: self._aborts != aborts)
        tracked = _TrackedStream(stream, self)
        if self._aborts != aborts:  # aborted just as it connected: cut it like the others
            tracked.shutdown()
        return tracked

    def abort(self) -> None:
        with self._lock:
            self._aborts += 1
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
