"""Opening the history database without ever losing it.

Only real damage sets a database aside: SQLite saying "file is not a database" or
"malformed", or `PRAGMA quick_check` finding broken pages (a good header says nothing
about the pages behind it). A database another copy of the app holds ("locked", "busy")
is waited for and tried again. A database that cannot be written (disk full, read-only
folder, a folder that cannot be created) is not damaged: it is copied into memory and
opened read-only for this session, so past generations stay listed and new ones can still
be played and exported, and the caller tells the user what is not kept.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.library.kept_aside import aside_path

log = logging.getLogger(__name__)

# How long one attempt waits for another connection's lock, and how many attempts: a
# second copy starting at the same moment holds it for milliseconds, a long write for
# seconds. Past that the history opens read-only rather than keep the window from showing.
OPEN_BUSY_TIMEOUT_S = 5.0
OPEN_ATTEMPTS = 3
RUNTIME_BUSY_TIMEOUT_S = 10.0

CORRUPT = "corrupt"
BUSY = "busy"
UNWRITABLE = "unwritable"
_CORRUPT_CODES = {"SQLITE_CORRUPT", "SQLITE_NOTADB"}
_BUSY_CODES = {"SQLITE_BUSY", "SQLITE_LOCKED"}
_CORRUPT_WORDS = ("malformed", "not a database", "corrupt")
_BUSY_WORDS = ("locked", "busy")

Prepare = Callable[[sqlite3.Connection], None]


class HistoryDamaged(sqlite3.DatabaseError):
    """`PRAGMA quick_check` found damage SQLite did not report on its own."""


def classify(exc: sqlite3.Error) -> str:
    """CORRUPT, BUSY or UNWRITABLE (everything else: full, read-only, cannot open...)."""
    if isinstance(exc, HistoryDamaged):
        return CORRUPT
    name = getattr(exc, "sqlite_errorname", "") or ""
    primary = "_".join(name.split("_")[:2])  # SQLITE_BUSY_RECOVERY -> SQLITE_BUSY
    message = str(exc).lower()
    if primary in _CORRUPT_CODES or any(word in message for word in _CORRUPT_WORDS):
        return CORRUPT
    if primary in _BUSY_CODES or any(word in message for word in _BUSY_WORDS):
        return BUSY
    return UNWRITABLE


def describe(exc: BaseException) -> str:
    """Plain words for why the database could not be written."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    errno = getattr(exc, "errno", None)
    if name.startswith("SQLITE_FULL") or errno == 28:
        return "the disk is full"
    if name.startswith(("SQLITE_READONLY", "SQLITE_PERM")) or errno in (1, 13, 30):
        return "the data folder cannot be written to"
    if name.startswith("SQLITE_BUSY") or name.startswith("SQLITE_LOCKED"):
        return "another program kept the history locked"
    if isinstance(exc, OSError) or name.startswith("SQLITE_CANTOPEN"):
        return "the data folder cannot be created or opened"
    return f"the history could not be written ({exc})"


@dataclass
class OpenedHistory:
    conn: sqlite3.Connection
    writable: bool
    problem: str = ""             # why it is read-only, in plain words
    set_aside: Path | None = None  # where a damaged database was moved
    damaged_kept: bool = False     # damaged but could not be moved (read-only folder)
    recovered_rows: bool = True    # False: the old rows could not be read at all
    existed: bool = True           # a history file was there to read


def check_integrity(conn: sqlite3.Connection) -> None:
    rows = conn.execute("PRAGMA quick_check").fetchall()
    if [tuple(row) for row in rows] != [("ok",)]:
        detail = "; ".join(str(row[0]) for row in rows[:3])
        raise HistoryDamaged(f"database disk image is malformed: {detail[:500]}")


def _connect(target: str, uri: bool, timeout: float) -> sqlite3.Connection:
    conn = sqlite3.connect(target, uri=uri, check_same_thread=False, timeout=timeout)
    conn.row_factory = sqlite3.Row
    return conn


