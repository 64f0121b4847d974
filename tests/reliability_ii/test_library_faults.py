"""History and data folder faults, with real files and real processes: a damaged
database is the only thing ever set aside (and the user is told where); a locked one is
waited for; one that cannot be written opens read-only; a data folder that cannot be
created still opens the window, with a banner."""

from __future__ import annotations

import os
import resource
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton, QWidget

from app.library.history import HistoryStore, NewGeneration
from app.library.paths import AppPaths
from tests.reliability_ii.conftest import NOTICES, REPO, AppLauncher, StudioFactory
from tests.support.cloud import Cloud
from tests.ui.conftest import save_screenshot

PAGE = 4096


def entry(title: str, path: Path | None = None) -> NewGeneration:
    return NewGeneration(
        kind="speech", title=title, text=f"{title} " * 40, voice_id="v", voice_name="V",
        model_id="m", output_format="mp3_44100_128", settings_json="{}", request_ids=[],
        character_cost=10, duration_ms=500, file_path=path, session_id="s")


def make_history(paths: AppPaths, rows: int = 300) -> None:
    store = HistoryStore(paths.history_db, paths.audio_dir)
    for number in range(rows):
        store.add(entry(f"Take {number}"))
    store.close()  # checkpoints the WAL: everything is in the main file


