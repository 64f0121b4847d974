"""Saving a script while "Generate all" runs: the file (MBs for a long chapter) is not
rewritten for every take, and no take is lost when the window is closed mid-queue or the
app stops between two saves. Against the local engine on loopback."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QPushButton, QTableView

from app.domain.script_file import script_from_json
from app.library.script_store import takes_dir_for

pytestmark = pytest.mark.e2e

BLOCKS = 24


def _open_many_blocks(launch: Any, engine_url: str, qtbot: Any, tmp_path: Path) -> Any:
    studio = launch(engine_url=engine_url)
    source = tmp_path / "many.txt"
    source.write_text("".join(f"ANNA: Line number {i} of the long chapter.\n"
                              for i in range(BLOCKS)), encoding="utf-8")
    studio.window.open_paths([source])
    table = studio.find(QTableView, "scripts.blocks")
    qtbot.waitUntil(lambda: table.model().rowCount() == BLOCKS, timeout=20_000)
    combo = studio.find(QComboBox, "scripts.voice_anna")
    qtbot.waitUntil(lambda: combo.count() > 0, timeout=20_000)
    combo.setCurrentIndex(0)
    combo.activated.emit(0)
    qtbot.waitUntil(lambda: studio.window.scripts_tab.document.script.voice_of(
        studio.window.scripts_tab.document.script.blocks[0]) is not None, timeout=10_000)
    return studio


def _count_script_writes(monkeypatch: pytest.MonkeyPatch, script_path: Path) -> list[Path]:
    """Every write of the script file by the queue's document, recorded."""
    import app.services.script_document as core

    writes: list[Path] = []
    real = core.save_script

    def counting(path: Any, *args: Any, **kwargs: Any) -> Path:
        if Path(path) == script_path:
            writes.append(Path(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(core, "save_script", counting)
    return writes


def _generate_all(studio: Any, qtbot: Any) -> None:
    button = studio.find(QPushButton, "scripts.generate_all")
    qtbot.waitUntil(button.isEnabled, timeout=20_000)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _takes_in_file(path: Path) -> dict[str, list[str]]:
    script = script_from_json(path.read_bytes())
    return {b.block_id: [t.take_id for t in b.takes] for b in script.blocks}


def test_generate_all_writes_the_script_far_less_than_once_a_take(
        launch, engine_url: str, qtbot, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    studio = _open_many_blocks(launch, engine_url, qtbot, tmp_path)
    tab = studio.window.scripts_tab
    path = tab.document.path
    qtbot.waitUntil(lambda: not tab.document.core.is_modified, timeout=10_000)
    writes = _count_script_writes(monkeypatch, path)
    _generate_all(studio, qtbot)
    qtbot.waitUntil(lambda: tab.document.script.all_takes_chosen, timeout=120_000)
    qtbot.waitUntil(lambda: not tab.generation.is_running, timeout=30_000)
    qtbot.waitUntil(lambda: not tab.document.core.is_modified, timeout=10_000)
    # Every take is in the file, written in far fewer saves than takes.
    assert all(len(ids) == 1 for ids in _takes_in_file(path).values())
    assert 1 <= len(writes) <= BLOCKS // 3, f"{len(writes)} writes for {BLOCKS} takes"
    # The notes that kept the takes until a save held them are gone.
    assert not list(takes_dir_for(path).glob("*/*.take.json"))


def test_window_closed_mid_queue_keeps_every_take(
        launch, engine_url: str, qtbot, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import app.services.script_document as core

    # No save at all during the queue: only closing the window can write the takes.
    monkeypatch.setattr(core, "SAVE_INTERVAL_S", 3600.0, raising=False)
    studio = _open_many_blocks(launch, engine_url, qtbot, tmp_path)
    tab = studio.window.scripts_tab
    path = tab.document.path
    _generate_all(studio, qtbot)
    qtbot.waitUntil(lambda: sum(len(b.takes) for b in tab.document.script.blocks) >= 3,
                    timeout=60_000)
    studio.window.close()
    audio = {p.stem for p in takes_dir_for(path).glob("*/*.*") if p.suffix != ".json"
             and not p.name.startswith(".")}
    assert len(audio) >= 3

    again = launch(engine_url=engine_url)
    reopened = again.window.scripts_tab
    qtbot.waitUntil(lambda: reopened.document.path == path, timeout=20_000)
    listed = {t.take_id for b in reopened.document.script.blocks for t in b.takes}
    assert audio <= listed, "a take made before the window closed is missing"


def test_takes_made_after_the_last_save_are_recovered_on_open(
        launch, engine_url: str, qtbot, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import app.services.script_document as core

    monkeypatch.setattr(core, "SAVE_INTERVAL_S", 3600.0, raising=False)
    studio = _open_many_blocks(launch, engine_url, qtbot, tmp_path)
    tab = studio.window.scripts_tab
    path = tab.document.path
    folder = takes_dir_for(path)
    _generate_all(studio, qtbot)
    qtbot.waitUntil(lambda: sum(len(b.takes) for b in tab.document.script.blocks) >= 3,
                    timeout=60_000)
    # The disk as a crash at this moment leaves it: the script file and takes folder.
    crash = tmp_path / "crash"
    shutil.copytree(folder, crash / folder.name)
    shutil.copyfile(path, crash / path.name)
    studio.window.close()
    shutil.rmtree(folder)
    shutil.copytree(crash / folder.name, folder)
    shutil.copyfile(crash / path.name, path)
    audio = {p.stem for p in folder.glob("*/*.*") if p.suffix != ".json"
             and not p.name.startswith(".")}
    listed = {t for ids in _takes_in_file(path).values() for t in ids}
    assert audio - listed, "the file listed every take: nothing to recover"

    again = launch(engine_url=engine_url)
    reopened = again.window.scripts_tab
    qtbot.waitUntil(lambda: reopened.document.path == path, timeout=20_000)
    shown = {t.take_id for b in reopened.document.script.blocks for t in b.takes}
    assert audio <= shown, "a take whose audio was made is not in the reopened script"
    assert all(b.chosen_take_id for b in reopened.document.script.blocks if b.takes)
    assert "added back" in reopened.status.text()
    # Saved so at once: the file lists them, and their notes are gone.
    assert audio <= {t for ids in _takes_in_file(path).values() for t in ids}
    assert not list(folder.glob("*/*.take.json"))
