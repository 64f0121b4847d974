"""Every file the app reads, fed damaged: empty, cut short, random, another type, other
encodings, NUL bytes, 50 MB, a folder, a link loop, a named pipe nobody writes to, no
permission, JSON of the wrong shape, damaged SQLite. Each reader (as the app calls it)
must return something safe or raise its own error with plain words: never another
exception, never a hang (each runs under a generous deadline, in a thread, so a blocked
open fails the test instead of stopping the run)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from app.ui.errors import describe_error
from tests.reliability_files.damage import FILE_DAMAGE, JSON_DAMAGE, db_damage
from tests.reliability_files.readers import (
    DB_READERS,
    FILE_READERS,
    HISTORY_WRONG_COLUMNS,
    LEDGER_WRONG_COLUMNS,
    Reader,
)

DEADLINE_S = 30.0  # generous: a hang, not slowness, is what fails

CASES = [(reader, damage) for reader in FILE_READERS
         for damage in [*FILE_DAMAGE, *(JSON_DAMAGE if reader.json else ())]]
WRONG_COLUMNS = {"history_db": HISTORY_WRONG_COLUMNS, "ledger_db": LEDGER_WRONG_COLUMNS}
DB_CASES = [(reader, damage) for reader in DB_READERS
            for damage in db_damage(WRONG_COLUMNS[reader.name])]


def run_with_deadline(call: Any) -> tuple[str, Any]:
    """("ok", result) or ("raised", exception); fails the test on a hang. The thread is a
    daemon: one stuck on a pipe does not keep the test run from ending."""
    outcome: list[tuple[str, Any]] = []

    def work() -> None:
        try:
            outcome.append(("ok", call()))
        except BaseException as exc:  # judged by the caller
            outcome.append(("raised", exc))

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(DEADLINE_S)
    if thread.is_alive():
        pytest.fail(f"the reader did not return within {DEADLINE_S:.0f} s (it hangs)")
    return outcome[0]


def check(reader: Reader, path: Path, scratch: Path) -> None:
    how, value = run_with_deadline(lambda: reader.call(path, scratch))
    if how == "ok":
        return
    if not isinstance(value, reader.errors):
        raise AssertionError(f"{reader.name} raised {type(value).__name__}, not one of its "
                             f"own errors: {value}") from value
    # The window words what it catches through describe_error (an OSError's errno too).
    message = describe_error(value).as_text() if isinstance(value, OSError) else str(value)
    assert message.strip(), f"{reader.name} raised {type(value).__name__} with no words"
    for leak in ("Traceback", "Errno", "object at 0x"):
        assert leak not in message, f"{reader.name}'s message is not plain: {message}"


def _ids(case: tuple[Reader, str]) -> str:
    return f"{case[0].name}-{case[1]}"


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_a_damaged_file_is_refused_in_plain_words_or_read_safely(
        case: tuple[Reader, str], tmp_path: Path) -> None:
    reader, damage = case
    makers = {**FILE_DAMAGE, **JSON_DAMAGE}
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    path = makers[damage](tmp_path / reader.file_name, reader.valid(scratch))
    check(reader, path, scratch)


@pytest.mark.parametrize("case", DB_CASES, ids=[_ids(c) for c in DB_CASES])
def test_a_damaged_database_opens_safely(case: tuple[Reader, str], tmp_path: Path) -> None:
    reader, damage = case
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    path = db_damage(WRONG_COLUMNS[reader.name])[damage](tmp_path / reader.file_name,
                                                        reader.valid(scratch))
    check(reader, path, scratch)


@pytest.mark.parametrize("reader", DB_READERS, ids=[r.name for r in DB_READERS])
def test_a_database_locked_by_another_program_opens_safely(reader: Reader,
                                                           tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    path = tmp_path / reader.file_name
    path.write_bytes(reader.valid(scratch))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        check(reader, path, scratch)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
