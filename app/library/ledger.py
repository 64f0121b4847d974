"""The usage ledger: one row per paid (or free, offline) operation, in its own SQLite file.

History keeps what was made (audio, transcripts); the ledger keeps what it cost: when,
what kind of work (speech, a script take, a dialogue, music, stems, music for a video,
a transcription, an alignment), what it was for (a title, a script and block, a file),
the model, the characters or seconds, the credits, whether that figure is the server's
or our estimate, engine or cloud, the request id, and which run of the app made it (its
session). The API key is never stored.

It is the one record of spent credits: the status bar's "this session" and "today"
figures are summed from it, not from History. History holds what was made, which is not
what was paid for: script takes, stems and alignments have no History row, an account's
imported past items cost nothing here, and Speech and Music have a row in both (counted
from both, they would count twice).

A separate file because the ledger is append-only bookkeeping: losing it must never
touch History, and History's recovery must never rewrite it.

Opening reuses History's careful opener (`open_history`): a locked file is waited for,
a damaged one set aside, one that cannot be written (read-only folder, full disk) is
copied into memory so this session's rows are still listed. The ledger never raises
to its callers: a row that cannot be written is kept in memory for the session (listed,
marked not kept) and the user is told once through the notice board. A generation never
fails because of its bookkeeping.

Opened lazily on first use (the window's start-up does not wait for it); called from
worker threads (`asyncio.to_thread`), so one connection guarded by a lock.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

from app.library.history_open import describe, open_history
from app.library.notices import LibraryNotice, NoticeBoard
from app.library.sqlite_values import text_or_none, whole

log = logging.getLogger(__name__)

SPEECH = "speech"
SCRIPT_TAKE = "script_take"
DIALOGUE = "dialogue"
MUSIC = "music"
STEMS = "stems"
VIDEO_MUSIC = "video_music"
TRANSCRIPTION = "transcription"
ALIGNMENT = "alignment"
KINDS: tuple[str, ...] = (SPEECH, SCRIPT_TAKE, DIALOGUE, MUSIC, STEMS, VIDEO_MUSIC,
                          TRANSCRIPTION, ALIGNMENT)
KIND_LABELS: dict[str, str] = {
    SPEECH: "Speech", SCRIPT_TAKE: "Script take", DIALOGUE: "Dialogue", MUSIC: "Music",
    STEMS: "Stems", VIDEO_MUSIC: "Music for a video", TRANSCRIPTION: "Transcription",
    ALIGNMENT: "Alignment",
}
ENGINE = "engine"
CLOUD = "cloud"

SCHEMA_VERSION = 2
_MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE IF NOT EXISTS operations (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at  TEXT    NOT NULL,  -- ISO 8601 UTC, fixed width: sorts as text
        kind        TEXT    NOT NULL,
        what        TEXT    NOT NULL DEFAULT '',
        model_id    TEXT,
        characters  INTEGER,
        duration_ms INTEGER,
        credits     INTEGER,           -- NULL: not known at all
        estimated   INTEGER NOT NULL DEFAULT 0,
        source      TEXT    NOT NULL DEFAULT 'cloud',
        request_id  TEXT,
        script_path TEXT,
        block_id    TEXT,
        file        TEXT
    );
    CREATE INDEX IF NOT EXISTS operations_created ON operations (created_at);
    CREATE INDEX IF NOT EXISTS operations_script ON operations (script_path);
    """,
    # Which run of the app recorded a row, for the status bar's "this session": rows from
    # before it (NULL) belong to no session, as do `xi-studio render`'s.
    2: """
    ALTER TABLE operations ADD COLUMN session_id TEXT;
    CREATE INDEX IF NOT EXISTS operations_session ON operations (session_id);
    """,
}
_COLUMNS = ("created_at", "kind", "what", "model_id", "characters", "duration_ms",
            "credits", "estimated", "source", "request_id", "script_path", "block_id", "file",
            "session_id")
_NUMBERS = frozenset({"characters", "duration_ms", "credits"})