def damage_middle_pages(db: Path) -> bytes:
    """Overwrite a few pages in the middle; the header (page 1) stays good."""
    data = bytearray(db.read_bytes())
    pages = len(data) // PAGE
    assert pages > 10
    for page in range(pages // 2, pages // 2 + 3):
        data[page * PAGE + 8:(page + 1) * PAGE] = bytes(range(256)) * 15 + bytes(PAGE - 8 - 3840)
    db.write_bytes(bytes(data))
    return bytes(data)


def corrupt_asides(paths: AppPaths) -> list[Path]:
    return sorted(paths.data_dir.glob("history.sqlite3.corrupt-*"))


def test_damaged_pages_behind_a_good_header_are_set_aside_and_the_user_told(
        tmp_path: Path) -> None:
    paths = AppPaths.under(tmp_path / "home").ensure()
    make_history(paths)
    damaged = damage_middle_pages(paths.history_db)
    store = HistoryStore(paths.history_db, paths.audio_dir)
    try:
        asides = [p for p in corrupt_asides(paths) if not p.name.endswith(("-wal", "-shm"))]
        assert len(asides) == 1 and asides[0].read_bytes() == damaged  # kept, untouched
        notices = store.notices.all()
        assert len(notices) == 1 and notices[0].path == asides[0]
        assert str(asides[0]) in notices[0].text and "damaged" in notices[0].title
        assert not store.read_only
        store.add(entry("After the damage"))
        assert [g.title for g in store.list()] == ["After the damage"]
    finally:
        store.close()


def test_a_garbage_history_is_not_reset_silently(tmp_path: Path) -> None:
    paths = AppPaths.under(tmp_path / "home").ensure()
    garbage = os.urandom(3 * PAGE)
    paths.history_db.write_bytes(garbage)
    store = HistoryStore(paths.history_db, paths.audio_dir)
    store.close()
    [aside] = corrupt_asides(paths)
    assert aside.read_bytes() == garbage
    assert [n.path for n in store.notices.all()] == [aside]


def test_a_locked_history_is_waited_for_not_set_aside(tmp_path: Path) -> None:
    """Another process holds an exclusive lock for longer than one busy wait (12 s): the
    history opens once it is free, healthy and writable, with every row."""
    paths = AppPaths.under(tmp_path / "home").ensure()
    make_history(paths, rows=20)
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sqlite3, time
        conn = sqlite3.connect({str(paths.history_db)!r}, isolation_level=None)
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("UPDATE generations SET title = title")
        print("locked", flush=True)
        time.sleep(12)
        conn.execute("COMMIT")
        conn.close()
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        store = HistoryStore(paths.history_db, paths.audio_dir)
        try:
            assert corrupt_asides(paths) == []
            assert not store.read_only and store.notices.all() == []
            assert len(store.list()) == 20
            store.add(entry("Written after the wait"))
        finally:
            store.close()
    finally:
        holder.wait(30)
    conn = sqlite3.connect(paths.history_db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT COUNT(*) FROM generations").fetchone()[0] == 21
    conn.close()


def test_an_unwritable_history_opens_read_only_with_its_rows(tmp_path: Path) -> None:
    """SQLite cannot create its write-ahead log (a folder is in the way; works for root,
    unlike chmod): the healthy history is not set aside, it is listed, and new
    generations are kept for the session and said not to be saved."""
    paths = AppPaths.under(tmp_path / "home").ensure()
    make_history(paths, rows=5)
    before = paths.history_db.read_bytes()
    Path(f"{paths.history_db}-wal").mkdir()
    store = HistoryStore(paths.history_db, paths.audio_dir)
    try:
        assert corrupt_asides(paths) == [] and paths.history_db.read_bytes() == before
        assert store.read_only and len(store.list()) == 5
        [notice] = store.notices.all()
        assert "read-only" in notice.title and "NOT kept" in notice.text
        writer = store.open_audio_writer("mp3")
        writer.write(b"ID3 new audio")
        store.add(entry("New this session", writer.commit()))
        assert store.list()[0].title == "New this session" and len(store.list()) == 6
        exported = store.export(store.list()[0].id, tmp_path / "kept.mp3")
        assert exported.read_bytes() == b"ID3 new audio"
        # Deleting a past entry hides it for the session; its audio is not deleted.
        past = store.list()[-1]
        audio = paths.audio_dir / "past.mp3"
        audio.write_bytes(b"ID3 past")
        with store._locked() as conn, conn:
            conn.execute("UPDATE generations SET file_path = 'past.mp3' WHERE id = ?",
                         (past.id,))
        store.delete(past.id)
        assert audio.read_bytes() == b"ID3 past"
    finally:
        store.close()
    assert paths.history_db.read_bytes() == before


def _fsize_limit_zero() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # every write that grows a file fails


def _fsize_limit_one_page() -> None:
    # No file may grow past 4 KiB: a database's second page, or its write-ahead log's
    # first frame, does not fit (the disk is full), while the small report the test
    # reads still does.
    resource.setrlimit(resource.RLIMIT_FSIZE, (PAGE, PAGE))


def test_a_full_disk_at_first_start_opens_read_only_instead_of_crashing(
        tmp_path: Path) -> None:
    """No file may grow (RLIMIT_FSIZE 0 in a real process: the disk is full)."""
    paths = AppPaths.under(tmp_path / "home").ensure()
    script = textwrap.dedent(f"""
        import json
        from pathlib import Path
        from app.library.history import HistoryStore
        store = HistoryStore(Path({str(paths.history_db)!r}), Path({str(paths.audio_dir)!r}))
        print(json.dumps({{"read_only": store.read_only, "rows": len(store.list()),
                          "notices": [n.title + ": " + n.text for n in store.notices.all()]}}))
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                            text=True, env={**os.environ, "PYTHONPATH": str(REPO)},
                            preexec_fn=_fsize_limit_zero, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    import json

    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["read_only"] and seen["rows"] == 0
    assert any("read-only" in n for n in seen["notices"])
    assert corrupt_asides(paths) == []


@pytest.mark.e2e
def test_a_data_folder_that_cannot_be_created_still_opens_the_window(
        tmp_path: Path, apps: AppLauncher) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("a file where the data folder should be")
    run = apps.start(blocker / "home")
    seen = run.wait_ready()
    banner = str(seen[NOTICES])
    assert "History is read-only" in banner and "cannot be created" in banner
    assert str(blocker / "home" / "data") in banner
    assert run.process.poll() is None  # the window is open


@pytest.mark.e2e
def test_a_damaged_history_is_named_in_the_window(tmp_path: Path, apps: AppLauncher) -> None:
    home = tmp_path / "home"
    paths = AppPaths.under(home).ensure()
    make_history(paths)
    damage_middle_pages(paths.history_db)
    seen = apps.start(home).wait_ready()
    [aside] = [p for p in corrupt_asides(paths) if not p.name.endswith(("-wal", "-shm"))]
    assert "History was damaged" in str(seen[NOTICES]) and str(aside) in str(seen[NOTICES])


@pytest.mark.e2e
def test_a_full_disk_still_opens_the_window_with_a_banner(
        tmp_path: Path, apps: AppLauncher) -> None:
    home = tmp_path / "home"
    AppPaths.under(home).ensure()
    seen = apps.start(home, preexec=_fsize_limit_one_page).wait_ready()
    assert "History is read-only" in str(seen[NOTICES])


@pytest.mark.e2e
def test_in_read_only_mode_a_new_generation_plays_is_listed_and_can_be_exported(
        qtbot: Any, studios: StudioFactory, cloud: Cloud, tmp_path: Path) -> None:
    home = studios.home()
    paths = AppPaths.under(home).ensure()
    make_history(paths, rows=3)
    Path(f"{paths.history_db}-wal").mkdir()  # SQLite cannot write this history
    studio = studios.start(home, cloud_url=cloud.url)
    banner = studio.find(QLabel, NOTICES)
    assert studio.find(QWidget, "main.notices").isVisible()
    assert "History is read-only" in banner.text() and "Export" in banner.text()
    history = studio.ctx.history
    assert len(history.list()) == 3  # the past is listed
    studio.find(QPlainTextEdit, "speech.text").setPlainText("Made while read-only.")
    qtbot.mouseClick(studio.find(QPushButton, "speech.generate"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(history.list()) == 4, timeout=30_000)
    new = history.list()[0]
    qtbot.waitUntil(lambda: "Save as" in studio.find(QLabel, "speech.status").text())
    assert new.text == "Made while read-only." and new.file_exists
    kept = history.export(new.id, tmp_path / "kept.mp3")
    assert kept.stat().st_size > 0 and kept.read_bytes() == new.file_path.read_bytes()  # type: ignore[union-attr]
    table = studio.window.history.table  # the window lists it too
    qtbot.waitUntil(lambda: table.model().rowCount() == 4, timeout=10_000)
    save_screenshot(studio.window, "history-read-only", tmp_path)
    assert corrupt_asides(paths) == []
