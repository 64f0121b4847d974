"""History: every generation (its text, settings, cost and audio file) in SQLite.

Why SQLite: searching stays fast with thousands of entries, and one transaction per
change means a crash never leaves a half-written record. What was spent is not summed
here (History is what was made, not what was paid for): see app/library/ledger.py. WAL mode lets
the UI read while a generation is being recorded. The store is called through
`asyncio.to_thread`, so from several threads: one connection guarded by a lock.
Audio files live in `audio_dir`; rows keep paths relative to it, so the data folder can
move. Files are written through `AtomicFileWriter`, so a cancelled generation leaves at
most a `.partial` file, which `recover()` removes at the next start. A crash in the
instant between a file's completion and its row being written leaves a finished file no
row points to: `recover()` lists it as "Recovered audio" rather than hide (or delete)
audio that was paid for.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import sqlite3
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.library.atomic import AtomicFileWriter
from app.library.generation import AudioMissingError, Generation, NewGeneration
from app.library.history_notices import tell_about_opening
from app.library.history_open import HistoryDamaged, open_history
from app.library.history_recovery import remove_dead_partials, unowned_audio
from app.library.notices import NoticeBoard
from app.library.sqlite_values import as_text, text_or_none, whole
from app.library.stoppable_write import ExportStopped as ExportStopped  # (its old home)
from app.library.stoppable_write import copy_file

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
_MIGRATIONS: dict[int, str] = {
    1: """
        CREATE TABLE IF NOT EXISTS generations (
            id             INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at     TEXT    NOT NULL,  -- ISO 8601, UTC, fixed width: sorts as text
            kind           TEXT    NOT NULL,
            title          TEXT    NOT NULL DEFAULT '',
            text           TEXT    NOT NULL DEFAULT '',
            voice_id       TEXT,
            voice_name     TEXT,
            model_id       TEXT,
            output_format  TEXT    NOT NULL DEFAULT '',
            settings_json  TEXT    NOT NULL DEFAULT '{}',
            request_ids    TEXT    NOT NULL DEFAULT '[]',
            character_cost INTEGER,
            duration_ms    INTEGER NOT NULL DEFAULT 0,
            file_path      TEXT,
            session_id     TEXT    NOT NULL DEFAULT '',
            extra_json     TEXT    NOT NULL DEFAULT '{}'
        );
        CREATE INDEX IF NOT EXISTS generations_created ON generations (created_at);
        CREATE INDEX IF NOT EXISTS generations_session ON generations (session_id);
    """,
}

# What every query here reads or writes (the table as migration 1 makes it).
_COLUMNS = frozenset({
    "id", "created_at", "kind", "title", "text", "voice_id", "voice_name", "model_id",
    "output_format", "settings_json", "request_ids", "character_cost", "duration_ms",
    "file_path", "session_id", "extra_json"})

SQLITE_INT_MAX = 2 ** 63 - 1  # its INTEGER is 64-bit signed
# The names `open_audio_writer` gives: only such files are ever adopted by `recover()`.
_APP_AUDIO_NAME = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{8}\.[a-z0-9]+$")


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class HistoryStore:
    def __init__(self, db_path: Path | str, audio_dir: Path | str,
                 notices: NoticeBoard | None = None) -> None:
        self.db_path = Path(db_path)
        self.audio_dir = Path(audio_dir)
        self.notices = notices if notices is not None else NoticeBoard()
        self._lock = threading.Lock()
        # Writers whose files have no row yet: their lock keeps other copies' recovery off.
        self._unlisted: weakref.WeakValueDictionary[str, AtomicFileWriter] = (
            weakref.WeakValueDictionary())
        self._added_this_session: set[int] = set()
        opened = open_history(self.db_path, self._migrate)
        self._conn = opened.conn
        self.read_only = not opened.writable
        self.new_audio_dir = self._usable_audio_dir()
        tell_about_opening(self.notices, self.db_path, opened, self.new_audio_dir,
                           self.audio_dir)
        if not self.read_only:
            self.recover()

    # -- opening -------------------------------------------------------------------------
    def _usable_audio_dir(self) -> Path:
        """The audio folder, or (when it cannot be written) a folder for this session only,
        so new generations can still be played and exported."""
        try:
            self.audio_dir.mkdir(parents=True, exist_ok=True)
            probe = AtomicFileWriter(self.audio_dir / ".write-probe")
            probe.abort()
            return self.audio_dir
        except OSError:
            log.warning("audio folder %s cannot be written; using a temporary one",
                        self.audio_dir, exc_info=True)
            return Path(tempfile.mkdtemp(prefix="xi-studio-unsaved-"))

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            log.warning("history database is schema %s, newer than this app (%s)",
                        version, SCHEMA_VERSION)
            return
        for step in range(version + 1, SCHEMA_VERSION + 1):
            conn.executescript(f"BEGIN; {_MIGRATIONS[step]} PRAGMA user_version = {step}; "
                               "COMMIT;")
        # A table of the right name without the columns this version made (another
        # program's file, or one edited by hand) failed the first query after opening:
        # the window did not start. It is damage like any other: kept aside, a fresh one.
        have = {row[1] for row in conn.execute("PRAGMA table_info(generations)")}
        missing = sorted(_COLUMNS - have)
        if missing:
            raise HistoryDamaged("its generations table lacks the columns "
                                 f"{', '.join(missing)}")

    def recover(self) -> int:
        """Delete `.partial` files left by an interrupted run (never one a running copy
        of the app still writes: it holds a lock on it), and list finished audio files
        that no row points to; returns how many partial files were removed."""
        removed = remove_dead_partials(self.audio_dir)
        with self._locked() as conn:  # listed files need no lock or transaction
            known = {row[0] for row in conn.execute(
                "SELECT file_path FROM generations WHERE file_path IS NOT NULL")}
        for path in unowned_audio(self.audio_dir, _APP_AUDIO_NAME, known):
            self._adopt(path)
        return removed

    def _adopt(self, path: Path) -> None:
        try:
            if not path.is_file():
                return
            if path.stat().st_size == 0:
                path.unlink()
                return
        except OSError:
            return
        stored = self._stored_path(path)
        # The check and the insert in one write transaction: another copy listing the
        # same file, or adding its real row, waits for us and then sees ours.
        with self._locked() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                if conn.execute("SELECT 1 FROM generations WHERE file_path = ?",
                                (stored,)).fetchone() is None:
                    self._insert(conn, NewGeneration(
                        kind="recovered",
                        title="Recovered audio (the app stopped before listing it)",
                        text="", voice_id=None, voice_name=None, model_id=None,
                        output_format="", settings_json="{}", request_ids=[],
                        character_cost=None, duration_ms=0, file_path=path, session_id="",
                        extra_json=json.dumps({"recovered": True})))
                    log.warning("listed %s, finished but not in the history, as "
                                "recovered audio", path.name)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    @contextlib.contextmanager
    def _locked(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._conn

    # -- rows ----------------------------------------------------------------------------
    def _stored_path(self, path: Path | None) -> str | None:
        if path is None:
            return None
        path = Path(path)
        try:
            return path.resolve().relative_to(self.audio_dir.resolve()).as_posix()
        except ValueError:
            return str(path.absolute())

    def _resolved_path(self, stored: str | None) -> Path | None:
        if not stored or "\0" in stored:  # (no file can have a NUL in its name)
            return None
        path = Path(stored)
        return path if path.is_absolute() else self.audio_dir / path

    def _generation(self, row: sqlite3.Row) -> Generation:
        # SQLite keeps whatever a column is given: a database edited or damaged by another
        # program can hold "x" in `duration_ms` or bytes in `file_path`. Each value is
        # brought to its type here, once (the History list raised on every repaint).
        path = self._resolved_path(text_or_none(row["file_path"]))
        try:
            request_ids = [str(r) for r in json.loads(row["request_ids"] or "[]")]
        except (ValueError, TypeError, RecursionError):
            request_ids = []
        cost, duration = row["character_cost"], row["duration_ms"]
        return Generation(
            id=row["id"], created_at=as_text(row["created_at"]), kind=as_text(row["kind"]),
            title=as_text(row["title"]), text=as_text(row["text"]),
            voice_id=text_or_none(row["voice_id"]),
            voice_name=text_or_none(row["voice_name"]),
            model_id=text_or_none(row["model_id"]), output_format=as_text(row["output_format"]),
            settings_json=as_text(row["settings_json"]) or "{}", request_ids=request_ids,
            character_cost=whole(cost) if cost is not None else None,
            duration_ms=max(whole(duration) or 0, 0), file_path=path,
            session_id=as_text(row["session_id"]), extra_json=as_text(row["extra_json"]) or "{}",
            file_exists=path is not None and path.is_file(),
        )

    def _insert(self, conn: sqlite3.Connection, entry: NewGeneration) -> int:
        """Insert `entry`, or, when its file is listed as recovered audio (another copy
        started in between), turn that entry into this one: one row per file."""
        created_at = datetime.now(UTC).isoformat(timespec="microseconds")
        stored = self._stored_path(entry.file_path)
        values = (
            created_at, entry.kind, entry.title, entry.text, entry.voice_id, entry.voice_name,
            entry.model_id, entry.output_format or "", entry.settings_json or "{}",
            json.dumps(list(entry.request_ids)), entry.character_cost, int(entry.duration_ms),
            stored, entry.session_id, entry.extra_json or "{}",
        )
        if stored is not None and entry.kind != "recovered":
            row = conn.execute("SELECT id FROM generations WHERE file_path = ? AND"
                               " kind = 'recovered'", (stored,)).fetchone()
            if row is not None:
                conn.execute(
                    "UPDATE generations SET created_at = ?, kind = ?, title = ?, text = ?,"
                    " voice_id = ?, voice_name = ?, model_id = ?, output_format = ?,"
                    " settings_json = ?, request_ids = ?, character_cost = ?,"
                    " duration_ms = ?, file_path = ?, session_id = ?, extra_json = ?"
                    " WHERE id = ?", (*values, row[0]))
                return int(row[0])
        cursor = conn.execute(
            "INSERT INTO generations (created_at, kind, title, text, voice_id, voice_name,"
            " model_id, output_format, settings_json, request_ids, character_cost,"
            " duration_ms, file_path, session_id, extra_json)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values)
        return int(cursor.lastrowid or 0)

    def add(self, entry: NewGeneration) -> Generation:
        with self._locked() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                row_id = self._insert(conn, entry)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            row = conn.execute("SELECT * FROM generations WHERE id = ?",
                               (row_id,)).fetchone()
        self._added_this_session.add(row_id)
        if entry.file_path is not None:
            writer = self._unlisted.pop(str(Path(entry.file_path).absolute()), None)
            if writer is not None:
                writer.release()
        return self._generation(row)

    def update_extra(self, generation_id: int, extra_json: str) -> Generation | None:
        """Replace a row's extra (e.g. a video exported with its music later)."""
        with self._locked() as conn, conn:
            conn.execute("UPDATE generations SET extra_json = ? WHERE id = ?",
                         (extra_json or "{}", generation_id))
        return self.get(generation_id)

    def get(self, generation_id: int) -> Generation | None:
        """The row, or None (also for an id no row can have: a damaged draft's 10**30
        made SQLite raise OverflowError, and the tab restoring it could not be opened)."""
        if not -SQLITE_INT_MAX - 1 <= generation_id <= SQLITE_INT_MAX:
            return None
        with self._locked() as conn:
            row = conn.execute("SELECT * FROM generations WHERE id = ?",
                               (generation_id,)).fetchone()
        return self._generation(row) if row is not None else None

    def list(self, search: str = "", kind: str | None = None,
             limit: int = 500) -> list[Generation]:
        """Newest first. Every word of `search` must appear in the title, text or voice."""
        where: list[str] = []
        params: list[Any] = []
        for term in search.split():
            where.append("(title LIKE ? ESCAPE '\\' OR text LIKE ? ESCAPE '\\'"
                         " OR IFNULL(voice_name, '') LIKE ? ESCAPE '\\')")
            params += [_like_pattern(term)] * 3
        if kind is not None:
            where.append("kind = ?")
            params.append(kind)
        sql = "SELECT * FROM generations"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
        params.append(limit if limit > 0 else -1)
        with self._locked() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [self._generation(row) for row in rows]

    def delete(self, generation_id: int) -> None:
        """Remove the row and its audio file. Files outside the audio folder (a user's
        own recording that was transcribed, say) are never deleted."""
        generation = self.get(generation_id)
        if generation is None:
            return
        with self._locked() as conn, conn:
            stored = conn.execute("SELECT file_path FROM generations WHERE id = ?",
                                  (generation_id,)).fetchone()
            conn.execute("DELETE FROM generations WHERE id = ?", (generation_id,))
            shared = stored is not None and stored[0] is not None and conn.execute(
                "SELECT 1 FROM generations WHERE file_path = ?", (stored[0],)).fetchone()
        path = generation.file_path
        # Another row may point to the same file (a history from before one row per file
        # was enforced): its audio stays. A read-only history forgets a past row only for
        # this session (it is back next time), so that row's audio stays too.
        kept_elsewhere = self.read_only and generation_id not in self._added_this_session
        if path is not None and not shared and not kept_elsewhere and self._is_ours(path):
            try:
                path.unlink(missing_ok=True)
            except OSError:
                log.warning("could not delete %s", path, exc_info=True)

    def _is_ours(self, path: Path) -> bool:
        resolved = path.resolve()
        return (resolved.is_relative_to(self.audio_dir.resolve())
                or resolved.is_relative_to(self.new_audio_dir.resolve()))

    # -- files ---------------------------------------------------------------------------
    def audio_path(self, generation: Generation) -> Path:
        if generation.file_path is None:
            raise FileNotFoundError(f"“{generation.title}” has no audio file")
        return generation.file_path

    def export(self, generation_id: int, dest: Path | str, *,
               stop: threading.Event | None = None,
               progress: Callable[[int, int], None] | None = None) -> Path:
        """Copy the audio to `dest` atomically (never a half-copied file under that name).

        Runs in a worker thread, which cannot be killed: `stop` is checked between chunks
        (and once more before the file gets its name), so Stop on a file of an hour ends
        the copy at once with `ExportStopped` and no file. `progress(done, total)` is
        called from the worker thread after each chunk."""
        generation = self.get(generation_id)
        if generation is None:
            raise AudioMissingError("It was deleted from History.")
        source = self.audio_path(generation)
        dest = Path(dest)
        if not source.is_file():
            raise AudioMissingError(f"The audio file of “{generation.title}” was moved or "
                                    f"deleted: {source}")
        if dest.exists() and dest.resolve() == source.resolve():
            return dest
        return copy_file(source, dest, stop=stop, progress=progress)

    def open_audio_writer(self, extension: str) -> AtomicFileWriter:
        """A writer for a new audio file with a unique name such as
        `20261125-141200-1a2b3c4d.mp3`; commit it, then `add()` the generation."""
        ext = extension.lstrip(".").lower()
        if not ext.isalnum():
            raise ValueError(f"not a file extension: {extension!r}")
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        writer = AtomicFileWriter(self.new_audio_dir / f"{stamp}-{os.urandom(4).hex()}.{ext}",
                                  hold_after_commit=True)
        self._unlisted[str(writer.final_path.absolute())] = writer
        return writer

    # -- lifetime ------------------------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("PRAGMA optimize")
            self._conn.close()
        if self.new_audio_dir != self.audio_dir:  # the session's folder, if nothing in it
            with contextlib.suppress(OSError):
                self.new_audio_dir.rmdir()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

