"""The small JSON files the app keeps (settings and the window state in them, drafts, the
speaker-name book, a script's queue marker) when damaged in ways earlier sweeps did not
try: lists nested thousands deep (json.loads raises RecursionError, which no reader
caught), a byte order mark, wrong types, and files of gigabytes (read whole before)."""

from __future__ import annotations

import json
import os
import tracemalloc
from pathlib import Path

import pytest

from app.library import drafts as drafts_module
from app.library import script_store
from app.library.drafts import DraftStore
from app.library.paths import AppPaths
from app.library.settings import SettingsStore
from app.library.speaker_names import SpeakerNameBook
from tests.reliability_ii.conftest import NOTICES, AppLauncher, StudioFactory
from tests.support.cloud import Cloud

DEEP = "[" * 100_000 + "]" * 100_000


def sparse(path: Path, size: int) -> Path:
    """A file that says `size` bytes (of zeros) but takes no disk."""
    with path.open("wb") as file:
        file.truncate(size)
    return path


def peak_bytes_while(call: object) -> int:
    tracemalloc.start()
    try:
        call()  # type: ignore[operator]
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_settings_file_nested_thousands_deep_gives_defaults_and_is_kept_aside(
        tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(DEEP)
    settings = SettingsStore(path).load()  # raised RecursionError: the app did not start
    assert settings.base_url == "https://api.elevenlabs.io"
    assert [p.read_text() for p in tmp_path.glob("settings.json.corrupt-*")] == [DEEP]


def test_a_settings_file_saved_with_a_byte_order_mark_keeps_its_values(
        tmp_path: Path) -> None:
    """Notepad adds a BOM to UTF-8: every setting was set aside and defaults used."""
    path = tmp_path / "settings.json"
    path.write_bytes(b'\xef\xbb\xbf{"base_url": "http://127.0.0.1:8123"}')
    assert SettingsStore(path).load().base_url == "http://127.0.0.1:8123"
    assert not list(tmp_path.glob("settings.json.corrupt*"))


def test_the_window_opens_with_a_settings_file_nested_thousands_deep(
        tmp_path: Path, apps: AppLauncher) -> None:
    home = tmp_path / "home"
    paths = AppPaths.under(home).ensure()
    (paths.config_dir / "settings.json").write_text(DEEP)
    apps.start(home).wait_ready()  # the app exited at start with a RecursionError


def test_a_draft_nested_thousands_deep_is_kept_aside_and_said(tmp_path: Path) -> None:
    (tmp_path / "speech.json").write_text(DEEP)
    drafts = DraftStore(tmp_path)
    assert drafts.load("speech") is None
    [aside] = sorted(tmp_path.glob("speech.unreadable-*.json"))
    assert aside.read_text() == DEEP
    [notice] = drafts.notices.all()
    assert str(aside) in notice.text


def test_the_window_opens_with_a_draft_nested_thousands_deep(
        tmp_path: Path, apps: AppLauncher) -> None:
    home = tmp_path / "home"
    paths = AppPaths.under(home).ensure()
    (paths.drafts_dir / "speech.json").write_text(DEEP)
    seen = apps.start(home).wait_ready()
    assert "speech.unreadable-" in str(seen[NOTICES])


def test_a_draft_of_gigabytes_is_kept_aside_unread(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A damaged draft of 2 GB was read whole at start (and decoded: twice that)."""
    monkeypatch.setattr(drafts_module, "DRAFT_LIMIT", 1024 * 1024, raising=False)
    sparse(tmp_path / "speech.json", 64 * 1024 * 1024)
    drafts = DraftStore(tmp_path)
    assert peak_bytes_while(lambda: drafts.load("speech")) < 8 * 1024 * 1024
    [aside] = sorted(tmp_path.glob("speech.unreadable-*.json"))
    assert aside.stat().st_size == 64 * 1024 * 1024  # kept, not emptied
    [notice] = drafts.notices.all()
    assert str(aside) in notice.text


def test_a_speaker_name_book_nested_thousands_deep_is_no_names(tmp_path: Path) -> None:
    path = tmp_path / "speaker-names.json"
    path.write_text(DEEP)
    book = SpeakerNameBook(path)
    assert book.names("/show") == []  # raised RecursionError
    assert book.remember("/show", ["Ann"]) == ["Ann"]


def test_a_script_queue_marker_nested_thousands_deep_is_no_queue(tmp_path: Path) -> None:
    script = tmp_path / "a.xiscript.json"
    script_store.takes_dir_for(script).mkdir()
    (script_store.takes_dir_for(script) / script_store.QUEUE_FILE).write_text(DEEP)
    assert script_store.load_queue_state(script) is None  # raised RecursionError


def test_a_script_file_of_gigabytes_is_refused_unread(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(script_store, "SCRIPT_LIMIT", 1024 * 1024, raising=False)
    path = sparse(tmp_path / "huge.xiscript.json", 64 * 1024 * 1024)
    caught: list[BaseException] = []

    def load() -> None:
        try:
            script_store.load_script(path)
        except Exception as exc:  # (which one is asserted below)
            caught.append(exc)

    assert peak_bytes_while(load) < 8 * 1024 * 1024
    [error] = caught
    assert isinstance(error, OSError) and "huge.xiscript.json is larger than" in str(error)
    assert os.path.getsize(path) == 64 * 1024 * 1024


@pytest.mark.parametrize("value", [7, None, ["x"], "not base64 at all"])
def test_a_window_state_of_the_wrong_types_opens_and_closes_the_window(
        studios: StudioFactory, cloud: Cloud, value: object) -> None:
    """A number where Qt's saved geometry belongs raised AttributeError building the
    window (the app did not start); a number where the dividers belong raised in
    closeEvent. The window now opens with its default layout and saves a good one."""
    home = studios.home()
    (home / "config").mkdir(parents=True)
    (home / "config" / "settings.json").write_text(json.dumps({"window_state": {
        "geometry": value, "tab": value, "window_layout": value, "splitters": value}}))
    studio = studios.start(home, cloud_url=cloud.url)
    studio.window.build_all_tabs()
    studios.stop(studio)
    saved = json.loads((home / "config" / "settings.json").read_text())["window_state"]
    assert isinstance(saved["geometry"], str) and isinstance(saved["splitters"], dict)


def test_a_folder_where_the_settings_file_belongs_is_said_in_the_window(
        tmp_path: Path, apps: AppLauncher) -> None:
    """Defaults were used without a word, and every setting changed was lost at quit."""
    home = tmp_path / "home"
    paths = AppPaths.under(home).ensure()
    (paths.config_dir / "settings.json").mkdir()
    seen = apps.start(home).wait_ready()
    banner = str(seen[NOTICES])
    assert "Your settings could not be read" in banner
    assert str(paths.config_dir / "settings.json") in banner


def test_a_damaged_settings_file_is_named_where_it_was_kept(
        tmp_path: Path, apps: AppLauncher) -> None:
    home = tmp_path / "home"
    paths = AppPaths.under(home).ensure()
    (paths.config_dir / "settings.json").write_bytes(b'{"base_url": "http://127.0.0.1:1\xff')
    seen = apps.start(home).wait_ready()
    banner = str(seen[NOTICES])
    assert "Your settings were damaged" in banner
    kept = list(paths.config_dir.glob("settings.json.corrupt-*"))
    assert len(kept) == 1 and str(kept[0]) in banner