# A second copy of the app writing its own row holds the lock for milliseconds; past this
# the row is kept in memory rather than make a finished generation wait.
BUSY_TIMEOUT_S = 2.0
OPEN_ATTEMPTS = 2


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One operation. `credits` None: unknown; `estimated`: our figure, not the server's.
    `kept` is False for a row that could not be written to the file (this session only)."""

    kind: str
    what: str = ""
    model_id: str | None = None
    characters: int | None = None
    duration_ms: int | None = None
    credits: int | None = None
    estimated: bool = False
    source: str = CLOUD
    request_id: str | None = None
    script_path: str | None = None
    block_id: str | None = None
    file: str | None = None
    session_id: str | None = None
    created_at: str = ""
    id: int | None = None
    kept: bool = True

    @property
    def created(self) -> datetime:
        """When; the start of 1970 for a date that cannot be read (a damaged row)."""
        try:
            return datetime.fromisoformat(self.created_at)
        except ValueError:
            return datetime(1970, 1, 1, tzinfo=UTC)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind.replace("_", " ").capitalize())


@dataclass(frozen=True, slots=True)
class Total:
    operations: int = 0
    credits: int = 0
    estimated_credits: int = 0  # the part of `credits` that is our estimate
    unknown: int = 0            # operations whose cost is not known at all

    @property
    def has_estimates(self) -> bool:
        return self.estimated_credits > 0

    def plus(self, entry: LedgerEntry) -> Total:
        credits = entry.credits or 0
        return Total(self.operations + 1, self.credits + credits,
                     self.estimated_credits + (credits if entry.estimated else 0),
                     self.unknown + (entry.credits is None))


def totals_by(entries: Iterable[LedgerEntry], key: str) -> dict[str, Total]:
    """Totals per value of an entry attribute (`kind`, `script_path`, `source`...);
    entries without one are left out."""
    totals: dict[str, Total] = {}
    for entry in entries:
        value = getattr(entry, key)
        if value:
            totals[value] = totals.get(value, Total()).plus(entry)
    return totals


def total_of(entries: Iterable[LedgerEntry]) -> Total:
    total = Total()
    for entry in entries:
        total = total.plus(entry)
    return total


def month_start(now: datetime | None = None) -> str:
    """The first instant of the user's calendar month, as a UTC ledger timestamp."""
    local = (now or datetime.now(UTC)).astimezone()
    first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return first.astimezone(UTC).isoformat(timespec="seconds")


def day_bounds(now: datetime | None = None) -> tuple[str, str]:
    """(since, until) of the user's calendar day as UTC ledger timestamps: "today" starts
    at local midnight, not UTC's."""
    day = (now or datetime.now(UTC)).astimezone().date()
    # Each midnight in the offset it has (a daylight-saving day is 23 or 25 hours long).
    start, end = (datetime.combine(d, time()).astimezone().astimezone(UTC)
                  for d in (day, day + timedelta(days=1)))
    return start.isoformat(timespec="seconds"), end.isoformat(timespec="seconds")


