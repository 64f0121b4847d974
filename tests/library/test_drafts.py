from __future__ import annotations

from pathlib import Path

import pytest

from app.library.drafts import DraftStore


def test_round_trip_and_clear(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts")
    assert store.load("speech") is None
    payload = {"text": "Hello — wörld", "seed": 3, "voice_settings": {"stability": 0.5}}
    store.save("speech", payload)
    assert store.load("speech") == payload
    store.save("speech", {"text": "newer"})
    assert store.load("speech") == {"text": "newer"}
    store.clear("speech")
    store.clear("speech")
    assert store.load("speech") is None


def test_corrupt_draft_is_none(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    (tmp_path / "speech.json").write_text("{trunc")
    assert store.load("speech") is None
    (tmp_path / "speech.json").write_text("[1, 2]")
    assert store.load("speech") is None


def test_names_stay_inside_the_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        DraftStore(tmp_path).save("../escape", {})


def test_a_save_cut_short_by_a_crash_is_cleaned_up(tmp_path: Path) -> None:
    import os
    import time

    from app.library.drafts import STALE_PARTIAL_S

    tmp_path.joinpath("speech.json").write_text('{"text": "kept"}')
    old = tmp_path / ".speech.json.a1b2.partial"
    old.write_text('{"text": "half')
    stamp = time.time() - STALE_PARTIAL_S - 5
    os.utime(old, (stamp, stamp))
    fresh = tmp_path / ".music.json.c3d4.partial"  # another copy of the app saving now
    fresh.write_text("{")
    store = DraftStore(tmp_path)
    assert not old.exists() and fresh.exists()
    assert store.load("speech") == {"text": "kept"}
