"""Every reader of a file a person chose refuses what is not an ordinary saved file: a
link named chapter.txt to /dev/zero gave bytes forever, a named pipe blocked the reader
(or the window, for the Scripts sniff) until something wrote to it."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.library.bounded_read import read_bounded
from app.library.json_files import JsonFileError, read_json_file
from app.library.text_files import read_text_file
from app.ui.scripts.script_files import is_script_file

DEADLINE_S = 30.0  # generous: the answer comes at once; a hang never does


def release(fifo: Path) -> None:
    """Opens the pipe's other end for a moment, so a reader blocked on it (the defect)
    is let go instead of hanging the test run."""
    with contextlib.suppress(OSError):
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "chapter.txt"
    os.mkfifo(path)
    yield path
    release(path)


@pytest.fixture
def endless(tmp_path: Path) -> Path:
    link = tmp_path / "chapter.txt"
    link.symlink_to("/dev/zero")
    return link


def outcome(call: Callable[[], Any], fifo: Path | None = None) -> Any:
    """What `call` returned or raised, run in a thread with a generous deadline."""
    box: list[Any] = []

    def run() -> None:
        try:
            box.append(call())
        except BaseException as exc:  # the answer is what is checked
            box.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(DEADLINE_S)
    hung = thread.is_alive()
    if hung and fifo is not None:  # (only to end the test: a hang is the failure)
        release(fifo)
        thread.join(DEADLINE_S)
    assert not hung and box, "the reader was still reading or waiting"
    return box[0]


@pytest.mark.parametrize("kind", ["fifo", "endless"])
def test_text_and_json_readers_refuse_devices_and_pipes(kind: str, request: Any,
                                                       tmp_path: Path) -> None:
    path: Path = request.getfixturevalue(kind)
    got = outcome(lambda: read_text_file(path), path if kind == "fifo" else None)
    assert isinstance(got, OSError), got
    assert "chapter.txt is not an ordinary saved file" in str(got)
    got = outcome(lambda: read_bounded(path, 1024), path if kind == "fifo" else None)
    assert isinstance(got, OSError) and "not an ordinary saved file" in str(got)
    as_json = tmp_path / "plan.json"
    as_json.symlink_to(path)
    got = outcome(lambda: read_json_file(as_json), path if kind == "fifo" else None)
    assert isinstance(got, JsonFileError) and "plan.json is not an ordinary" in str(got)


def test_the_script_sniff_never_opens_a_pipe(fifo: Path) -> None:
    assert outcome(lambda: is_script_file(fifo), fifo) is False


def test_an_ordinary_file_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "chapter.txt"
    path.write_text("ANNA: Hello.\nBEN: Hi.\n")
    assert read_text_file(path).startswith("ANNA")
    assert is_script_file(path) is True
