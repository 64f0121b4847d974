from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.library.history import ExportStopped, Generation, HistoryStore, NewGeneration


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    history = HistoryStore(tmp_path / "data" / "history.sqlite3", tmp_path / "data" / "audio")
    yield history
    history.close()


def _entry(store: HistoryStore, title: str = "Hello world", *, kind: str = "speech",
           cost: int | None = 10, session: str = "s1", voice: str = "Rachel",
           audio: bytes | None = b"ID3 audio", text: str | None = None) -> NewGeneration:
    path = None
    if audio is not None:
        with store.open_audio_writer("mp3") as writer:
            writer.write(audio)
        path = writer.final_path
    return NewGeneration(
        kind=kind, title=title, text=text if text is not None else f"{title}. More text.",
        voice_id="v1", voice_name=voice, model_id="eleven_multilingual_v2",
        output_format="mp3_44100_128", settings_json='{"seed": 1}', request_ids=["r1", "r2"],
        character_cost=cost, duration_ms=1500, file_path=path, session_id=session,
    )


def test_add_and_get(store: HistoryStore) -> None:
    entry = _entry(store)
    generation = store.add(entry)
    assert isinstance(generation, Generation)
    assert generation.id > 0
    assert generation.title == "Hello world" and generation.request_ids == ["r1", "r2"]
    assert generation.file_exists and generation.file_path == entry.file_path
    created = datetime.fromisoformat(generation.created_at)
    assert created.tzinfo is not None and created.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - generation.created) < timedelta(minutes=1)
    assert store.get(generation.id) == generation
    assert store.get(9999) is None
    assert store.audio_path(generation).read_bytes() == b"ID3 audio"
    # Stored relative to the audio folder, so the data folder can move.
    raw = store._conn.execute("SELECT file_path FROM generations").fetchone()[0]
    assert raw == entry.file_path.name  # type: ignore[union-attr]


def test_audio_writer_names_and_partials(store: HistoryStore) -> None:
    writer = store.open_audio_writer(".wav")
    assert writer.final_path.parent == store.audio_dir
    assert writer.final_path.suffix == ".wav"
    stem = writer.final_path.stem
    assert len(stem.split("-")) == 3 and len(stem.split("-")[2]) == 8
    writer.write(b"RIFF")
    # A crash now leaves only a hidden partial, which the next start removes.
    assert [p for p in store.audio_dir.iterdir()] == [writer.partial_path]
    # Simulate the process dying: its descriptors close, and its file lock with them.
    writer._file.close()  # type: ignore[union-attr]
    writer.release()
    reopened = HistoryStore(store.db_path, store.audio_dir)
    assert list(store.audio_dir.iterdir()) == []
    reopened.close()


def test_list_newest_first_and_search(store: HistoryStore) -> None:
    first = store.add(_entry(store, "Alpha one"))
    second = store.add(_entry(store, "Beta two", voice="Adam"))
    third = store.add(_entry(store, "100% sure_thing", kind="transcript", audio=None))
    assert [g.id for g in store.list()] == [third.id, second.id, first.id]
    assert [g.id for g in store.list("alpha")] == [first.id]
    assert [g.id for g in store.list("adam")] == [second.id]  # voice name, any case
    assert [g.id for g in store.list("more text")] == [third.id, second.id, first.id]
    assert [g.id for g in store.list("100%")] == [third.id]
    assert store.list("%") == [third]  # wildcards are literal
    assert store.list("_") == [third]
    assert store.list("nothing-like-this") == []
    assert [g.id for g in store.list(kind="transcript")] == [third.id]
    assert [g.id for g in store.list(limit=2)] == [third.id, second.id]
    assert not third.file_exists and third.file_path is None


def test_delete_removes_row_and_file(store: HistoryStore, tmp_path: Path) -> None:
    generation = store.add(_entry(store))
    path = store.audio_path(generation)
    store.delete(generation.id)
    assert store.get(generation.id) is None
    assert not path.exists()
    store.delete(generation.id)  # already gone: fine
    # A file outside the audio folder (say, a user's own recording) is never deleted.
    own = tmp_path / "my recording.mp3"
    own.write_bytes(b"mine")
    outside = store.add(replace(_entry(store, audio=None), file_path=own))
    assert store.get(outside.id).file_path == own  # type: ignore[union-attr]
    store.delete(outside.id)
    assert own.read_bytes() == b"mine"


