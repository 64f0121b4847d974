"""Several copies at once, with real processes: one window per data folder (a second
launch hands its files over and exits 0, a crashed copy's socket does not block the next),
and start-up recovery that never touches what a live copy is writing or about to list,
and never makes two history rows for one file."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.library.history import HistoryStore, NewGeneration
from app.library.paths import AppPaths
from tests.reliability_ii.conftest import REPO, AppLauncher

WRITER = textwrap.dedent("""
    # A copy of the app writing a generation, one step per line read from stdin.
    import json, sys
    from pathlib import Path
    from app.library.history import HistoryStore, NewGeneration
    store = HistoryStore(Path(sys.argv[1]), Path(sys.argv[2]))
    writer = store.open_audio_writer("mp3")
    writer.write(b"ID3" + bytes(4000))
    print(json.dumps({"partial": str(writer.partial_path)}), flush=True)
    path = None
    for line in sys.stdin:
        step = line.strip()
        try:
            if step == "commit":
                path = writer.commit()
                print(json.dumps({"final": str(path)}), flush=True)
            elif step == "add":
                row = store.add(NewGeneration(
                    kind="speech", title="Paid for", text="Paid for", voice_id="v",
                    voice_name="V", model_id="m", output_format="mp3_44100_128",
                    settings_json="{}", request_ids=["r1"], character_cost=8,
                    duration_ms=500, file_path=path, session_id="s"))
                print(json.dumps({"row": row.id}), flush=True)
        except Exception as exc:
            print(json.dumps({"error": repr(exc)}), flush=True)
