"""The Scripts tab when things go wrong, through the window against the cloud test
server: a voice deleted on the server (that block marked, the rest go on) and the
credits running out mid-queue (stop, keep what is done, say what the rest needs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QTableView

from tests.support.cloud_server import CREATOR_KEY

pytestmark = pytest.mark.e2e

SARAH = "EXAVITQu4vr4xnSDxMaL"
GONE = "deletedVoice00000000"  # looks like a voice id; the server has no such voice


def open_csv(launch: Any, cloud: Any, qtbot: Any, tmp_path: Path, rows: list[str]) -> Any:
    studio = launch(cloud_url=cloud.url)
    source = tmp_path / "lines.csv"
    source.write_text("speaker,text,voice\n" + "\n".join(rows) + "\n", encoding="utf-8")
    studio.window.open_paths([source])
    table = studio.find(QTableView, "scripts.blocks")
    qtbot.waitUntil(lambda: table.model().rowCount() == len(rows), timeout=10_000)
    qtbot.waitUntil(lambda: bool(studio.window.scripts_tab.generation.models), timeout=20_000)
    qtbot.waitUntil(studio.find(QPushButton, "scripts.generate_all").isEnabled)
    return studio


def statuses(table: QTableView) -> list[str]:
    model = table.model()
    return [model.index(row, 3).data() for row in range(model.rowCount())]


def test_a_deleted_voice_marks_its_blocks_and_the_rest_go_on(launch, cloud, qtbot,
                                                              tmp_path: Path) -> None:
    studio = open_csv(launch, cloud, qtbot, tmp_path, [
        f"ANNA,Hello there.,{SARAH}", f"GHOST,I am not here.,{GONE}",
        f"ANNA,Goodbye then.,{SARAH}"])
    tab = studio.window.scripts_tab
    table = studio.find(QTableView, "scripts.blocks")
    qtbot.mouseClick(studio.find(QPushButton, "scripts.generate_all"),
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.generation.is_running and statuses(table)[0] == "done",
                    timeout=30_000)
    result = statuses(table)
    assert result[0] == result[2] == "done"
    assert result[1].startswith("failed: ") and "GHOST" in result[1]
    banner = studio.find(QLabel, "scripts.error.text")
    assert banner.isVisible() and "could not be made" in banner.text()
    # Nothing is lost: the failed block keeps its text and can be cast and made again.
    assert tab.document.script.blocks[1].text == "I am not here."


def test_credits_running_out_stop_the_queue_and_keep_what_is_done(launch, cloud, qtbot,
                                                                  tmp_path: Path) -> None:
    lines = [f"ANNA,Line number {n} of the script.,{SARAH}" for n in range(1, 7)]
    cloud.control.set_account(CREATOR_KEY, "creator", character_limit=70)  # two lines
    studio = open_csv(launch, cloud, qtbot, tmp_path, lines)
    tab = studio.window.scripts_tab
    qtbot.mouseClick(studio.find(QPushButton, "scripts.generate_all"),
                     Qt.MouseButton.LeftButton)
    banner = studio.find(QLabel, "scripts.error.text")
    qtbot.waitUntil(lambda: "credits ran out" in banner.text(), timeout=30_000)
    qtbot.waitUntil(lambda: not tab.generation.is_running, timeout=10_000)
    script = tab.document.script
    made = [b for b in script.blocks if b.takes]
    assert len(made) == 2 and made == list(script.blocks[:2])
    assert "2 blocks were made and kept; the remaining 4 blocks need about" in banner.text()
    # The takes made are in the file on disk, not only on screen.
    from app.library.script_store import load_script

    assert sum(len(b.takes) for b in load_script(tab.document.path).blocks) == 2
