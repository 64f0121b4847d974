"""Cancel of a stem separation stops the work in its threads, not only the wait for it:
the local engine's split (stem_split, in a worker thread of the engine) and the app's
decoding of the stems (in a worker thread of the app) each stop before their next
piece, instead of running on to the end with the CPU and memory of a song nobody wants.
The dialog stays usable: a second Separate works.

Each thread is held in its first piece until the test has pressed Cancel (and, for the
engine, until the engine has seen the client go), then released: the count of pieces
started after that must be zero, whatever the speed of the machine."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtWidgets import QLabel

from app.audio import stem_split
from app.engine import stem_routes
from app.library.history import NewGeneration
from app.services import stem_mix
from tests.ui.test_music_stems import click

pytestmark = pytest.mark.e2e

WAIT_MS = 60_000


class HeldPieces:
    """Counts the pieces a thread starts; holds it in the first until released."""

    def __init__(self) -> None:
        self.started = 0
        self.working = threading.Event()
        self.release = threading.Event()
        self.ended = threading.Event()
        self.cancelled: Callable[[], bool] | None = None  # the engine's, once given

    def wrap(self, piece: Callable[..., Any]) -> Callable[..., Any]:
        def held(*args: Any, **kwargs: Any) -> Any:
            self.started += 1
            self.working.set()
            self.release.wait(30)
            return piece(*args, **kwargs)
        return held

    def until_end(self, work: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            self.ended.clear()
            given = kwargs.get("cancelled", args[4] if len(args) > 4 else None)
            if given is not None:
                self.cancelled = given
            try:
                return work(*args, **kwargs)
            finally:
                self.ended.set()
        return run


@pytest.fixture
def split(monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldPieces]:
    hold = HeldPieces()
    for name in ("_median", "_istft"):  # the passes of the split, channel by channel
        monkeypatch.setattr(stem_split, name, hold.wrap(getattr(stem_split, name)))
    monkeypatch.setattr(stem_routes, "stems_zip", hold.until_end(stem_routes.stems_zip))
    yield hold
    hold.release.set()  # never leave a thread waiting


def open_stems_of_a_song(studio: Any, qtbot: Any) -> Any:
    """A song the engine did not make, so it is split by stem_split (not its layers)."""
    rate = 22050
    t = np.arange(3 * rate) / rate
    song = (0.3 * np.sin(2 * np.pi * 220 * t)
            + 0.1 * np.random.default_rng(7).standard_normal(t.size)).astype(np.float32)
    path = studio.ctx.paths.audio_dir / "my song.wav"
    sf.write(path, song, rate, subtype="PCM_16")
    studio.ctx.history.add(NewGeneration(
        kind="music", title="My song", text="", voice_id=None, voice_name=None,
        model_id="music_v1", output_format=f"wav_{rate}", settings_json="{}",
        request_ids=[], character_cost=None, duration_ms=3000, file_path=path,
        session_id="test"))
    studio.window.show_tab("music")
    tab = studio.window.music_tab
    tab.refresh_versions()
    qtbot.waitUntil(lambda: tab.versions.list.count() == 1, timeout=10_000)
    tab.versions.list.item(0).setSelected(True)
    click(qtbot, studio, "music.stems_version")
    return tab.producer.stems_dialog


def test_cancel_stops_the_split_and_the_decoding(launch, engine_url, qtbot,
                                                  split: HeldPieces,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    studio = launch(engine_url=engine_url)
    dialog = open_stems_of_a_song(studio, qtbot)
    status = dialog.findChild(QLabel, "music.stems.status")

    # The engine's split: held in its first pass, cancelled, then let go.
    click(qtbot, studio, "music.stems.separate")
    qtbot.waitUntil(split.working.is_set, timeout=WAIT_MS)
    click(qtbot, studio, "music.stems.cancel")
    qtbot.waitUntil(lambda: "stopped" in status.text(), timeout=WAIT_MS)
    if split.cancelled is not None:  # the engine sees the client go (it polls)
        qtbot.waitUntil(split.cancelled, timeout=WAIT_MS)
    started = split.started
    split.release.set()
    qtbot.waitUntil(split.ended.is_set, timeout=WAIT_MS)
    assert split.started - started == 0, "the split ran on after Cancel"
    assert dialog.stems is None

    # The dialog is still usable: a second Separate makes the stems.
    click(qtbot, studio, "music.stems.separate")
    qtbot.waitUntil(lambda: dialog.stems is not None, timeout=WAIT_MS)
    assert len(dialog.stems.names) == 6

    # The app's decoding of the stems: held in its first stem, cancelled, then let go.
    decoding = HeldPieces()
    monkeypatch.setattr(stem_mix, "decode_bytes", decoding.wrap(stem_mix.decode_bytes))
    monkeypatch.setattr(stem_mix, "decode_stems", decoding.until_end(stem_mix.decode_stems))
    dialog.stems = None
    click(qtbot, studio, "music.stems.separate")
    qtbot.waitUntil(decoding.working.is_set, timeout=WAIT_MS)
    click(qtbot, studio, "music.stems.cancel")
    qtbot.waitUntil(lambda: "stopped" in status.text(), timeout=WAIT_MS)
    started = decoding.started
    decoding.release.set()
    qtbot.waitUntil(decoding.ended.is_set, timeout=WAIT_MS)
    assert decoding.started - started == 0, "the stems were decoded on after Cancel"
    assert dialog.stems is None
    assert studio.ctx.history.list(kind="music")[0].file_exists  # nothing lost
