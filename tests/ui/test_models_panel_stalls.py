"""Settings > Offline models: Pause and Cancel act at once while the hub is not answering
(the connection never completes, or the answer's headers never come), and Continue then
resumes from the kept part file. The stalls last 60 s; each check waits at most 15 s
(8 s for a hanging connect), so a pass means the button acted long before the stall or
the connect timeout would have ended by itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.library.models.catalogue import find
from app.library.models.store import ModelStore
from app.ui.models_panel import ModelsPanel
from tests.support.model_hub import Faults, ModelHub, joe_files, unanswering_hub

JOE = "piper-en_US-joe-medium"
ONNX = "en_US-joe-medium.onnx"
HAVE = 1 << 20  # bytes of the model already downloaded before the test
# A hanging connect ends by itself at the download's 10 s connect timeout: a button that
# acted only then would pass a longer wait, so these wait less (still far more than the
# moment a working button needs).
_BEFORE_CONNECT_TIMEOUT_MS = 8_000


@pytest.fixture(scope="module")
def hub() -> Iterator[ModelHub]:
    with ModelHub() as server:
        server.add_test_models()
        yield server


@pytest.fixture
def panel(qtbot: QtBot, tmp_path: Path, hub: ModelHub,
          monkeypatch: pytest.MonkeyPatch) -> ModelsPanel:
    hub.faults = Faults(stall_s=60.0)
    hub.requests.clear()
    monkeypatch.setenv("XI_STUDIO_MODEL_HUB", hub.url)
    store = ModelStore(tmp_path / "models")
    part = store.parts_dir(find(JOE)) / (ONNX + ".part")
    part.parent.mkdir(parents=True)
    with joe_files()[ONNX].open("rb") as source:  # a download paused in an earlier session
        part.write_bytes(source.read(HAVE))
    widget = ModelsPanel(store)
    qtbot.addWidget(widget)
    widget.show()
    widget.select(JOE)
    qtbot.waitUntil(lambda: widget.install_button.text() == "Continue")
    return widget


def _part(panel: ModelsPanel) -> Path:
    return panel.store.parts_dir(find(JOE)) / (ONNX + ".part")


def _onnx_requests(hub: ModelHub) -> list[str]:
    """The Range header of each request for the model file the hub received."""
    return [rng for path, rng in hub.requests if path.endswith("/" + ONNX)]


def _click(qtbot: QtBot, button: object) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_pause_while_the_hub_holds_back_its_answer_then_continue(
        qtbot: QtBot, panel: ModelsPanel, hub: ModelHub) -> None:
    hub.faults.stall_after[ONNX] = 0  # the request arrives; no headers come for 60 s
    _click(qtbot, panel.install_button)
    qtbot.waitUntil(lambda: len(_onnx_requests(hub)) == 1, timeout=15_000)
    _click(qtbot, panel.pause_button)
    # The worker itself reports the pause (not only the button's own words).
    qtbot.waitUntil(lambda: panel.status.text().startswith(f"Paused {ONNX}"),
                    timeout=15_000)
    assert _part(panel).stat().st_size == HAVE  # kept for Continue
    _click(qtbot, panel.pause_button)  # Resume
    qtbot.waitUntil(lambda: "ready to use offline" in panel.status.text(), timeout=120_000)
    assert _onnx_requests(hub)[-1] == f"bytes={HAVE}-"  # went on from the part file


def test_cancel_while_the_hub_holds_back_its_answer(
        qtbot: QtBot, panel: ModelsPanel, hub: ModelHub) -> None:
    hub.faults.stall_after[ONNX] = 0
    _click(qtbot, panel.install_button)
    qtbot.waitUntil(lambda: len(_onnx_requests(hub)) == 1, timeout=15_000)
    _click(qtbot, panel.cancel_button)
    qtbot.waitUntil(lambda: "cancelled" in panel.status.text(), timeout=15_000)
    assert panel.install_button.isEnabled()
    assert not (panel.store.downloads_dir / JOE).exists()  # Cancel removes the part


def test_pause_while_connecting_keeps_the_part(
        qtbot: QtBot, panel: ModelsPanel, hub: ModelHub,
        monkeypatch: pytest.MonkeyPatch) -> None:
    with unanswering_hub() as silent:
        monkeypatch.setenv("XI_STUDIO_MODEL_HUB", silent)
        _click(qtbot, panel.install_button)
        qtbot.waitUntil(lambda: panel.status.text().startswith("Downloading"),
                        timeout=15_000)
        qtbot.wait(500)  # the connect is now hanging
        _click(qtbot, panel.pause_button)
        qtbot.waitUntil(lambda: panel.status.text().startswith(f"Paused {ONNX}"),
                        timeout=_BEFORE_CONNECT_TIMEOUT_MS)
    assert _part(panel).stat().st_size == HAVE
    assert not hub.requests  # nothing reached the real hub yet
    # The hub's address was read when the install started: end this one (Cancel
    # removes the part, as always).
    _click(qtbot, panel.cancel_button)
    qtbot.waitUntil(lambda: "cancelled" in panel.status.text(), timeout=15_000)
    assert not (panel.store.downloads_dir / JOE).exists()


def test_cancel_while_connecting(qtbot: QtBot, panel: ModelsPanel,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    with unanswering_hub() as silent:
        monkeypatch.setenv("XI_STUDIO_MODEL_HUB", silent)
        _click(qtbot, panel.install_button)
        qtbot.waitUntil(lambda: panel.status.text().startswith("Downloading"),
                        timeout=15_000)
        qtbot.wait(500)
        _click(qtbot, panel.cancel_button)
        qtbot.waitUntil(lambda: "cancelled" in panel.status.text(),
                        timeout=_BEFORE_CONNECT_TIMEOUT_MS)
    assert panel.install_button.isEnabled()
    assert not (panel.store.downloads_dir / JOE).exists()


def test_pause_while_waiting_out_a_busy_hub_then_continue(
        qtbot: QtBot, panel: ModelsPanel, hub: ModelHub) -> None:
    """A busy hub asks to come back in 60 s: Pause acts now, not after the wait."""
    hub.faults.busy_answers = [(503, "60")]
    _click(qtbot, panel.install_button)
    qtbot.waitUntil(lambda: len(_onnx_requests(hub)) == 1, timeout=15_000)
    qtbot.wait(300)  # the download is now waiting before it asks again
    _click(qtbot, panel.pause_button)
    qtbot.waitUntil(lambda: panel.status.text().startswith(f"Paused {ONNX}"),
                    timeout=15_000)
    assert len(_onnx_requests(hub)) == 1
    _click(qtbot, panel.pause_button)  # Resume
    qtbot.waitUntil(lambda: "ready to use offline" in panel.status.text(), timeout=120_000)
    assert _onnx_requests(hub)[-1] == f"bytes={HAVE}-"
