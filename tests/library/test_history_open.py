"""Opening the history: which SQLite errors mean damage, and what a lock that outlasts
every wait gives (a read-only copy, never a set-aside)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.library.history_open import (
    BUSY,
    CORRUPT,
    UNWRITABLE,
    HistoryDamaged,
    classify,
    describe,
    open_history,
)


def _error(message: str, name: str) -> sqlite3.Error:
    error = sqlite3.OperationalError(message)
    error.sqlite_errorname = name  # type: ignore[attr-defined]
    return error


def test_only_damage_is_called_damage() -> None:
    assert classify(HistoryDamaged("x")) == CORRUPT
    assert classify(_error("file is not a database", "SQLITE_NOTADB")) == CORRUPT
    assert classify(_error("database disk image is malformed", "SQLITE_CORRUPT")) == CORRUPT
    assert classify(_error("database is locked", "SQLITE_BUSY")) == BUSY
    assert classify(_error("database is locked", "SQLITE_BUSY_RECOVERY")) == BUSY
    for name in ("SQLITE_FULL", "SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_IOERR_WRITE"):
        assert classify(_error("x", name)) == UNWRITABLE
    assert describe(_error("database or disk is full", "SQLITE_FULL")) == "the disk is full"


def _prepare(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS t (x)")


def test_a_lock_that_outlasts_every_wait_opens_a_read_only_copy(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    with sqlite3.connect(db) as setup:
        setup.execute("CREATE TABLE t (x)")
        setup.execute("INSERT INTO t VALUES ('kept')")
    setup.close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO t VALUES ('uncommitted')")
    try:
        opened = open_history(db, _prepare, attempts=2, busy_timeout_s=0.1)
        assert not opened.writable and "locked" in opened.problem
        assert opened.set_aside is None and not list(tmp_path.glob("*.corrupt-*"))
        assert [tuple(r) for r in opened.conn.execute("SELECT x FROM t")] == [("kept",)]
        opened.conn.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