def _open_writable(db_path: Path, prepare: Prepare, timeout: float) -> sqlite3.Connection:
    conn = _connect(str(db_path), False, timeout)
    try:
        check_integrity(conn)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        prepare(conn)
        conn.execute(f"PRAGMA busy_timeout = {int(RUNTIME_BUSY_TIMEOUT_S * 1000)}")
    except BaseException:
        conn.close()
        raise
    return conn


def keep_aside(db_path: Path) -> Path:
    """Move the database (and its WAL files) to `<name>.corrupt-<stamp>`; never replaces
    an earlier one. Any damaged file the app keeps is set aside so (the transcription
    queue's too): a file without WAL files is simply moved."""
    aside = aside_path(db_path)
    for suffix in ("", "-wal", "-shm"):
        source = Path(str(db_path) + suffix)
        if source.exists():
            os.replace(source, Path(str(aside) + suffix))
    return aside


def _read_only_copy(db_path: Path, prepare: Prepare) -> tuple[sqlite3.Connection, bool, bool]:
    """An in-memory copy of what can be read: (connection, rows copied, found damaged)."""
    memory = _connect(":memory:", False, RUNTIME_BUSY_TIMEOUT_S)
    damaged = False
    if db_path.is_file():
        uri = db_path.absolute().as_uri()
        # mode=ro still needs the WAL files; immutable=1 reads the main file alone.
        for query in ("?mode=ro", "?immutable=1"):
            source: sqlite3.Connection | None = None
            try:
                source = _connect(uri + query, True, OPEN_BUSY_TIMEOUT_S)
                check_integrity(source)
                source.backup(memory)
                prepare(memory)
                return memory, True, False
            except sqlite3.Error as exc:
                damaged = damaged or classify(exc) == CORRUPT
                log.warning("history read-only (%s) failed: %s", query, exc)
            finally:
                if source is not None:
                    source.close()
        memory.close()
        memory = _connect(":memory:", False, RUNTIME_BUSY_TIMEOUT_S)
    prepare(memory)
    return memory, False, damaged


def open_history(db_path: Path, prepare: Prepare, *, attempts: int = OPEN_ATTEMPTS,
                 busy_timeout_s: float = OPEN_BUSY_TIMEOUT_S) -> OpenedHistory:
    """Open (creating it if needed) the history at `db_path`; `prepare` migrates a fresh
    connection. Never raises for SQLite or file-system errors."""
    set_aside: Path | None = None
    problem: BaseException | None = None
    damaged_kept = False
    attempt = 0
    while attempt < attempts:
        attempt += 1
        try:
            db_path.parent.mkdir(parents=True, exist_ok=True)
            conn = _open_writable(db_path, prepare, busy_timeout_s)
            return OpenedHistory(conn, True, set_aside=set_aside)
        except sqlite3.Error as exc:
            kind = classify(exc)
            problem = exc
            if kind == BUSY:
                log.warning("history is locked (attempt %d of %d): %s", attempt, attempts, exc)
                time.sleep(min(0.2 * attempt, 1.0))
                continue
            if kind == CORRUPT and set_aside is None:
                try:
                    set_aside = keep_aside(db_path)
                except OSError:
                    log.error("history %s is damaged and cannot be moved", db_path,
                              exc_info=True)
                    damaged_kept = True
                    break
                log.error("history %s is damaged (%s); kept aside as %s", db_path, exc,
                          set_aside)
                attempt = 0  # a fresh database gets its own attempts
                continue
            break
        except OSError as exc:
            problem = exc
            break
    log.error("history %s cannot be written (%s); read-only for this session",
              db_path, problem)
    existed = db_path.is_file()
    conn, copied, damaged = _read_only_copy(db_path, prepare)
    with contextlib.suppress(sqlite3.Error):
        conn.execute("PRAGMA user_version")
    return OpenedHistory(conn, False, problem=describe(problem) if problem else "",
                         set_aside=set_aside, damaged_kept=damaged_kept or damaged,
                         recovered_rows=copied, existed=existed)
