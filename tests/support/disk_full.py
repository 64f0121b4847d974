"""A disk that fills half way through a write, for the "no half file under the final
name" tests: files opened for writing inside one folder keep the first half of what is
written, then the write fails as a full disk does (ENOSPC).

It patches `open` itself (both `builtins.open` and `io.open`, which `Path.write_bytes`
uses), so it catches a plain one-go write and the atomic writer alike."""

from __future__ import annotations

import builtins
import errno
import io
from pathlib import Path
from typing import Any

import pytest


class _HalfWriter:
    """Wraps a real file: writes half of the first chunk to it, then reports a full disk."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self._real.write(view[: max(1, len(view) // 2)])
        self._real.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    def __enter__(self) -> _HalfWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self._real.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def fill_disk_half_way(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """From now on, writes to files under `folder` stop half way with ENOSPC."""
    real_open = builtins.open
    folder = folder.resolve()

    def open_(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(file, mode, *args, **kwargs)
        writing = any(flag in mode for flag in "wax+")
        if writing and isinstance(file, (str, Path)) and folder in Path(file).resolve().parents:
            return _HalfWriter(handle)
        return handle

    monkeypatch.setattr(builtins, "open", open_)
    monkeypatch.setattr(io, "open", open_)
