"""One window per data folder: a second launch hands its files to the running window.

Two copies on one data folder would both write the history and the drafts; and a user who
double-clicks a file while XI Studio is open expects it to open in that window. The first
copy takes a lock file (Qt's QLockFile: it notices when the process that held it has died)
and listens on a Unix-domain socket; a later copy that cannot take the lock sends its
command-line files over the socket, waits for the answer and exits. A crash leaves a
stale lock and socket: the next copy finds the holder dead, removes both and becomes the
first. The name comes from the user and the data folder, so copies with different
XI_STUDIO_HOMEs (tests, portable installs) do not meet.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import json
import logging
import os
import socket
import time
from functools import partial
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QDir, QLockFile, QObject, QSocketNotifier, Signal

from app import APP_NAME

log = logging.getLogger(__name__)

# The first copy may still be starting (lock taken, window not yet built) on a busy machine.
HANDOVER_TIMEOUT_S = 30.0
_ANSWER = b"ok\n"
_MAX_MESSAGE = 1 << 20  # far more than any command line's files
# Linux and macOS. Where Python has none (Windows), each launch opens its own window.
_HAS_UNIX_SOCKETS = hasattr(socket, "AF_UNIX")


def instance_name(data_dir: Path) -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "user"
    digest = hashlib.sha256(f"{user}\0{data_dir.expanduser().absolute()}".encode())
    return f"xi-studio-{digest.hexdigest()[:24]}"


class _Peer:
    """One later copy's connection: its bytes until the newline, read as they come."""

    def __init__(self, conn: socket.socket, notifier: QSocketNotifier) -> None:
        self.conn = conn
        self.notifier = notifier
        self.buffer = bytearray()

    def close(self) -> None:
        self.notifier.setEnabled(False)
        self.notifier.deleteLater()
        self.conn.close()


