"""A raw-socket HTTP/1.1 server on 127.0.0.1 for answers no framework would send:
endless `100 Continue` lines, a body that drips a byte at a time, a gzip bomb, an upload
nobody reads, an audio stream that turns into JSON.

    async def handler(conn: RawConnection) -> None:
        await conn.read_head()
        await conn.send(b"HTTP/1.1 200 OK\\r\\n...")

    with serve_raw(handler) as url: ...

Each connection runs `handler` on the server's own event loop in a background thread;
the server stops (and drops every connection) when the block ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class RawConnection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    head: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    async def read_head(self) -> bytes:
        """The request line and headers (the body is left unread)."""
        self.head = await self.reader.readuntil(b"\r\n\r\n")
        for line in self.head.decode("latin-1").split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if name:
                self.headers[name.strip().lower()] = value.strip()
        return self.head

    async def read_body(self) -> bytes:
        length = int(self.headers.get("content-length", "0") or 0)
        return await self.reader.readexactly(length) if length else b""

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def answer(self, status: str, headers: dict[str, str], body: bytes) -> None:
        """A whole answer with a Content-Length, then close."""
        lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers.items()),
                 f"Content-Length: {len(body)}", "Connection: close", "", ""]
        await self.send("\r\n".join(lines).encode("latin-1") + body)

    async def start_chunked(self, status: str, headers: dict[str, str]) -> None:
        lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers.items()),
                 "Transfer-Encoding: chunked", "Connection: close", "", ""]
        await self.send("\r\n".join(lines).encode("latin-1"))

    async def chunk(self, data: bytes) -> None:
        if data:
            await self.send(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    async def end_chunked(self) -> None:
        await self.send(b"0\r\n\r\n")


Handler = Callable[[RawConnection], Awaitable[None]]


@dataclass
class RawServer:
    url: str
    connections: int = 0
    closed: threading.Event = field(default_factory=threading.Event)
    """Set when a handler saw the client go away (a reset or a closed socket)."""


@contextmanager
def serve_raw(handler: Handler) -> Iterator[RawServer]:
    loop = asyncio.new_event_loop()
    started = threading.Event()
    state: dict[str, object] = {}
    tasks: set[asyncio.Task[None]] = set()

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        server_state.connections += 1
        task = asyncio.current_task()
        if task is not None:
            tasks.add(task)
        try:
            await handler(RawConnection(reader, writer))
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            server_state.closed.set()
        finally:
            with contextlib.suppress(Exception):
                writer.close()
            if task is not None:
                tasks.discard(task)

    async def main() -> None:
        server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
        state["server"] = server
        state["port"] = server.sockets[0].getsockname()[1]
        started.set()
        async with server:
            await asyncio.Event().wait()  # until cancelled

    def run() -> None:
        asyncio.set_event_loop(loop)
        main_task = loop.create_task(main())
        state["main"] = main_task
        with contextlib.suppress(asyncio.CancelledError):
            loop.run_until_complete(main_task)
        loop.close()

    thread = threading.Thread(target=run, name="raw-test-server", daemon=True)
    server_state = RawServer("")
    thread.start()
    if not started.wait(10):
        raise RuntimeError("the raw test server did not start")
    server_state.url = f"http://127.0.0.1:{state['port']}"
    try:
        yield server_state
    finally:
        def stop() -> None:
            for task in list(tasks):
                task.cancel()
            main = state.get("main")
            if isinstance(main, asyncio.Task):
                main.cancel()

        loop.call_soon_threadsafe(stop)
        thread.join(10)


__all__ = ["RawConnection", "RawServer", "serve_raw"]