class Ledger:
    def __init__(self, db_path: Path | str, notices: NoticeBoard | None = None, *,
                 busy_timeout_s: float = BUSY_TIMEOUT_S) -> None:
        self.db_path = Path(db_path)
        self.notices = notices if notices is not None else NoticeBoard()
        self.busy_timeout_s = busy_timeout_s
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self.read_only = False
        self._unsaved: list[LedgerEntry] = []  # rows the file would not take
        self._told = False
        # Another program held the file locked when it was opened: each new row tries
        # again, and once the file opens, the rows held meanwhile go in.
        self._retry_open = False

    # -- opening ---------------------------------------------------------------------
    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        # One step at a time, each in its own transaction: a ledger of an older version
        # keeps its rows and gains what it lacks. A newer one is left as it is (its extra
        # columns are nullable, so this version's rows still go in).
        for step in range(version + 1, SCHEMA_VERSION + 1):
            conn.executescript(f"BEGIN; {_MIGRATIONS[step]} PRAGMA user_version = {step}; "
                               "COMMIT;")

    def _connection(self) -> sqlite3.Connection:
        """The open connection (opening it the first time); call with the lock held."""
        if self._conn is None:
            opened = open_history(self.db_path, self._migrate, attempts=OPEN_ATTEMPTS,
                                  busy_timeout_s=self.busy_timeout_s)
            self._conn = opened.conn
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_s * 1000)}")
            if opened.set_aside is not None:
                self.notices.post(LibraryNotice(
                    title="Usage ledger was damaged",
                    text=(f"The usage ledger could not be read, so it was kept aside as "
                          f"{opened.set_aside} and a new one was started. History and "
                          "your audio were not touched."),
                    next_step="Past costs are in the set-aside file if you need them.",
                    path=opened.set_aside))
            if not opened.writable:
                self.read_only = True
                self._retry_open = "locked" in opened.problem
                self._tell((opened.problem or "it cannot be written")
                           .replace("history", "usage ledger"))
        return self._conn

    def _reopen_if_unlocked(self) -> bool:
        """After a lock at opening: True when the file opens for writing now (the
        read-only copy is replaced by it). Call with the lock held."""
        # A quick probe first (at most one busy timeout): while the lock lasts, a new row
        # must not wait for the full opening's attempts.
        probe = sqlite3.connect(self.db_path, timeout=self.busy_timeout_s,
                                isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
        except sqlite3.Error:
            return False
        finally:
            probe.close()
        opened = open_history(self.db_path, self._migrate, attempts=1,
                              busy_timeout_s=self.busy_timeout_s)
        if not opened.writable:
            opened.conn.close()
            return False
        if self._conn is not None:
            self._conn.close()
        self._conn = opened.conn
        self._conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_s * 1000)}")
        self.read_only = self._retry_open = False
        self.notices.post(LibraryNotice(
            title="Costs are saved again",
            text=(f"The usage ledger ({self.db_path}) is no longer locked; the costs held "
                  "meanwhile are saved in it now."),
            next_step="Nothing to do.", path=self.db_path))
        return True

    def _tell(self, problem: str) -> None:
        if self._told:
            return
        self._told = True
        self.notices.post(LibraryNotice(
            title="Costs are not being saved",
            text=(f"XI Studio cannot write its usage ledger because {problem} "
                  f"({self.db_path}). What you make is kept as usual and this session's "
                  "costs are listed under View → Usage and costs, but they are NOT kept "
                  "after you quit."),
            next_step="Free some disk space or make the data folder writable, then "
                      "restart XI Studio.",
            path=self.db_path))

    # -- writing ---------------------------------------------------------------------
    def add(self, entry: LedgerEntry) -> LedgerEntry:
        """Record one operation; returns it with its id (or `kept=False` when it could only
        be kept in memory). Never raises for database or file-system trouble."""
        if not entry.created_at:
            entry = replace(entry, created_at=now_utc())
        with self._lock:
            try:
                conn = self._connection()
                if self._retry_open and not self._reopen_if_unlocked():
                    kept = replace(entry, id=None, kept=False)
                    self._unsaved.append(kept)
                    return kept
                conn = self._connection()
                self._flush_unsaved(conn)
                row_id = self._insert(conn, entry)
            except (sqlite3.Error, OSError) as exc:
                log.warning("usage ledger: could not record %s (%s)", entry.kind, exc)
                kept = replace(entry, id=None, kept=False)
                self._unsaved.append(kept)
                self._tell(describe(exc).replace("history", "usage ledger"))
                return kept
            return replace(entry, id=row_id, kept=not self.read_only)

    def _insert(self, conn: sqlite3.Connection, entry: LedgerEntry) -> int:
        values = [getattr(entry, name) for name in _COLUMNS]
        values[_COLUMNS.index("estimated")] = int(entry.estimated)
        with conn:
            cursor = conn.execute(
                f"INSERT INTO operations ({', '.join(_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(_COLUMNS))})", values)
        return int(cursor.lastrowid or 0)

    def _flush_unsaved(self, conn: sqlite3.Connection) -> None:
        """Rows held in memory go to the file as soon as it takes writes again."""
        while self._unsaved and not self.read_only:
            self._insert(conn, self._unsaved[0])
            self._unsaved.pop(0)

    # -- reading ---------------------------------------------------------------------
    def entries(self, *, kind: str | None = None, since: str | None = None,
                until: str | None = None, script_path: str | None = None,
                session_id: str | None = None,
                limit: int | None = None) -> list[LedgerEntry]:
        """Newest first; `since` inclusive and `until` exclusive (ledger timestamps)."""
        where: list[str] = []
        params: list[object] = []
        for column, op, value in (("kind", "=", kind), ("created_at", ">=", since),
                                  ("created_at", "<", until),
                                  ("script_path", "=", script_path),
                                  ("session_id", "=", session_id)):
            if value is not None:
                where.append(f"{column} {op} ?")
                params.append(value)
        sql = (f"SELECT id, {', '.join(_COLUMNS)} FROM operations"
               + (f" WHERE {' AND '.join(where)}" if where else "")
               + " ORDER BY created_at DESC, id DESC")
        with self._lock:
            try:
                rows = self._connection().execute(sql, params).fetchall()
            except (sqlite3.Error, OSError) as exc:
                log.warning("usage ledger could not be read: %s", exc)
                rows = []
            kept = not self.read_only
            unsaved = list(self._unsaved)
        found = [self._entry(row, kept) for row in rows]
        found.extend(e for e in unsaved
                     if (kind is None or e.kind == kind)
                     and (since is None or e.created_at >= since)
                     and (until is None or e.created_at < until)
                     and (script_path is None or e.script_path == script_path)
                     and (session_id is None or e.session_id == session_id))
        found.sort(key=lambda e: (e.created_at, e.id is None, e.id or 0), reverse=True)
        return found[:limit] if limit is not None else found

    @staticmethod
    def _entry(row: sqlite3.Row, kept: bool) -> LedgerEntry:
        # Each value as its type (sqlite_values): a row edited or damaged elsewhere with
        # "x" as its credits made every total raise, and the costs could not be shown.
        data: dict[str, Any] = {name: (whole(row[name]) if name in _NUMBERS
                                       else text_or_none(row[name])) for name in _COLUMNS}
        data["estimated"] = bool(whole(row["estimated"]))
        data["what"] = data["what"] or ""
        data["source"] = data["source"] or CLOUD
        data["kind"] = data["kind"] or ""
        data["created_at"] = data["created_at"] or ""
        return LedgerEntry(id=row["id"], kept=kept, **data)

    def script_total(self, script_path: Path | str) -> Total:
        return total_of(self.entries(script_path=str(script_path)))

    def month_total(self, now: datetime | None = None) -> Total:
        return total_of(self.entries(since=month_start(now)))

    def session_total(self, session_id: str) -> Total:
        """What one run of the app spent (every kind of work, each row once)."""
        return total_of(self.entries(session_id=session_id))

    def day_total(self, now: datetime | None = None) -> Total:
        """What the user's calendar day so far spent, whoever recorded it (this window,
        another copy of the app, `xi-studio render`)."""
        since, until = day_bounds(now)
        return total_of(self.entries(since=since, until=until))

    @property
    def unsaved_count(self) -> int:
        with self._lock:
            return len(self._unsaved)

    # -- lifetime --------------------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.close()
                self._conn = None


__all__ = ["ALIGNMENT", "CLOUD", "DIALOGUE", "ENGINE", "KINDS", "KIND_LABELS", "MUSIC",
           "SCRIPT_TAKE", "SPEECH", "STEMS", "TRANSCRIPTION", "VIDEO_MUSIC", "Ledger",
           "LedgerEntry", "Total", "day_bounds", "month_start", "total_of", "totals_by"]
