"""One window per data folder: a second launch hands its files to the running window.

Two copies on one data folder would both write the history and the drafts; and a user who
double-clicks a file while XI Studio is open expects it to open in that window. The first
copy takes a lock file (Qt's QLockFile: it notices when the process that held it has died)
and listens on a local socket; a later copy that cannot take the lock sends its
command-line files over the socket, waits for the answer and exits. A crash leaves a
stale lock and socket: the next copy finds the holder dead, removes both and becomes the
first. The name comes from the user and the data folder, so copies with different
XI_STUDIO_HOMEs (tests, portable installs) do not meet.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import time
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QDir, QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from app import APP_NAME

log = logging.getLogger(__name__)

# The first copy may still be starting (lock taken, window not yet built) on a busy machine.
HANDOVER_TIMEOUT_S = 30.0
_ANSWER = b"ok\n"


def instance_name(data_dir: Path) -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "user"
    digest = hashlib.sha256(f"{user}\0{data_dir.expanduser().absolute()}".encode())
    return f"xi-studio-{digest.hexdigest()[:24]}"


class SingleInstance(QObject):
    """`claim()` True: this is the first copy, `files_received` brings later copies' files.
    False: another copy runs; `hand_over(files)` sends them to it."""

    files_received = Signal(list)  # list[Path]

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = instance_name(data_dir)
        self._lock = QLockFile(str(Path(QDir.tempPath()) / f"{self.name}.lock"))
        # Stale only when its process is gone, never because it is old: a window stays
        # open for days.
        self._lock.setStaleLockTime(0)
        self._server: QLocalServer | None = None

    def claim(self) -> bool:
        if not self._lock.tryLock(0):
            if self._lock.error() == QLockFile.LockError.LockFailedError:
                return False  # another live copy holds it
            # The lock file cannot be written at all (temporary folder unusable): no rule,
            # rather than wait for a first copy that may not exist.
            log.warning("cannot take the single-instance lock (%s); no single-window rule",
                        self._lock.error())
            return True
        # We hold the lock, so any socket left under the name is a dead copy's.
        QLocalServer.removeServer(self.name)
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            log.warning("cannot listen as %s: %s; later copies will open their own window",
                        self.name, server.errorString())
            return True
        server.newConnection.connect(self._on_new_connection)
        self._server = server
        return True

    def hand_over(self, files: list[Path], timeout_s: float = HANDOVER_TIMEOUT_S) -> bool:
        """Send `files` (absolute paths) to the first copy; True once it confirmed."""
        message = json.dumps({"files": [str(Path(f).absolute()) for f in files]}).encode()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            socket = QLocalSocket()
            socket.connectToServer(self.name)
            if socket.waitForConnected(500):
                socket.write(message + b"\n")
                socket.waitForBytesWritten(2000)
                answer = b""
                while not answer.endswith(b"\n") and socket.waitForReadyRead(
                        max(1, int((deadline - time.monotonic()) * 1000))):
                    answer += bytes(socket.readAll().data())
                socket.disconnectFromServer()
                if answer == _ANSWER:
                    return True
            else:
                time.sleep(0.1)
            if self._lock.tryLock(0):  # the first copy went away meanwhile: we are first
                self._lock.unlock()
                return False
        return False

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        self._lock.unlock()

    def _on_new_connection(self) -> None:
        server = self._server
        while server is not None and server.hasPendingConnections():
            socket = server.nextPendingConnection()
            buffer = bytearray()

            def read(socket: QLocalSocket = socket, buffer: bytearray = buffer) -> None:
                buffer.extend(bytes(socket.readAll().data()))
                if not buffer.endswith(b"\n"):
                    return
                try:
                    files = [Path(str(f)) for f in json.loads(bytes(buffer))["files"]]
                except (ValueError, KeyError, TypeError):
                    log.warning("ignored an unreadable message from another copy")
                    socket.disconnectFromServer()
                    return
                socket.write(_ANSWER)
                socket.flush()
                socket.disconnected.connect(socket.deleteLater)
                log.info("another copy was started; it handed over %d file(s)", len(files))
                self.files_received.emit(files)

            socket.readyRead.connect(read)


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
