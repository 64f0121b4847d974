"""Damaged variants of a file, made in a temporary folder: what a crash, a bad copy, a
wrong choice in a file dialog or a hostile sender can leave where the app expects its
file. Each maker writes at `path` (or puts something else there) and returns it."""

from __future__ import annotations

import os
import random
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
       b"\x00\x00\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00"
       b"\x18\xdd\x8d\xb0\x00\x00\x00\x00IEND\xaeB`\x82")
HUGE_BYTES = 50 * 1024 * 1024
DEEP = b"[" * 100_000 + b"]" * 100_000

Maker = Callable[[Path, bytes], Path]


def _write(data: bytes) -> Maker:
    def make(path: Path, valid: bytes) -> Path:
        path.write_bytes(data)
        return path
    return make


def _from_valid(change: Callable[[bytes], bytes]) -> Maker:
    def make(path: Path, valid: bytes) -> Path:
        path.write_bytes(change(valid))
        return path
    return make


def _random(size: int, seed: int = 15) -> bytes:
    return random.Random(seed).randbytes(size)


def _zip(path: Path, valid: bytes) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return path


def _huge(path: Path, valid: bytes) -> Path:
    with path.open("wb") as file:  # sparse: says 50 MB, takes no disk
        file.truncate(HUGE_BYTES)
    return path


def _directory(path: Path, valid: bytes) -> Path:
    path.mkdir()
    return path


def _symlink_loop(path: Path, valid: bytes) -> Path:
    other = path.with_name(path.name + ".loop")
    os.symlink(other, path)
    os.symlink(path, other)
    return path


def _fifo(path: Path, valid: bytes) -> Path:
    os.mkfifo(path)  # nobody ever writes to it: a reader that opens it waits forever
    return path


def _unreadable(path: Path, valid: bytes) -> Path:
    if os.geteuid() == 0:  # root reads every file: a folder named like the file instead
        (path / "inside").mkdir(parents=True)
        return path
    path.write_bytes(valid)
    path.chmod(0)
    return path


FILE_DAMAGE: dict[str, Maker] = {
    "empty": _write(b""),
    "one_byte": _write(b"{"),
    "half": _from_valid(lambda v: v[: len(v) // 2]),
    "random": _write(_random(4096)),
    "header_then_garbage": _from_valid(lambda v: v[:16] + _random(4096, 16)),
    "png": _write(PNG),
    "zip": _zip,
    "utf16": _from_valid(lambda v: v.decode("utf-8", "replace").encode("utf-16")),
    "latin1": _write("caf\xe9 na\xefve \xc6sop, \xbfqu\xe9?\n".encode("latin-1") * 10),
    "invalid_utf8": _write(b"ok \xc3\x28 \xa0\xa1 \xff\xfe\xfd\n" * 10),
    "bom": _from_valid(lambda v: b"\xef\xbb\xbf" + v),
    "nul_bytes": _from_valid(lambda v: v[: len(v) // 3] + b"\x00" * 64 + v[len(v) // 3:]),
    "huge_50mb": _huge,
    "directory": _directory,
    "symlink_loop": _symlink_loop,
    "fifo": _fifo,
    "unreadable": _unreadable,
}

JSON_DAMAGE: dict[str, Maker] = {
    "json_list": _write(b"[1, 2, 3]"),
    "json_string": _write(b'"just a string"'),
    "json_null": _write(b"null"),
    "json_wrong_types": _write(b'{"version": "x", "blocks": 7, "files": {"a": 1}, '
                               b'"words": "no", "sections": null, "title": [1], '
                               b'"language_code": 5, "text": {"a": []}}'),
    "json_deep": _write(DEEP),
    "json_huge_numbers": _write(b'{"version": 1e999, "n": ' + b"9" * 5000 + b', '
                                b'"size": -1e308, "duration": 1e400}'),
}


# -- SQLite ---------------------------------------------------------------------------
def _not_a_db(path: Path, valid: bytes) -> Path:
    path.write_bytes(b"this is a note, not a database\n" * 200)
    return path


def _truncated_db(path: Path, valid: bytes) -> Path:
    path.write_bytes(valid[: max(100, len(valid) // 2)])
    return path


def _header_then_garbage_db(path: Path, valid: bytes) -> Path:
    path.write_bytes(valid[:100] + _random(len(valid) - 100, 7))
    return path


def _wrong_columns(table_sql: str) -> Maker:
    def make(path: Path, valid: bytes) -> Path:
        conn = sqlite3.connect(path)
        conn.executescript(table_sql)
        conn.commit()
        conn.close()
        return path
    return make


def _newer(path: Path, valid: bytes) -> Path:
    path.write_bytes(valid)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()
    return path


def db_damage(wrong_columns_sql: str) -> dict[str, Maker]:
    return {
        "empty": _write(b""),
        "not_a_db": _not_a_db,
        "truncated_db": _truncated_db,
        "header_then_garbage_db": _header_then_garbage_db,
        "wrong_columns": _wrong_columns(wrong_columns_sql),
        "newer_version": _newer,
        "png": _write(PNG),
        "directory": _directory,
        "symlink_loop": _symlink_loop,
        "unreadable": _unreadable,
    }
