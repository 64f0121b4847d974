from __future__ import annotations

import threading
from pathlib import Path

import pytest

from app.library.atomic import AtomicFileWriter, atomic_write_bytes, atomic_write_text


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_streamed_writes_appear_only_on_commit(tmp_path: Path) -> None:
    final = tmp_path / "out.mp3"
    writer = AtomicFileWriter(final)
    writer.write(b"abc")
    writer.write(b"def")
    assert not final.exists()
    assert writer.partial_path.name.startswith(".") and writer.partial_path.exists()
    assert writer.commit() == final
    assert final.read_bytes() == b"abcdef"
    assert _leftovers(tmp_path) == ["out.mp3"]
    writer.abort()  # after commit: no effect
    assert final.read_bytes() == b"abcdef"


def test_abort_leaves_nothing_and_is_idempotent(tmp_path: Path) -> None:
    writer = AtomicFileWriter(tmp_path / "out.mp3")
    writer.write(b"half")
    writer.abort()
    writer.abort()
    assert _leftovers(tmp_path) == []
    with pytest.raises(ValueError):
        writer.write(b"more")
    with pytest.raises(ValueError):
        writer.commit()


def test_exception_in_with_block_aborts(tmp_path: Path) -> None:
    final = tmp_path / "out.wav"
    with pytest.raises(RuntimeError), AtomicFileWriter(final) as writer:
        writer.write(b"half")
        raise RuntimeError("cancelled")
    assert _leftovers(tmp_path) == []


def test_abort_keeps_previous_file_intact(tmp_path: Path) -> None:
    final = tmp_path / "settings.json"
    final.write_text("old")
    with pytest.raises(KeyboardInterrupt), AtomicFileWriter(final) as writer:
        writer.write(b"new but unfinished")
        raise KeyboardInterrupt
    assert final.read_text() == "old"
    assert _leftovers(tmp_path) == ["settings.json"]


def test_clean_with_block_commits(tmp_path: Path) -> None:
    final = tmp_path / "sub" / "a.bin"
    with AtomicFileWriter(final) as writer:
        writer.write(b"x")
    assert final.read_bytes() == b"x"


def test_helpers_replace_whole_files(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    atomic_write_text(path, "first, longer")
    atomic_write_text(path, "héllo")
    assert path.read_text(encoding="utf-8") == "héllo"
    atomic_write_bytes(path, b"\x00\x01")
    assert path.read_bytes() == b"\x00\x01"
    assert _leftovers(tmp_path) == ["f.txt"]


def test_writes_from_several_threads_in_turn(tmp_path: Path) -> None:
    writer = AtomicFileWriter(tmp_path / "t.bin")
    for i in range(5):
        thread = threading.Thread(target=writer.write, args=(bytes([i]) * 10,))
        thread.start()
        thread.join()
    assert writer.bytes_written == 50
    assert writer.commit().stat().st_size == 50
