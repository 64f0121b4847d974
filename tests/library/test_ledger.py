"""The usage ledger: rows in a real SQLite file, totals, CSV, and trouble (a locked file,
a folder that cannot be written) that is reported, never raised."""

from __future__ import annotations

import csv
import os
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.library import ledger as ledger_module
from app.library.ledger import (
    CLOUD,
    ENGINE,
    SCRIPT_TAKE,
    SPEECH,
    TRANSCRIPTION,
    Ledger,
    LedgerEntry,
    day_bounds,
    month_start,
    totals_by,
)
from app.library.ledger_csv import export_csv
from app.library.paths import AppPaths


def take(credits: int | None = 10, **kw: object) -> LedgerEntry:
    values: dict[str, object] = dict(kind=SCRIPT_TAKE, what="Ad: Narrator", model_id="m",
                                     characters=40, credits=credits, request_id="req-1",
                                     script_path="/s/ad.xiscript.json", block_id="b1")
    values.update(kw)
    return LedgerEntry(**values)  # type: ignore[arg-type]


def test_rows_are_kept_in_a_real_file_in_the_data_folder(tmp_path: Path) -> None:
    paths = AppPaths.under(tmp_path)
    assert paths.ledger_db == paths.data_dir / "ledger.sqlite3"
    ledger = Ledger(paths.ledger_db)
    assert not paths.ledger_db.exists()  # opened on first use, not when built
    added = ledger.add(take())
    assert added.id is not None and added.kept and added.created_at
    ledger.add(LedgerEntry(SPEECH, "Hello", characters=5, credits=0, source=ENGINE))
    ledger.close()
    with sqlite3.connect(paths.ledger_db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM operations").fetchone()[0] == 2
        columns = [r[1] for r in conn.execute("PRAGMA table_info(operations)")]
    assert not any("key" in c for c in columns)  # the API key has no place here
    again = Ledger(paths.ledger_db)
    [speech, script_take] = again.entries()
    assert speech.kind == SPEECH and speech.source == ENGINE and speech.credits == 0
    assert script_take.block_id == "b1" and script_take.request_id == "req-1"
    assert again.entries(kind=SCRIPT_TAKE) == [script_take]


def test_totals_by_kind_script_and_month(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    ledger.add(take(10))
    ledger.add(take(5, block_id="b2"))
    ledger.add(take(7, script_path="/s/other.xiscript.json"))
    ledger.add(LedgerEntry(TRANSCRIPTION, "talk.wav", duration_ms=60_000, credits=30,
                           estimated=True))
    ledger.add(LedgerEntry(SPEECH, "old", credits=100, created_at="2020-01-01T00:00:00+00:00"))
    ledger.add(LedgerEntry(SPEECH, "unknown cost", credits=None))
    script = ledger.script_total("/s/ad.xiscript.json")
    assert (script.operations, script.credits, script.has_estimates) == (2, 15, False)
    by_kind = totals_by(ledger.entries(), "kind")
    assert by_kind[SCRIPT_TAKE].credits == 22
    assert by_kind[TRANSCRIPTION].estimated_credits == 30
    assert by_kind[SPEECH].credits == 100 and by_kind[SPEECH].unknown == 1
    month = ledger.month_total()
    assert month.credits == 52 and month.operations == 5
    assert ledger.entries(since="2021-01-01T00:00:00+00:00", kind=SPEECH)[0].what \
        == "unknown cost"


def test_session_and_day_totals_count_every_kind_each_row_once(tmp_path: Path) -> None:
    """The status bar's figures: one run of the app's rows (script takes, which History
    never lists, with the rest), and the user's calendar day whoever recorded it."""
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    now = datetime.now(UTC)
    ledger.add(take(10, session_id="s1"))
    ledger.add(take(5, block_id="b2", session_id="s1"))
    ledger.add(LedgerEntry(SPEECH, "Hello", characters=5, credits=5, session_id="s1"))
    ledger.add(LedgerEntry(TRANSCRIPTION, "talk.wav", credits=30, estimated=True,
                           session_id="s1"))
    ledger.add(LedgerEntry(SPEECH, "not reported", credits=None, session_id="s1"))
    ledger.add(LedgerEntry(SPEECH, "another copy", credits=7, session_id="s2"))
    ledger.add(take(3))  # `xi-studio render`: no session
    ledger.add(LedgerEntry(SPEECH, "yesterday", credits=100, session_id="s1",
                           created_at=(now - timedelta(days=1)).isoformat(timespec="seconds")))
    session = ledger.session_total("s1")
    assert (session.operations, session.credits, session.estimated_credits,
            session.unknown) == (6, 150, 30, 1)
    today = ledger.day_total(now)
    assert (today.operations, today.credits) == (7, 60)
    assert ledger.day_total(now + timedelta(days=2)).operations == 0
    assert ledger.session_total("nobody").operations == 0
    # Read back from the file by another opening: the session is kept with each row.
    ledger.close()
    assert Ledger(tmp_path / "ledger.sqlite3").session_total("s1") == session


def test_a_row_kept_in_memory_still_counts_for_its_session(tmp_path: Path) -> None:
    blocked = tmp_path / "data"
    blocked.write_text("not a folder")  # the data folder cannot be made (even as root)
    ledger = Ledger(blocked / "ledger.sqlite3")
    assert not ledger.add(take(12, session_id="s1")).kept
    assert ledger.session_total("s1").credits == 12
    assert ledger.day_total().credits == 12


def test_today_is_the_users_calendar_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        since, until = day_bounds(datetime(2026, 3, 29, 12, tzinfo=UTC))
        # Local midnight to local midnight; clocks went forward that night: 23 hours.
        assert (since, until) == ("2026-03-28T23:00:00+00:00", "2026-03-29T22:00:00+00:00")
        # Past 23:00 UTC it is already the next day in Berlin.
        assert day_bounds(datetime(2026, 7, 1, 22, 30, tzinfo=UTC))[0] \
            == "2026-07-01T22:00:00+00:00"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_ledger_from_before_sessions_keeps_its_rows(tmp_path: Path) -> None:
    """A ledger written by the previous version (no session column) is upgraded in place:
    its rows stay, belong to no session, and count for their day."""
    path = tmp_path / "ledger.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript(ledger_module._MIGRATIONS[1] + "PRAGMA user_version = 1;")
        conn.execute("INSERT INTO operations (created_at, kind, what, credits) "
                     "VALUES (?, 'speech', 'old', 40)", (ledger_module.now_utc(),))
    conn.close()
    ledger = Ledger(path)
    ledger.add(take(10, session_id="s1"))
    [new, old] = ledger.entries()
    assert (old.what, old.session_id, new.session_id) == ("old", None, "s1")
    assert ledger.session_total("s1").credits == 10 and ledger.day_total().credits == 50
    ledger.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    conn.close()


def test_month_start_is_the_users_first_of_the_month() -> None:
    start = datetime.fromisoformat(month_start(datetime(2026, 12, 6, 15, tzinfo=UTC)))
    local = start.astimezone()
    assert (local.day, local.hour, local.minute) == (1, 0, 0)


def test_a_locked_ledger_keeps_the_row_for_the_session_and_says_so(tmp_path: Path) -> None:
    db = tmp_path / "ledger.sqlite3"
    ledger = Ledger(db, busy_timeout_s=0.1)
    ledger.add(take(1))
    other = sqlite3.connect(db, timeout=0.1)
    other.execute("BEGIN EXCLUSIVE")  # another program holds the write lock
    try:
        kept = ledger.add(take(2, block_id="b2"))  # does not raise
        assert kept.kept is False and kept.id is None
        assert ledger.unsaved_count == 1
        [notice] = ledger.notices.all()
        assert "not being saved" in notice.title and "NOT kept" in notice.text
        assert "locked" in notice.text
        assert [e.credits for e in ledger.entries()] == [2, 1]  # still listed
    finally:
        other.rollback()
        other.close()
    ledger.add(take(3, block_id="b3"))  # the lock is gone: the held row goes in too
    assert ledger.unsaved_count == 0
    ledger.close()
    assert sorted(e.credits or 0 for e in Ledger(db).entries()) == [1, 2, 3]


def test_a_folder_that_cannot_be_written_lists_rows_for_the_session(tmp_path: Path) -> None:
    """The data folder is a file (works for root, unlike chmod)."""
    blocked = tmp_path / "data"
    blocked.write_text("not a folder")
    ledger = Ledger(blocked / "ledger.sqlite3")
    row = ledger.add(take())
    assert not row.kept and ledger.read_only
    assert ledger.entries()[0].credits == 10
    [notice] = ledger.notices.all()
    assert "NOT kept" in notice.text and notice.path == blocked / "ledger.sqlite3"


def test_an_unwritable_ledger_still_shows_its_past_rows(tmp_path: Path) -> None:
    db = tmp_path / "ledger.sqlite3"
    first = Ledger(db)
    first.add(take(4))
    first.close()
    Path(f"{db}-wal").mkdir()  # SQLite cannot make its write-ahead log
    ledger = Ledger(db, busy_timeout_s=0.1)
    ledger.add(take(6, block_id="b2"))
    assert ledger.read_only
    assert sorted(e.credits or 0 for e in ledger.entries()) == [4, 6]
    assert all(not e.kept for e in ledger.entries())


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through file permissions")
def test_a_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        ledger = Ledger(folder / "ledger.sqlite3")
        assert not ledger.add(take()).kept
        assert ledger.notices.all()
    finally:
        folder.chmod(0o700)


def test_csv_export_marks_estimates_and_unknown_costs(tmp_path: Path) -> None:
    entries = [take(10), LedgerEntry(TRANSCRIPTION, "=cmd", duration_ms=1500, credits=8,
                                     estimated=True, created_at="2026-12-01T00:00:00+00:00"),
               LedgerEntry(SPEECH, "x", credits=None, source=CLOUD,
                           created_at="2026-12-01T00:00:00+00:00")]
    path = export_csv(entries, tmp_path / "usage.csv")
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0]["Kind"] == "Script take" and rows[0]["Estimate"] == "no"
    assert rows[1]["Estimate"] == "yes" and rows[1]["Seconds"] == "1.5"
    assert rows[1]["What"] == "'=cmd"  # never run as a spreadsheet formula
    assert rows[2]["Credits"] == ""


def test_a_ledger_locked_when_first_opened_saves_the_held_rows_once_free(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "ledger.sqlite3"
    first = Ledger(db)
    first.add(take(1))
    first.close()
    other = sqlite3.connect(db, timeout=0.1, isolation_level=None)
    other.execute("PRAGMA journal_mode=DELETE")  # (WAL readers would not be blocked)
    other.execute("BEGIN EXCLUSIVE")
    try:
        ledger = Ledger(db, busy_timeout_s=0.05)
        held = ledger.add(take(2, block_id="b2"))
        assert not held.kept and ledger.read_only
        assert "usage ledger locked" in ledger.notices.all()[0].text
        assert sorted(e.credits or 0 for e in ledger.entries()) == [1, 2]
        # Still locked: held, after one quick probe. The full opening (several attempts,
        # each waiting a busy timeout) is not tried again while the probe fails.
        openings: list[object] = []
        opener = ledger_module.open_history

        def counted(*args: Any, **kwargs: Any) -> Any:
            openings.append(args)
            return opener(*args, **kwargs)

        monkeypatch.setattr(ledger_module, "open_history", counted)
        assert not ledger.add(take(4, block_id="b4")).kept
        assert openings == []
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert ledger.add(take(3, block_id="b3")).kept
    assert not ledger.read_only and ledger.unsaved_count == 0
    assert ledger.notices.all()[-1].title == "Costs are saved again"
    ledger.close()
    assert sorted(e.credits or 0 for e in Ledger(db).entries()) == [1, 2, 3, 4]


def test_a_row_of_the_wrong_types_is_counted_as_its_types(tmp_path: Path) -> None:
    """SQLite keeps what it is given: a ledger edited or damaged elsewhere with "x" as a
    row's credits made every total raise (the status bar and Usage and costs failed)."""
    db = tmp_path / "ledger.sqlite3"
    ledger = Ledger(db)
    ledger.add(take(credits=10))
    ledger.add(take(credits=5))
    ledger.close()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE operations SET credits = 'x', characters = ?, "
                     "created_at = 'not a date', script_path = ? WHERE id = 1",
                     (b"\xff", b"/s/ad.xiscript.json"))
    conn.close()
    again = Ledger(db)
    damaged = next(e for e in again.entries() if e.id == 1)
    assert damaged.credits is None and damaged.characters is None
    assert damaged.created.year == 1970
    assert again.script_total("/s/ad.xiscript.json").credits == 5
    export_csv(again.entries(), tmp_path / "costs.csv")
    again.close()
