"""Settings > Offline models, driven like a user: real files from a hub-like server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.library.models.catalogue import find
from app.library.models.store import ModelStore
from app.ui.models_panel import ModelsPanel
from tests.support.model_hub import ModelHub, joe_files
from tests.ui.conftest import save_screenshot

JOE = "piper-en_US-joe-medium"


@pytest.fixture(scope="module")
def hub() -> Iterator[ModelHub]:
    with ModelHub() as server:
        server.add_test_models()
        yield server


@pytest.fixture
def panel(qtbot: QtBot, tmp_path: Path, hub: ModelHub,
          monkeypatch: pytest.MonkeyPatch) -> ModelsPanel:
    monkeypatch.setenv("XI_STUDIO_MODEL_HUB", hub.url)
    widget = ModelsPanel(ModelStore(tmp_path / "models"))
    qtbot.addWidget(widget)
    widget.resize(900, 480)
    widget.show()
    qtbot.waitUntil(lambda: widget.table.item(0, 5).text() == "Not installed")
    return widget


def state_of(panel: ModelsPanel, name: str) -> str:
    row = next(r for r in range(panel.table.rowCount())
               if panel.table.item(r, 0).data(Qt.ItemDataRole.UserRole) == name)
    return panel.table.item(row, 5).text()


def test_install_pause_resume_then_remove(qtbot: QtBot, panel: ModelsPanel,
                                          tmp_path: Path) -> None:
    panel.select(JOE)
    assert panel.install_button.isEnabled() and not panel.pause_button.isEnabled()
    qtbot.mouseClick(panel.install_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.progress.value() > 50, timeout=60_000)
    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
    assert panel.pause_button.text() == "Resume"
    qtbot.waitUntil(lambda: panel.status.text().startswith("Paused"), timeout=10_000)
    assert "left" not in panel.status.text()
    save_screenshot(panel, "models-paused", tmp_path)
    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: state_of(panel, JOE).startswith("Installed"), timeout=120_000)
    assert "real time" in state_of(panel, JOE)  # measured on this computer
    assert "ready to use offline" in panel.status.text()
    save_screenshot(panel, "models-installed", tmp_path)
    assert panel.remove_button.isEnabled()
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: state_of(panel, JOE) == "Not installed", timeout=10_000)
    assert panel.store.get(JOE) is None


def test_cancel_leaves_nothing(qtbot: QtBot, panel: ModelsPanel) -> None:
    panel.select(JOE)
    qtbot.mouseClick(panel.install_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.progress.value() > 20, timeout=60_000)
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cancelled" in panel.status.text(), timeout=10_000)
    assert state_of(panel, JOE) == "Not installed"
    assert panel.install_button.isEnabled()


def test_cancel_during_a_stalled_download_is_said_at_once(
        qtbot: QtBot, panel: ModelsPanel, hub: ModelHub) -> None:
    """The hub stops sending mid-file and holds the connection: Cancel says so and frees
    Install well before the 30 s read timeout, and no partial file is left."""
    onnx = "en_US-joe-medium.onnx"
    hub.faults.stall_after[onnx] = 1 << 20
    panel.select(JOE)
    stalls = hub.stalls_begun
    qtbot.mouseClick(panel.install_button, Qt.MouseButton.LeftButton)
    part = panel.store.parts_dir(find(JOE)) / (onnx + ".part")
    # The hub has sent its first MiB and holds the connection. (Not the part file's size:
    # the last few KB may sit in the file's buffer until it is closed.)
    qtbot.waitUntil(lambda: hub.stalls_begun > stalls and part.exists(), timeout=30_000)
    qtbot.wait(300)  # the read is now blocked on the stalled hub
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cancelled" in panel.status.text(), timeout=15_000)
    assert state_of(panel, JOE) == "Not installed" and panel.install_button.isEnabled()
    assert not (panel.store.downloads_dir / JOE).exists()


def test_a_folder_missing_a_file_says_which(qtbot: QtBot, panel: ModelsPanel,
                                            tmp_path: Path) -> None:
    folder = tmp_path / "stick"
    folder.mkdir()
    onnx = joe_files()["en_US-joe-medium.onnx"]
    (folder / onnx.name).symlink_to(onnx)
    panel.install_folder(find(JOE), folder)
    qtbot.waitUntil(lambda: "missing" in panel.status.text(), timeout=10_000)
    assert "en_US-joe-medium.onnx.json" in panel.status.text()
    assert state_of(panel, JOE) == "Not installed" and panel.install_button.isEnabled()


def test_listen_plays_a_voices_sample_without_installing_it(
        qtbot: QtBot, panel: ModelsPanel, hub: ModelHub, alsa_played_file: Path) -> None:
    import numpy as np

    from tests.support.alsa_sink import read_played

    panel.select("whisper-base")
    assert not panel.listen_button.isEnabled()  # a recogniser has no voice to hear
    panel.select(JOE)
    assert panel.listen_button.isEnabled() and panel.listen_button.text() == "Listen"
    qtbot.mouseClick(panel.listen_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.status.text().startswith("Playing a sample of Joe"),
                    timeout=30_000)
    qtbot.waitUntil(lambda: np.abs(read_played(alsa_played_file)).max(initial=0) > 0.05,
                    timeout=15_000)
    qtbot.waitUntil(lambda: panel.listen_button.text() == "Listen", timeout=15_000)
    assert state_of(panel, JOE) == "Not installed" and panel.store.get(JOE) is None
    asked = sum(1 for path, _ in hub.requests if path.endswith("speaker_0.mp3"))
    qtbot.mouseClick(panel.listen_button, Qt.MouseButton.LeftButton)  # again: cached
    qtbot.waitUntil(lambda: panel.status.text().startswith("Playing"), timeout=15_000)
    assert sum(1 for path, _ in hub.requests if path.endswith("speaker_0.mp3")) == asked
    qtbot.mouseClick(panel.listen_button, Qt.MouseButton.LeftButton)  # Stop
    qtbot.waitUntil(lambda: panel.listen_button.text() == "Listen", timeout=5_000)


def test_details_shows_the_licence_and_the_model_card(qtbot: QtBot, panel: ModelsPanel,
                                                      tmp_path: Path) -> None:
    from PySide6.QtWidgets import QDialog, QLabel, QTextBrowser

    panel.select(JOE)
    qtbot.mouseClick(panel.details_button, Qt.MouseButton.LeftButton)
    dialog = panel.findChild(QDialog, "models.card_dialog")
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert "Licence: CC0-1.0" in dialog.findChild(QLabel, "models.card_facts").text()
    card = dialog.findChild(QTextBrowser, "models.card_text")
    qtbot.waitUntil(lambda: "Model card for joe" in card.toPlainText(), timeout=15_000)
    save_screenshot(dialog, "models-card", tmp_path)
    dialog.reject()
    panel.select("whisper-tiny")  # the test hub has no card for it: said plainly
    qtbot.mouseClick(panel.details_button, Qt.MouseButton.LeftButton)
    dialog = panel.card_dialog
    qtbot.waitUntil(lambda: "has no model card" in dialog.card.toPlainText(), timeout=15_000)
    dialog.reject()
    # A voice whose card only says "See URL": the short licence in the list, what is known
    # about it in the tooltip and in Details.
    alan = "piper-en_GB-alan-medium"
    row = next(r for r in range(panel.table.rowCount())
               if panel.table.item(r, 0).data(Qt.ItemDataRole.UserRole) == alan)
    licence = panel.table.item(row, 4)
    assert licence.text().startswith("All rights reserved")
    assert "fine-tuned from Lessac" in licence.toolTip()
    panel.select(alan)
    qtbot.mouseClick(panel.details_button, Qt.MouseButton.LeftButton)
    facts = panel.card_dialog.findChild(QLabel, "models.card_facts").text()
    assert "All Rights Reserved" in facts and "non-commercial" in facts
    panel.card_dialog.reject()


@pytest.mark.e2e
def test_settings_opens_the_offline_models_window(launch, engine_url: str, qtbot: QtBot,
                                                  tmp_path: Path) -> None:
    from PySide6.QtWidgets import QDialog, QPushButton, QTableWidget

    studio = launch(engine_url=engine_url)
    settings = studio.window.open_settings()
    button = settings.findChild(QPushButton, "settings.offline_models")
    assert button.accessibleName() == "Offline models"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: settings.findChild(QDialog, "models.dialog") is not None)
    dialog = settings.findChild(QDialog, "models.dialog")
    qtbot.waitUntil(dialog.isVisible)
    table = dialog.findChild(QTableWidget, "models.table")
    names = {table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(table.rowCount())}
    assert {"whisper-base", JOE, "whisper-tiny", "whisper-small"} <= names
    qtbot.waitUntil(lambda: table.item(0, 5).text() in ("Not installed", "Installed"))
    save_screenshot(dialog, "models-dialog", tmp_path)
    # Installing or removing a model lists the voices again (the new voice shows up).
    with qtbot.waitSignal(studio.window.speech_tab._controller.catalog_loaded,
                          timeout=30_000):
        dialog.panel.models_changed.emit()
    dialog.reject()
    settings.reject()


def test_a_damaged_model_shows_as_damaged_and_can_be_removed(qtbot: QtBot, panel: ModelsPanel,
                                                             tmp_path: Path) -> None:
    from app.library.models.folder_install import install_from_folder

    folder = tmp_path / "stick"
    folder.mkdir()
    for name, path in joe_files().items():
        (folder / name).symlink_to(path)
    model = install_from_folder(find(JOE), folder, panel.store)
    (model.folder / "en_US-joe-medium.onnx").write_bytes(b"")  # damaged on disk later
    panel.refresh()
    qtbot.waitUntil(lambda: state_of(panel, JOE) == "Damaged · install it again",
                    timeout=10_000)
    panel.select(JOE)
    assert panel.install_button.isEnabled() and panel.remove_button.isEnabled()
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: state_of(panel, JOE) == "Not installed", timeout=10_000)
    assert not (panel.store.root / JOE).exists()


def test_check_files_finds_a_byte_changed_in_place(qtbot: QtBot, panel: ModelsPanel,
                                                   tmp_path: Path) -> None:
    """Damage that keeps the size shows only once the user asks: Check files reads every
    file again; a clean model says so, a changed byte makes it "Damaged"."""
    from app.library.models.folder_install import install_from_folder

    folder = tmp_path / "stick"
    folder.mkdir()
    for name, path in joe_files().items():
        (folder / name).symlink_to(path)
    model = install_from_folder(find(JOE), folder, panel.store)
    panel.refresh()
    qtbot.waitUntil(lambda: state_of(panel, JOE).startswith("Installed"), timeout=10_000)
    panel.select(JOE)
    assert panel.check_button.isEnabled()
    qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "files are whole" in panel.status.text(), timeout=60_000)
    assert state_of(panel, JOE).startswith("Installed")

    onnx = model.file("en_US-joe-medium.onnx")
    with onnx.open("r+b") as f:  # one byte flipped, the size unchanged
        f.seek(onnx.stat().st_size // 2)
        byte = f.read(1)
        f.seek(-1, 1)
        f.write(bytes([byte[0] ^ 0xFF]))
    panel.refresh()
    qtbot.wait(200)
    assert state_of(panel, JOE).startswith("Installed")  # the size check cannot see it
    with qtbot.waitSignal(panel.models_changed, timeout=60_000):
        qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: state_of(panel, JOE) == "Damaged · install it again",
                    timeout=10_000)
    assert "is damaged" in panel.status.text() and "Install it again" in panel.status.text()
    assert panel.install_button.isEnabled() and panel.remove_button.isEnabled()
    assert not panel.check_button.isEnabled()


def test_check_files_can_be_cancelled(qtbot: QtBot, panel: ModelsPanel, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from app.library.models import file_check
    from app.library.models.folder_install import install_from_folder

    folder = tmp_path / "stick"
    folder.mkdir()
    for name, path in joe_files().items():
        (folder / name).symlink_to(path)
    install_from_folder(find(JOE), folder, panel.store)
    monkeypatch.setattr(file_check, "_CHUNK", 4096)  # many small reads: time to cancel
    panel.refresh()
    qtbot.waitUntil(lambda: state_of(panel, JOE).startswith("Installed"), timeout=10_000)
    panel.select(JOE)
    qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
    assert panel.cancel_button.isEnabled() and panel.pause_button.isEnabled()
    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)  # holds it still
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.status.text() == "Check stopped; nothing was changed.",
                    timeout=10_000)
    assert not panel.busy and state_of(panel, JOE).startswith("Installed")
