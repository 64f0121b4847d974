"""Stems through the window: a version composed on the engine is split into stems,
soloed in the player, exported as WAV files that add up to the mix (residual below
-40 dB) with marker files a DAW imports (the MIDI read back with mido); a separation on
the cloud is cancelled halfway and nothing is lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mido
import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QPushButton

from app.audio.decode import decode_file
from app.domain.formats import OutputFormat
from app.domain.music_plan import Plan, Section
from tests.support.alsa_sink import read_played
from tests.ui.conftest import save_screenshot

pytestmark = pytest.mark.e2e

PLAN = Plan(global_positive_styles=["pop", "drums", "bass", "100 bpm"], sections=[
    Section("Intro", 3000, ["soft"]), Section("Verse", 4000), Section("Chorus", 4000)])


def click(qtbot: Any, studio: Any, name: str) -> None:
    button = studio.find(QPushButton, name)
    assert button.isEnabled(), f"{name} is disabled: {button.toolTip()}"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def compose_one(studio: Any, qtbot: Any) -> Any:
    studio.window.show_tab("music")
    tab = studio.window.music_tab
    tab.mode.setCurrentIndex(1)
    tab.editor.set_plan(PLAN, "test")
    click(qtbot, studio, "music.compose")
    qtbot.waitUntil(lambda: len(studio.ctx.history.list(kind="music")) == 1
                    and not tab.controller.is_composing, timeout=60_000)
    qtbot.waitUntil(lambda: tab.versions.list.count() == 1, timeout=10_000)
    tab.versions.list.item(0).setSelected(True)
    click(qtbot, studio, "music.stems_version")
    return tab.producer.stems_dialog


def test_stems_solo_and_export_for_a_daw(launch, engine_url, qtbot, alsa_played_file: Path,
                                         tmp_path: Path) -> None:
    studio = launch(engine_url=engine_url)
    dialog = compose_one(studio, qtbot)
    assert dialog.isVisible()
    click(qtbot, studio, "music.stems.separate")
    qtbot.waitUntil(lambda: dialog.stems is not None, timeout=120_000)
    assert dialog.stems.names == ("vocals", "drums", "bass", "guitar", "piano", "other")
    status = dialog.findChild(QLabel, "music.stems.status")
    assert "6 stems" in status.text()
    # Composed and split offline: both in the usage ledger, free.
    recorded = {e.kind: e for e in studio.ctx.costs.ledger.entries()}
    assert set(recorded) == {"music", "stems"}
    assert all(e.source == "engine" and e.credits == 0 for e in recorded.values())

    dialog.findChild(QCheckBox, "music.stems.solo.drums").setChecked(True)
    assert dialog.audible() == ["drums"]
    click(qtbot, studio, "music.stems.play")
    qtbot.waitUntil(lambda: np.abs(read_played(alsa_played_file)).max(initial=0) > 0.01,
                    timeout=15_000)
    save_screenshot(dialog, "music-stems", tmp_path)

    folder = tmp_path / "daw"
    dialog.export_to(folder)
    qtbot.waitUntil(lambda: (folder / "markers.mid").exists()
                    and "Exported" in status.text(), timeout=30_000)
    wavs = sorted(folder.glob("*.wav"))
    assert len(wavs) == 6
    total = sum(sf.read(str(w), dtype="float64")[0] for w in wavs)
    generation = studio.ctx.history.list(kind="music")[0]
    mix = decode_file(generation.file_path,
                      OutputFormat.parse(generation.output_format)).mono().samples[:, 0]
    assert len(total) == len(mix)
    residual_db = 10 * np.log10(np.mean((total - mix) ** 2) / np.mean(mix ** 2))
    assert residual_db < -40

    midi = mido.MidiFile(str(folder / "markers.mid"))
    tempos = [m.tempo for m in midi.tracks[0] if m.type == "set_tempo"]
    assert [round(mido.tempo2bpm(t)) for t in tempos] == [100]
    seconds, markers = 0.0, []
    for message in midi:  # iterating a MidiFile gives delta times in seconds
        seconds += message.time
        if message.type == "marker":
            markers.append((message.text, round(seconds, 3)))
    assert markers == [("Intro", 0.0), ("Verse", 3.0), ("Chorus", 7.0)]
    labels = (folder / "markers_audacity.txt").read_text().splitlines()
    assert labels[1].split("\t") == ["3.000000", "7.000000", "Verse"]


def test_a_cancelled_separation_loses_nothing(launch, cloud, qtbot) -> None:
    studio = launch(cloud_url=cloud.url)
    dialog = compose_one(studio, qtbot)
    cloud.control.configure(stem_delay_s=3.0)
    click(qtbot, studio, "music.stems.separate")
    qtbot.waitUntil(lambda: any(r["path"] == "/v1/music/stem-separation"
                                for r in cloud.control.requests()), timeout=10_000)
    click(qtbot, studio, "music.stems.cancel")
    status = dialog.findChild(QLabel, "music.stems.status")
    qtbot.waitUntil(lambda: "stopped" in status.text(), timeout=10_000)
    qtbot.waitUntil(lambda: not studio.window.music_tab._runner.is_running("music.stems"),
                    timeout=10_000)
    assert dialog.stems is None
    assert dialog.findChild(QPushButton, "music.stems.separate").isEnabled()
    assert len(studio.ctx.history.list(kind="music")) == 1  # the version is still there
    assert studio.ctx.history.list(kind="music")[0].file_exists
