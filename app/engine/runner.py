"""Run the engine with uvicorn: `run(host, port, data_dir)` (used by `xi-studio serve`).

Port 0 picks a free port. Once the server accepts connections it prints exactly one line,
`XI Studio engine listening on http://HOST:PORT`, on stdout (the launcher waits for it).
"""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import uvicorn

# Importing this module stays cheap (the launcher in the GUI process needs READY_PREFIX):
# the web stack is imported by run().
READY_PREFIX = "XI Studio engine listening on "
#: The per-launch token (see guard.py), passed by the launcher in the environment: never
#: on the command line, where other users of the computer could read it.
TOKEN_ENV = "XI_STUDIO_ENGINE_TOKEN"


def _bind(host: str, port: int) -> socket.socket:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    sock.bind(address)
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def url_for(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


async def _serve(server: uvicorn.Server, sock: socket.socket, url: str) -> bool:
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started and not task.done():
        await asyncio.sleep(0.01)
    if server.started:
        print(READY_PREFIX + url, flush=True)
    await task
    return server.started


def run(host: str = "127.0.0.1", port: int = 8765, data_dir: Path | None = None,
        token: str | None = None) -> int:
    """Serve until interrupted. Returns a process exit code. `token` (else $TOKEN_ENV):
    the only `xi-api-key` accepted; none = any key (for the official SDK)."""
    import os

    import uvicorn

    from app.engine.app import create_app
    from app.engine.parent_watch import watch_parent

    watch_parent()  # started by the app: end with it (see parent_watch.py)

    try:
        sock = _bind(host, port)
    except OSError as exc:
        print(f"XI Studio engine could not listen on {url_for(host, port)}: {exc}",
              file=sys.stderr, flush=True)
        return 1
    actual_port = sock.getsockname()[1]
    token = token or os.environ.pop(TOKEN_ENV, None) or None
    config = uvicorn.Config(
        create_app(data_dir, token=token, public_url=url_for(host, actual_port)),
        log_level="info",
        access_log=False,
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    try:
        started = asyncio.run(_serve(server, sock, url_for(host, actual_port)))
    except KeyboardInterrupt:
        started = True
    finally:
        sock.close()
    return 0 if started else 1
