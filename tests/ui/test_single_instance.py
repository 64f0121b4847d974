"""The single-window rule in one process: a later copy's files reach the first copy's
signal over the Unix-domain socket, a dead copy's socket file does not block, and an
unreadable message is dropped (the end-to-end cases with real processes are in
tests/reliability_ii/test_instances.py)."""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from typing import Any

from app.ui.single_instance import SingleInstance


def test_a_later_copy_hands_its_files_to_the_first(qtbot: Any, tmp_path: Path) -> None:
    first = SingleInstance(tmp_path / "data")
    assert first.claim()
    try:
        later = SingleInstance(tmp_path / "data")
        assert not later.claim()
        received: list[list[Path]] = []
        first.files_received.connect(received.append)
        result: list[bool] = []
        sender = threading.Thread(
            target=lambda: result.append(later.hand_over([tmp_path / "a.txt"], 20)))
        sender.start()
        qtbot.waitUntil(lambda: bool(result), timeout=20_000)
        sender.join()
        assert result == [True]
        assert received == [[(tmp_path / "a.txt").absolute()]]
    finally:
        first.release()
    assert not first.socket_path.exists()


def test_a_dead_copys_socket_file_does_not_block(tmp_path: Path) -> None:
    copy = SingleInstance(tmp_path / "data")
    copy.socket_path.write_bytes(b"")  # left behind by a crash
    try:
        assert copy.claim()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.connect(str(copy.socket_path))  # it listens there now
        assert copy.socket_path.stat().st_mode & 0o077 == 0  # only this user
    finally:
        copy.release()


def test_an_unreadable_message_is_dropped(qtbot: Any, tmp_path: Path) -> None:
    first = SingleInstance(tmp_path / "data")
    assert first.claim()
    received: list[list[Path]] = []
    first.files_received.connect(received.append)
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.connect(str(first.socket_path))
            conn.sendall(b"not json\n")
            conn.settimeout(0.05)
            answer: list[bytes] = []

            def closed() -> bool:
                try:
                    answer.append(conn.recv(10))
                except TimeoutError:
                    return False
                return True

            qtbot.waitUntil(closed, timeout=10_000)
        assert answer == [b""] and received == []
    finally:
        first.release()