def test_missing_file_is_reported(store: HistoryStore, tmp_path: Path) -> None:
    generation = store.add(_entry(store))
    store.audio_path(generation).unlink()
    assert not store.get(generation.id).file_exists  # type: ignore[union-attr]
    with pytest.raises(FileNotFoundError):
        store.export(generation.id, tmp_path / "out.mp3")
    assert not (tmp_path / "out.mp3").exists()


def test_export_copies_atomically(store: HistoryStore, tmp_path: Path) -> None:
    generation = store.add(_entry(store, audio=b"x" * 3_000_000))
    dest = tmp_path / "exports" / generation.suggested_filename
    assert store.export(generation.id, str(dest)) == dest
    assert dest.read_bytes() == b"x" * 3_000_000
    assert sorted(p.name for p in dest.parent.iterdir()) == [dest.name]
    with pytest.raises(FileNotFoundError):
        store.export(12345, tmp_path / "nope.mp3")


def test_export_stopped_half_way_leaves_no_file(store: HistoryStore, tmp_path: Path) -> None:
    """Stop while an hour of audio is being copied: the worker thread ends at the next
    chunk, and neither the chosen name nor a .partial file is left behind."""
    generation = store.add(_entry(store, audio=b"x" * 3_000_000))
    dest = tmp_path / "exports" / generation.suggested_filename
    stop = threading.Event()
    reports: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        reports.append((done, total))
        stop.set()  # the user clicks Stop once the first chunk is written

    with pytest.raises(ExportStopped):
        store.export(generation.id, dest, stop=stop, progress=progress)
    assert reports == [(1 << 20, 3_000_000)]  # one chunk, not the whole file
    assert list(dest.parent.iterdir()) == []
    finished: list[tuple[int, int]] = []
    store.export(generation.id, dest, progress=lambda d, t: finished.append((d, t)))
    assert finished[-1] == (3_000_000, 3_000_000) and dest.stat().st_size == 3_000_000


def test_suggested_filename(store: HistoryStore) -> None:
    generation = store.add(_entry(store, 'What? A "quote"/slash: done…'))
    name = generation.suggested_filename
    local = generation.created.astimezone()
    assert name == f"{local:%Y-%m-%d %H%M} What A quote slash done.mp3"
    no_file = replace(generation, file_path=None, output_format="opus_48000_64", title="")
    assert no_file.suggested_filename.endswith(" speech.opus")


def test_wal_mode_and_schema_version(store: HistoryStore) -> None:
    assert store._conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    other = sqlite3.connect(store.db_path)
    try:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert other.execute("PRAGMA user_version").fetchone()[0] == 1
    finally:
        other.close()


def test_concurrent_adds_from_threads(store: HistoryStore) -> None:
    errors: list[BaseException] = []
    entry = _entry(store, audio=None)

    def work(n: int) -> None:
        try:
            for i in range(25):
                store.add(replace(entry, title=f"t{n}-{i}", session_id=f"s{n}"))
                store.list(f"t{n}")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = store.list(limit=0)
    assert len(rows) == 200 and len({g.id for g in rows}) == 200
    assert sum(g.session_id == "s3" for g in rows) == 25


def test_reopen_keeps_rows(store: HistoryStore) -> None:
    generation = store.add(_entry(store))
    store.close()
    reopened = HistoryStore(store.db_path, store.audio_dir)
    try:
        assert reopened.get(generation.id) == generation
    finally:
        reopened.close()
    store._conn = sqlite3.connect(":memory:")  # let the fixture close something


def test_corrupt_database_is_kept_aside(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    db.write_bytes(b"this is not a database at all" * 100)
    store = HistoryStore(db, tmp_path / "audio")
    try:
        assert store.list() == []
        assert list(tmp_path.glob("history.sqlite3.corrupt-*"))
    finally:
        store.close()


def test_an_id_no_row_can_have_is_no_row(tmp_path: Path) -> None:
    """A damaged draft's 10**30 made SQLite raise OverflowError in `get`."""
    store = HistoryStore(tmp_path / "h.sqlite3", tmp_path / "audio")
    assert store.get(10 ** 30) is None and store.get(-(10 ** 30)) is None
    store.close()
