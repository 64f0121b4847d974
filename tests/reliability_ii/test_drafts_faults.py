"""Drafts that cannot be read: kept aside under a new name (never written over by the next
autosave), and the user is told where, in the window."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.library.drafts import DraftStore
from app.library.paths import AppPaths
from tests.reliability_ii.conftest import NOTICES, AppLauncher

# Half a draft: what a disk failing mid-write, or another program, can leave.
GARBAGE = b'{"text": "Four paragraphs of a script the user wrote by ha' + b"\xff\xfe\x00"


def asides(folder: Path, name: str = "speech") -> list[Path]:
    return sorted(folder.glob(f"{name}.unreadable-*.json"))


def test_an_unreadable_draft_is_kept_aside_and_never_written_over(tmp_path: Path) -> None:
    (tmp_path / "speech.json").write_bytes(GARBAGE)
    drafts = DraftStore(tmp_path)
    assert drafts.load("speech") is None
    [aside] = asides(tmp_path)
    assert aside.read_bytes() == GARBAGE
    [notice] = drafts.notices.all()
    assert notice.path == aside and str(aside) in notice.text
    drafts.save("speech", {"text": "typed after the start"})
    assert aside.read_bytes() == GARBAGE  # the autosave went to a fresh file
    assert drafts.load("speech") == {"text": "typed after the start"}


def test_a_draft_that_is_not_a_draft_is_kept_aside_too(tmp_path: Path) -> None:
    (tmp_path / "music.json").write_text('["not", "a", "draft"]')
    drafts = DraftStore(tmp_path)
    assert drafts.load("music") is None
    [aside] = asides(tmp_path, "music")
    assert aside.read_text() == '["not", "a", "draft"]'
    assert len(drafts.notices.all()) == 1


def test_a_second_unreadable_draft_does_not_replace_the_first_one_kept(tmp_path: Path) -> None:
    for _time in range(2):
        (tmp_path / "speech.json").write_bytes(GARBAGE)
        DraftStore(tmp_path).load("speech")
    assert len(asides(tmp_path)) == 2


@pytest.mark.e2e
def test_the_window_says_where_the_unreadable_draft_was_kept(
        tmp_path: Path, apps: AppLauncher) -> None:
    home = tmp_path / "home"
    paths = AppPaths.under(home).ensure()
    (paths.drafts_dir / "speech.json").write_bytes(GARBAGE)
    seen = apps.start(home).wait_ready()
    [aside] = asides(paths.drafts_dir)
    assert aside.read_bytes() == GARBAGE
    banner = str(seen[NOTICES])
    assert "speech draft could not be read" in banner and str(aside) in banner