class SingleInstance(QObject):
    """`claim()` True: this is the first copy, `files_received` brings later copies' files.
    False: another copy runs; `hand_over(files)` sends them to it.

    The socket is a plain Unix-domain socket (Python's `socket`, watched by a
    QSocketNotifier on the event loop) where QLocalServer would put it, in Qt's
    temporary folder: loading QtNetwork for it cost start-up time and ~3 MB."""

    files_received = Signal(list)  # list[Path]

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = instance_name(data_dir)
        folder = Path(QDir.tempPath())
        self._lock = QLockFile(str(folder / f"{self.name}.lock"))
        # Stale only when its process is gone, never because it is old: a window stays
        # open for days.
        self._lock.setStaleLockTime(0)
        self.socket_path = folder / self.name
        self._server: socket.socket | None = None
        self._notifier: QSocketNotifier | None = None
        self._peers: dict[int, _Peer] = {}

    def claim(self) -> bool:
        if not self._lock.tryLock(0):
            if self._lock.error() == QLockFile.LockError.LockFailedError:
                return False  # another live copy holds it
            # The lock file cannot be written at all (temporary folder unusable): no rule,
            # rather than wait for a first copy that may not exist.
            log.warning("cannot take the single-instance lock (%s); no single-window rule",
                        self._lock.error())
            return True
        try:
            self._server = self._listen()
        except OSError as exc:
            log.warning("cannot listen as %s: %s; later copies will open their own window",
                        self.name, exc)
            return True
        self._notifier = QSocketNotifier(self._server.fileno(), QSocketNotifier.Type.Read,
                                         self)
        self._notifier.activated.connect(self._on_new_connection)
        return True

    def _listen(self) -> socket.socket:
        if not _HAS_UNIX_SOCKETS:
            raise OSError("this system has no Unix-domain sockets")
        # We hold the lock, so any socket left under the name is a dead copy's.
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            server.bind(str(self.socket_path))
            # Only this user may connect (as QLocalServer's UserAccessOption); set before
            # listen(), so nobody can connect in between.
            os.chmod(self.socket_path, 0o600)
            server.listen(8)
            server.setblocking(False)
        except OSError:
            server.close()
            raise
        return server

    def hand_over(self, files: list[Path], timeout_s: float = HANDOVER_TIMEOUT_S) -> bool:
        """Send `files` (absolute paths) to the first copy; True once it confirmed."""
        if not _HAS_UNIX_SOCKETS:  # the first copy cannot listen either: no rule
            return False
        message = json.dumps({"files": [str(Path(f).absolute()) for f in files]}).encode()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            answer = self._send(message + b"\n", deadline)
            if answer == _ANSWER:
                return True
            if answer is None:  # nobody listening (yet)
                time.sleep(0.1)
            if self._lock.tryLock(0):  # the first copy went away meanwhile: we are first
                self._lock.unlock()
                return False
        return False

    def _send(self, message: bytes, deadline: float) -> bytes | None:
        """The first copy's answer to `message`; None when it could not be reached."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            try:
                conn.settimeout(0.5)
                conn.connect(str(self.socket_path))
            except OSError:
                return None
            answer = b""
            try:
                conn.settimeout(max(0.001, deadline - time.monotonic()))
                conn.sendall(message)
                while not answer.endswith(b"\n"):
                    conn.settimeout(max(0.001, deadline - time.monotonic()))
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    answer += chunk
            except OSError:  # includes timeouts
                pass
            return answer

    def release(self) -> None:
        for peer in list(self._peers.values()):
            peer.close()
        self._peers.clear()
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier = None
        if self._server is not None:
            self._server.close()
            self._server = None
            with contextlib.suppress(OSError):
                self.socket_path.unlink()
        self._lock.unlock()

    def _on_new_connection(self, *_signal_args: object) -> None:
        server = self._server
        while server is not None:
            try:
                conn, _ = server.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                log.warning("could not accept a connection from another copy", exc_info=True)
                return
            conn.setblocking(False)
            notifier = QSocketNotifier(conn.fileno(), QSocketNotifier.Type.Read, self)
            peer = _Peer(conn, notifier)
            self._peers[conn.fileno()] = peer
            notifier.activated.connect(partial(self._read, peer))

    def _read(self, peer: _Peer, *_signal_args: object) -> None:
        try:
            while True:
                chunk = peer.conn.recv(65536)
                if not chunk:  # the other copy gave up before its message was whole
                    self._drop(peer)
                    return
                peer.buffer.extend(chunk)
                if len(peer.buffer) > _MAX_MESSAGE:
                    raise ValueError("message too long")
        except (BlockingIOError, InterruptedError):
            pass
        except (OSError, ValueError):
            log.warning("ignored an unreadable message from another copy")
            self._drop(peer)
            return
        if not peer.buffer.endswith(b"\n"):
            return  # more to come
        try:
            files = [Path(str(f)) for f in json.loads(bytes(peer.buffer))["files"]]
        except (ValueError, KeyError, TypeError):
            log.warning("ignored an unreadable message from another copy")
            self._drop(peer)
            return
        with contextlib.suppress(OSError):
            peer.conn.sendall(_ANSWER)  # three bytes: the socket buffer takes them at once
        self._drop(peer)
        log.info("another copy was started; it handed over %d file(s)", len(files))
        self.files_received.emit(files)

    def _drop(self, peer: _Peer) -> None:
        self._peers.pop(peer.conn.fileno(), None)
        peer.close()


def join_or_lead(data_dir: Path, files: list[Path]) -> SingleInstance | Literal[False] | None:
    """The first copy on `data_dir`: its SingleInstance. A later one: hands `files` to the
    first and gets None (it then exits 0). False: the first copy does not answer, so no
    rule (better a second window than none)."""
    instance = SingleInstance(data_dir)
    if instance.claim():
        return instance
    if instance.hand_over(files):
        print(f"{APP_NAME} is already open; the files were handed to its window.")
        return None
    if instance.claim():  # the first copy quit meanwhile
        return instance
    log.warning("another copy holds %s but does not answer; opening a window anyway",
                instance.name)
    return False