""")


class Writer:
    def __init__(self, paths: AppPaths) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(paths.history_db), str(paths.audio_dir)],
            cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
        self.partial = Path(self.read()["partial"])

    def read(self) -> dict[str, str]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line, "the writer process died"
        return dict(json.loads(line))

    def step(self, name: str) -> dict[str, str]:
        assert self.process.stdin is not None
        self.process.stdin.write(name + "\n")
        self.process.stdin.flush()
        return self.read()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)


@pytest.fixture
def paths(tmp_path: Path) -> Iterator[AppPaths]:
    yield AppPaths.under(tmp_path / "home").ensure()


def rows_for(paths: AppPaths, name: str) -> list[sqlite3.Row]:
    conn = sqlite3.connect(paths.history_db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute("SELECT * FROM generations WHERE file_path = ?",
                            (name,)).fetchall()
    finally:
        conn.close()


def test_a_second_copy_leaves_the_partial_a_live_copy_is_writing(paths: AppPaths) -> None:
    writer = Writer(paths)
    dead = Writer(paths)
    dead.kill()  # a crashed copy's partial: that one goes
    try:
        assert writer.partial.exists() and dead.partial.exists()
        HistoryStore(paths.history_db, paths.audio_dir).close()  # a second copy starts
        assert writer.partial.exists() and not dead.partial.exists()
        final = Path(writer.step("commit")["final"])
        assert writer.step("add").get("row")
        assert final.read_bytes().startswith(b"ID3") and len(rows_for(paths, final.name)) == 1
    finally:
        writer.kill()


def test_a_second_copy_does_not_list_a_file_whose_row_is_on_its_way(paths: AppPaths) -> None:
    writer = Writer(paths)
    try:
        final = Path(writer.step("commit")["final"])
        # A second copy starts between the file's commit and its row.
        HistoryStore(paths.history_db, paths.audio_dir).close()
        assert rows_for(paths, final.name) == []
        assert writer.step("add").get("row")
        again = HistoryStore(paths.history_db, paths.audio_dir)
        try:
            [row] = rows_for(paths, final.name)
            assert row["kind"] == "speech" and row["title"] == "Paid for"
            assert len(again.list()) == 1
        finally:
            again.close()
    finally:
        writer.kill()
    # A copy that dies between its file and its row: the next start lists the file once.
    dying = Writer(paths)
    orphan = Path(dying.step("commit")["final"])
    dying.kill()
    for _start in range(2):
        HistoryStore(paths.history_db, paths.audio_dir).close()
    [row] = rows_for(paths, orphan.name)
    assert row["kind"] == "recovered"


def test_the_real_row_replaces_a_recovered_entry_and_deleting_keeps_shared_audio(
        tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "history.sqlite3", tmp_path / "audio")
    try:
        writer = store.open_audio_writer("mp3")
        writer.write(b"ID3 paid for")
        path = writer.commit()

        def row(kind: str) -> NewGeneration:
            return NewGeneration(
                kind=kind, title=kind, text="", voice_id=None, voice_name=None,
                model_id=None, output_format="mp3_44100_128", settings_json="{}",
                request_ids=[], character_cost=None, duration_ms=0, file_path=path,
                session_id="")

        store.add(row("recovered"))  # another copy listed it first
        real = store.add(row("speech"))
        assert [(g.kind, g.file_path) for g in store.list()] == [("speech", path)]
        # A history from before this rule may hold two rows for one file.
        with sqlite3.connect(store.db_path) as conn:
            conn.execute("INSERT INTO generations (created_at, kind, file_path) VALUES"
                         " ('2026-01-01T00:00:00.000000+00:00', 'recovered', ?)",
                         (path.name,))
        recovered = next(g for g in store.list() if g.kind == "recovered")
        store.delete(recovered.id)
        assert path.read_bytes() == b"ID3 paid for"
        assert store.get(real.id) is not None and store.get(real.id).file_exists  # type: ignore[union-attr]
    finally:
        store.close()


# -- one window per data folder ---------------------------------------------------------

def draft_text(paths: AppPaths) -> str:
    try:
        return str(json.loads((paths.drafts_dir / "speech.json").read_text())["text"])
    except (OSError, ValueError, KeyError):
        return ""


def wait_for(condition: object, timeout_s: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.e2e
def test_a_second_launch_hands_its_file_to_the_open_window_and_exits_0(
        tmp_path: Path, apps: AppLauncher) -> None:
    home = tmp_path / "home"
    paths = AppPaths.under(home)
    first = apps.start(home)
    first.wait_ready()
    text_file = tmp_path / "script.txt"
    text_file.write_text("Handed over by the second launch.")
    second = apps.start(home, text_file)
    assert second.process.wait(60) == 0
    assert first.process.poll() is None
    assert wait_for(lambda: draft_text(paths) == "Handed over by the second launch.")


@pytest.mark.e2e
@pytest.mark.parametrize("history", ["new", "existing"])
def test_two_copies_started_at_once_make_one_window_and_keep_the_history(
        tmp_path: Path, apps: AppLauncher, history: str) -> None:
    """Both copies open (or create) the history at the same moment before one of them
    finds the other: neither may take the other's lock for damage."""
    home = tmp_path / "home"
    paths = AppPaths.under(home)
    if history == "existing":
        paths.ensure()
        HistoryStore(paths.history_db, paths.audio_dir).close()
    one, two = apps.start(home), apps.start(home)
    assert wait_for(lambda: one.process.poll() is not None or two.process.poll() is not None,
                    timeout_s=60)
    exited, running = (one, two) if one.process.poll() is not None else (two, one)
    assert exited.process.returncode == 0
    running.wait_ready()
    assert running.process.poll() is None
    assert list(paths.data_dir.glob("*.corrupt-*")) == []
    conn = sqlite3.connect(paths.history_db)
    assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    conn.close()


@pytest.mark.e2e
def test_a_crashed_copy_does_not_block_the_next_one(tmp_path: Path, apps: AppLauncher) -> None:
    home = tmp_path / "home"
    paths = AppPaths.under(home)
    crashed = apps.start(home)
    crashed.wait_ready()
    crashed.process.kill()  # its lock file and socket stay behind
    crashed.process.wait(10)
    first_file = tmp_path / "first.txt"
    first_file.write_text("Opened by the copy after the crash.")
    after = apps.start(home, first_file)
    after.wait_ready()  # it became the first copy instead of handing over to a dead one
    assert wait_for(lambda: draft_text(paths) == "Opened by the copy after the crash.")
    second_file = tmp_path / "second.txt"
    second_file.write_text("And handed to it by the next launch.")
    assert apps.start(home, second_file).process.wait(60) == 0
    assert wait_for(lambda: draft_text(paths) == "And handed to it by the next launch.")
