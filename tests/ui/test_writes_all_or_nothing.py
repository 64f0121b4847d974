"""A disk that fills half way through a save leaves no half file under the final name,
keeps an older file with that name as it was, and the window says what happened: the
account history download, the `.pls` export, the voice-sample cache (a half sample
there was trusted and played next time) and the local engine's stored speech history."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QTableView

from tests.support.cloud_history import seed
from tests.support.disk_full import fill_disk_half_way
from tests.ui.test_account_history import idle, open_account_history
from tests.ui.test_pronunciation import add_rule, make_dictionary, open_dialog
from tests.ui.test_voice_details import open_details

pytestmark = pytest.mark.e2e

OLD = b"the older file, which must stay as it was"


def only_the_old_file(folder: Path, target: Path) -> None:
    assert target.read_bytes() == OLD
    assert sorted(p.name for p in folder.iterdir()) == [target.name]  # no partial left


def test_account_history_download_that_fails_half_way(launch, cloud, qtbot, monkeypatch,
                                                      tmp_path: Path) -> None:
    seed(cloud.server, 3)
    studio = launch(cloud_url=cloud.url)
    dialog = open_account_history(qtbot, studio)
    studio.window.findChild(QTableView, "account_history.list").selectRow(0)
    folder = tmp_path / "saved"
    folder.mkdir()
    target = folder / "take.mp3"
    target.write_bytes(OLD)
    fill_disk_half_way(monkeypatch, folder)
    dialog.download_to(dialog.chosen(), str(target))
    qtbot.waitUntil(lambda: idle(dialog) and bool(dialog.message.property("problem")),
                    timeout=15_000)
    assert "space" in dialog.message.text().lower()
    only_the_old_file(folder, target)


def test_pls_export_that_fails_half_way(launch, cloud, qtbot, monkeypatch,
                                        tmp_path: Path) -> None:
    studio = launch(cloud_url=cloud.url)
    dialog = open_dialog(qtbot, studio)
    make_dictionary(qtbot, dialog, "Names")
    add_rule(qtbot, dialog, "SQL", "alias", "sequel")
    folder = tmp_path / "saved"
    folder.mkdir()
    target = folder / "names.pls"
    target.write_bytes(OLD)
    fill_disk_half_way(monkeypatch, folder)
    dialog.export_file(str(target))
    qtbot.waitUntil(lambda: bool(dialog.message.property("problem"))
                    and dialog.export_button.isEnabled(), timeout=10_000)
    assert "space" in dialog.message.text().lower()
    only_the_old_file(folder, target)


def test_voice_sample_cache_that_fails_half_way(launch, engine_url, qtbot,
                                                monkeypatch) -> None:
    studio = launch(engine_url=engine_url)  # its samples are served on loopback
    dialog = open_details(qtbot, studio)
    url = str(dialog.sample.currentData())
    folder = studio.ctx.paths.cache_dir / "voice-samples"
    folder.mkdir(parents=True, exist_ok=True)
    cached = folder / f"{hashlib.sha256(url.encode()).hexdigest()[:16]}.mp3"
    fill_disk_half_way(monkeypatch, folder)
    qtbot.mouseClick(dialog.findChild(QPushButton, "voice_details.play"),
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "could not be played" in dialog.status.text(), timeout=15_000)
    assert "space" in dialog.status.text().lower()
    assert not cached.exists(), "a half sample sits under the name the next Play trusts"
    assert list(folder.iterdir()) == []

