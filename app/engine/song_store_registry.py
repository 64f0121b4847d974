"""One `SongStore` per data folder in the engine process, shared by the endpoints that
keep songs (composed with `store_for_inpainting`, or uploaded) and those that use them
(`source_from`, `AudioRefChunk`), so an uploaded song can be re-made without a data
folder too (memory only)."""

from __future__ import annotations

import threading
from pathlib import Path

from app.engine.music_songs import SongStore

_stores: dict[Path | None, SongStore] = {}
_lock = threading.Lock()


def song_store_for(data_dir: Path | None) -> SongStore:
    key = data_dir.resolve() if data_dir is not None else None
    with _lock:
        if key not in _stores:
            _stores[key] = SongStore(data_dir)
        return _stores[key]


__all__ = ["song_store_for"]
