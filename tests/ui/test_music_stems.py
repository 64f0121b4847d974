"""Stems through the window: a version composed on the engine is split into stems;
soloing drums sends exactly the drums stem to the sound sink, muting a stem removes
exactly it; the export writes WAV files that add up to the mix (residual below -40 dB)
with marker files a DAW imports (the MIDI read back with mido). On the cloud: the
markers sit where the server says the sections fell, not at the plan's lengths; a prompt
version gets the server's sections, or without details a tempo-only MIDI and a summary
that says why; a separation cancelled halfway loses nothing."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import mido
import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QPlainTextEdit, QPushButton, QToolButton

from app.audio.decode import decode_file
from app.audio.player import PlayerState
from app.domain.formats import OutputFormat
from app.domain.music_plan import Plan, Section
from app.services.daw_markers import TICKS_PER_BEAT
from tests.support.alsa_sink import read_played
from tests.ui.conftest import save_screenshot

pytestmark = pytest.mark.e2e

PLAN = Plan(global_positive_styles=["pop", "drums", "bass", "100 bpm"], sections=[
    Section("Intro", 3000, ["soft"]), Section("Verse", 4000), Section("Chorus", 4000)])


def click(qtbot: Any, studio: Any, name: str) -> None:
    button = studio.find(QPushButton, name)
    assert button.isEnabled(), f"{name} is disabled: {button.toolTip()}"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


# The sink receives float32 (PortAudio opens it so) and nothing on the way re-encodes
# it: a few float32 steps of 0.5 (2**-20 ≈ 1e-6) allow for nothing but rounding, far
# below one step of 16-bit audio (3e-5), so a stem left in or a lossy path fails.
SINK_TOLERANCE = 2e-6


def compose_one(studio: Any, qtbot: Any, plan: Plan | None = PLAN, prompt: str = "",
                details: bool = False) -> Any:
    """Compose one version (from `plan`, else from `prompt`) and open its stems."""
    studio.window.show_tab("music")
    tab = studio.window.music_tab
    if plan is not None:
        tab.mode.setCurrentIndex(1)
        tab.editor.set_plan(plan, "test")
    else:
        tab.mode.setCurrentIndex(0)
        qtbot.keyClicks(studio.find(QPlainTextEdit, "music.prompt"), prompt)
        tab.prompt_panel.length.setValue(8)
    studio.find(QCheckBox, "music.detailed").setChecked(details)
    click(qtbot, studio, "music.compose")
    qtbot.waitUntil(lambda: len(studio.ctx.history.list(kind="music")) == 1
                    and not tab.controller.is_composing, timeout=60_000)
    qtbot.waitUntil(lambda: tab.versions.list.count() == 1, timeout=10_000)
    tab.versions.list.item(0).setSelected(True)
    click(qtbot, studio, "music.stems_version")
    return tab.producer.stems_dialog


def separate(studio: Any, qtbot: Any, dialog: Any) -> None:
    click(qtbot, studio, "music.stems.separate")
    qtbot.waitUntil(lambda: dialog.stems is not None, timeout=120_000)


def export(qtbot: Any, dialog: Any, folder: Path) -> str:
    """Export into `folder` (the folder dialog's answer); the summary it shows."""
    status = dialog.findChild(QLabel, "music.stems.status")
    dialog.export_to(folder)
    qtbot.waitUntil(lambda: "Exported" in status.text(), timeout=30_000)
    return str(status.text())


def one(folder: Path, name: str) -> Path:
    """The one marker file of that kind in `folder` ("<song> - markers.mid"...)."""
    found = list(folder.glob(f"* - {name}"))
    assert len(found) == 1, (name, sorted(p.name for p in folder.iterdir()))
    return found[0]


def read_markers(path: Path) -> tuple[list[float], list[tuple[str, float]]]:
    """The MIDI's tempos (BPM) and its markers (name, seconds), as a DAW reads them."""
    midi = mido.MidiFile(str(path), charset="utf-8")
    tempos = [mido.tempo2bpm(m.tempo) for m in midi.tracks[0] if m.type == "set_tempo"]
    seconds, markers = 0.0, []
    for message in midi:  # iterating a MidiFile gives delta times in seconds
        seconds += message.time
        if message.type == "marker":
            markers.append((message.text, seconds))
    return tempos, markers


def play_and_hear(studio: Any, qtbot: Any, sink: Path, expected: np.ndarray,
                  seconds: float = 1.5) -> tuple[np.ndarray, np.ndarray, int]:
    """Press the dialog's Play and return what reached the sink and what should have,
    the two aligned, `seconds` long from where `expected` is first clearly not silent;
    and that frame of `expected`."""
    player = studio.ctx.player
    if player.state is PlayerState.PLAYING:  # what an earlier Play started
        qtbot.mouseClick(studio.find(QToolButton, "player.stop"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: player.state is not PlayerState.PLAYING, timeout=10_000)
    channels = expected.shape[1]
    before = len(read_played(sink, channels))
    click(qtbot, studio, "music.stems.play")
    rate = studio.window.music_tab.producer.stems_dialog.stems.sample_rate_hz
    start = int(np.flatnonzero(np.abs(expected[:, 0]) > 0.01)[0])
    length = int(seconds * rate)
    assert start + length <= len(expected), "the song is too short to hear that much"
    qtbot.waitUntil(lambda: len(read_played(sink, channels)) >= before + start + length,
                    timeout=30_000)
    played = read_played(sink, channels)[before:]
    probe = expected[start:start + 256]
    for at in np.flatnonzero(np.abs(played[:, 0] - probe[0, 0]) <= SINK_TOLERANCE):
        if np.allclose(played[at:at + 256], probe, rtol=0, atol=SINK_TOLERANCE):
            qtbot.waitUntil(lambda at=at: len(read_played(sink, channels))
                            >= before + at + length, timeout=30_000)
            played = read_played(sink, channels)[before:]
            return played[at:at + length], expected[start:start + length], start
    raise AssertionError("what should be heard never reached the sink")


def test_stems_solo_mute_and_export_for_a_daw(launch, engine_url, qtbot,
                                              alsa_played_file: Path, tmp_path: Path) -> None:
    studio = launch(engine_url=engine_url)
    dialog = compose_one(studio, qtbot)
    assert dialog.isVisible()
    separate(studio, qtbot, dialog)
    stems = dialog.stems
    assert stems.names == ("vocals", "drums", "bass", "guitar", "piano", "other")
    status = dialog.findChild(QLabel, "music.stems.status")
    assert "6 stems" in status.text()
    # The engine made this song: its stems are the song's own layers (its stem-method
    # header says so), not "an approximate split".
    assert "the song's own layers" in status.text()
    assert "approximate" not in status.text()
    # Composed and split offline: both in the usage ledger, free.
    recorded = {e.kind: e for e in studio.ctx.costs.ledger.entries()}
    assert set(recorded) == {"music", "stems"}
    assert all(e.source == "engine" and e.credits == 0 for e in recorded.values())
    volume = np.float32(studio.ctx.player.volume)

    # Solo drums: the sink gets the drums stem and nothing else.
    dialog.findChild(QCheckBox, "music.stems.solo.drums").setChecked(True)
    assert dialog.audible() == ["drums"]
    heard, drums, _start = play_and_hear(studio, qtbot, alsa_played_file,
                                         stems.samples["drums"] * volume)
    np.testing.assert_allclose(heard, drums, rtol=0, atol=SINK_TOLERANCE)
    save_screenshot(dialog, "music-stems", tmp_path)

    # Mute "other" (no solo; it plays from the first bar): everything but it, to within
    # float32 rounding.
    dialog.findChild(QCheckBox, "music.stems.solo.drums").setChecked(False)
    dialog.findChild(QCheckBox, "music.stems.mute.other").setChecked(True)
    assert dialog.audible() == ["vocals", "drums", "bass", "guitar", "piano"]
    rest = np.zeros_like(stems.samples["other"])
    for name in stems.names:
        if name != "other":
            rest += stems.samples[name]
    heard, expected, start = play_and_hear(studio, qtbot, alsa_played_file, rest * volume)
    np.testing.assert_allclose(heard, expected, rtol=0, atol=SINK_TOLERANCE)
    # ...and it was there to remove: the muted stem is loud in that stretch.
    other = stems.samples["other"][start:start + len(heard)] * volume
    assert np.abs(other).max() > 1000 * SINK_TOLERANCE
    studio.ctx.player.pause()

    folder = tmp_path / "daw"
    summary = export(qtbot, dialog, folder)
    assert "plan's lengths (the server returned no times" in summary
    wavs = sorted(folder.glob("*.wav"))
    assert len(wavs) == 6
    total = sum(sf.read(str(w), dtype="float64")[0] for w in wavs)
    generation = studio.ctx.history.list(kind="music")[0]
    mix = decode_file(generation.file_path,
                      OutputFormat.parse(generation.output_format)).mono().samples[:, 0]
    assert len(total) == len(mix)
    residual_db = 10 * np.log10(np.mean((total - mix) ** 2) / np.mean(mix ** 2))
    assert residual_db < -40

    tempos, markers = read_markers(one(folder, "markers.mid"))
    assert [round(t) for t in tempos] == [100]
    assert [(n, round(s, 3)) for n, s in markers] == [("Intro", 0.0), ("Verse", 3.0),
                                                      ("Chorus", 7.0)]
    labels = one(folder, "markers_audacity.txt").read_text().splitlines()
    assert labels[1].split("\t") == ["3.000000", "7.000000", "Verse"]

    # The same version exported into the same folder again: the first files are kept,
    # the new ones are numbered, and the summary says under which name.
    first = {p.name: p.read_bytes() for p in folder.iterdir()}
    dialog.findChild(QLabel, "music.stems.status").setText("")
    again = export(qtbot, dialog, folder)
    title = wavs[0].name.rsplit(" - ", 1)[0]
    assert f"named “{title} (2) - …”" in again
    assert all((folder / name).read_bytes() == data for name, data in first.items())
    assert len(list(folder.iterdir())) == 2 * len(first)


SERVER_LENGTHS_MS = [4_000, 3_500, 5_000]  # the plan asks for 3000, 4000, 4000


def test_markers_sit_where_the_server_says_the_sections_fell(launch, cloud, qtbot,
                                                             tmp_path: Path) -> None:
    cloud.control.configure(music_section_ms=SERVER_LENGTHS_MS)
    studio = launch(cloud_url=cloud.url)
    dialog = compose_one(studio, qtbot, details=True)
    assert cloud.control.requests()[-1]["path"].startswith("/v1/music/detailed")
    separate(studio, qtbot, dialog)
    summary = export(qtbot, dialog, tmp_path / "daw")
    assert "Section markers at the times the server returned" in summary
    assert "Tempo 100 BPM" in summary

    server = [("Intro", 0.0, 4.0), ("Verse", 4.0, 7.5), ("Chorus", 7.5, 12.5)]
    # The test server's song is shorter than the times it returns: the markers stop at
    # the end of the audio, where the version's timeline stops too.
    song_s = studio.ctx.history.list(kind="music")[0].duration_ms / 1000
    assert 7.5 < song_s < 12.5
    in_song = [(n, min(a, song_s), min(b, song_s)) for n, a, b in server]
    tempos, markers = read_markers(one(tmp_path / "daw", "markers.mid"))
    assert tempos == [pytest.approx(100.0)]
    half_tick = 60 / 100 / TICKS_PER_BEAT / 2
    assert [n for n, _s in markers] == [n for n, _a, _b in server]
    assert [s for _n, s in markers] == pytest.approx([a for _n, a, _b in server],
                                                     abs=half_tick)
    labels = [line.split("\t") for line in
              one(tmp_path / "daw", "markers_audacity.txt").read_text().splitlines()]
    assert [(n, float(a), float(b)) for a, b, n in labels] == in_song
    with one(tmp_path / "daw", "markers_reaper.csv").open(newline="") as f:
        rows = list(csv.reader(f))
    assert [(r[1], float(r[2]), float(r[3])) for r in rows[1:]] == in_song
    player = studio.window.music_tab.producer.section_player
    assert [(s.name, s.start_ms / 1000, s.end_ms / 1000) for s in player.spans] == in_song


def test_a_prompt_version_with_details_gets_the_servers_sections(launch, cloud, qtbot,
                                                                  tmp_path: Path) -> None:
    cloud.control.configure(music_section_ms=[3_000, 4_500, 5_000])
    studio = launch(cloud_url=cloud.url)
    dialog = compose_one(studio, qtbot, plan=None, prompt="An indie pop song", details=True)
    separate(studio, qtbot, dialog)
    summary = export(qtbot, dialog, tmp_path)
    assert "at the times the server returned" in summary
    tempos, markers = read_markers(one(tmp_path, "markers.mid"))
    # The plan the server wrote (music_v2 chunks: [Intro], [Verse], [Chorus], "120 bpm"),
    # at the lengths it says it made them.
    assert tempos == [pytest.approx(120.0)]
    assert [(n, round(s, 3)) for n, s in markers] == [("Intro", 0.0), ("Verse", 3.0),
                                                      ("Chorus", 7.5)]


def test_a_prompt_version_without_details_gets_the_tempo_and_the_reason(
        launch, cloud, qtbot, tmp_path: Path) -> None:
    studio = launch(cloud_url=cloud.url)
    dialog = compose_one(studio, qtbot, plan=None, prompt="A lofi beat at 84 bpm")
    separate(studio, qtbot, dialog)
    # Separated by the cloud (on loopback here): nothing about the offline engine.
    assert dialog.findChild(QLabel, "music.stems.status").text() == (
        "6 stems. Mute or solo them, play, or export them for your DAW.")
    summary = export(qtbot, dialog, tmp_path)
    assert "Exported 7 files" in summary  # six stems and the MIDI
    assert ("No section markers: this version was composed from a prompt without song "
            "details") in summary
    assert "Tempo 84 BPM" in summary
    tempos, markers = read_markers(one(tmp_path, "markers.mid"))
    assert tempos == [pytest.approx(84.0)] and markers == []
    assert not list(tmp_path.glob("* - markers_audacity.txt"))
    assert not list(tmp_path.glob("* - markers_reaper.csv"))


def test_a_song_the_engine_did_not_make_is_said_to_be_an_approximate_split(
        launch, engine_url, qtbot, tmp_path: Path) -> None:
    """A music version whose audio the engine does not recognise as one of its sketches:
    split by its documented method, and the dialog says so (from the stem-method
    header), and that together the stems are the song."""
    from app.library.history import NewGeneration

    studio = launch(engine_url=engine_url)
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
    dialog = tab.producer.stems_dialog
    separate(studio, qtbot, dialog)
    text = dialog.findChild(QLabel, "music.stems.status").text()
    assert text.startswith("6 stems.")
    assert "an approximate split" in text and "exactly the song" in text
    assert "own layers" not in text


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


@pytest.mark.parametrize("fault", [{"fault": "429", "retry_after": 3}, {"fault": "500"}])
def test_a_failed_separation_does_not_speak_of_text(launch, cloud, qtbot,
                                                    fault: dict[str, Any]) -> None:
    """The stems request meets a busy or broken server: the message says to try again
    and that the version is unchanged, not "Your text is kept" (there is no text)."""
    studio = launch(cloud_url=cloud.url)
    studio.ctx.client.reconfigure(retry_base_delay_s=0.05, max_retries=0)
    dialog = compose_one(studio, qtbot)
    cloud.control.add_faults({"method": "POST", "path_regex": "^/v1/music/stem-separation$",
                              "count": 10, **fault})
    click(qtbot, studio, "music.stems.separate")
    status = dialog.findChild(QLabel, "music.stems.status")
    qtbot.waitUntil(lambda: "could not be made" in status.text(), timeout=20_000)
    shown = status.text()
    assert "text" not in shown.lower(), shown
    assert "try again" in shown.lower() and "The version is unchanged." in shown, shown


def test_the_stems_format_follows_the_backend_not_the_address(launch, music_backend, qtbot
                                                              ) -> None:
    """The cloud test server listens on loopback like the engine: what decides the stems'
    format is whether the app uses its local engine, never the server's host name. The
    cloud gets MP3 (every plan may ask for it); the engine PCM at the version's own rate,
    so the stems add up to the mix exactly."""
    from tests.support.spec import find_operation, validate_query

    studio = launch(**music_backend.launch_options())
    dialog = compose_one(studio, qtbot)
    separate(studio, qtbot, dialog)
    [sent] = [r for r in music_backend.requests()
              if r["path"] == "/v1/music/stem-separation"]
    validate_query(find_operation("POST", sent["path"]), sent["query"])
    if music_backend.kind == "cloud":
        expected = "mp3_44100_192"
    else:
        rate = OutputFormat.parse(dialog.generation.output_format).sample_rate_hz
        expected = f"pcm_{rate}"
    assert sent["query"]["output_format"] == [expected]
    assert studio.ctx.is_offline is (music_backend.kind == "engine")


def test_a_stopped_stems_export_leaves_no_stems(launch, cloud, qtbot, tmp_path: Path) -> None:
    """Export writes one WAV a stem from a worker thread: Cancel (and Escape, which
    closes the dialog) stops it before the next stem and removes the ones written, so a
    DAW never imports half a set as the song."""
    studio = launch(cloud_url=cloud.url)
    dialog = compose_one(studio, qtbot)
    separate(studio, qtbot, dialog)
    status = dialog.findChild(QLabel, "music.stems.status")
    cancel = dialog.findChild(QPushButton, "music.stems.cancel")
    runner = studio.window.music_tab._runner

    stopped = tmp_path / "stopped"
    dialog.export_to(stopped)
    assert "Exporting" in status.text()
    assert cancel.isEnabled()
    cancel.click()  # before the worker thread wrote a single stem
    qtbot.waitUntil(lambda: "stopped" in status.text(), timeout=30_000)
    qtbot.waitUntil(lambda: not runner.is_running(dialog.EXPORT), timeout=30_000)
    assert not stopped.exists() or list(stopped.iterdir()) == []
    assert not cancel.isEnabled()
    assert dialog.findChild(QPushButton, "music.stems.export").isEnabled()

    kept = tmp_path / "kept"
    export(qtbot, dialog, kept)  # left alone, the same export writes every file
    assert len(list(kept.glob("*.wav"))) == len(dialog.stems.names)

    closed = tmp_path / "closed"
    dialog.export_to(closed)
    dialog.reject()  # Escape
    qtbot.waitUntil(lambda: not runner.is_running(dialog.EXPORT), timeout=30_000)
    assert not closed.exists() or list(closed.iterdir()) == []


@pytest.mark.parametrize("damage", ["pipe", "folder"])
def test_a_version_whose_audio_became_a_pipe_or_a_folder_is_named_and_not_sent(
        launch, cloud, qtbot, damage: str) -> None:
    """Before: Separate read the version's audio whole with read_bytes: a named pipe in
    its place hung for ever (Cancel ended the task, never the read), a folder said "Could
    not write a file. Is a directory". After: the status names the file and says what it
    is; nothing is sent, Separate is offered again."""
    import contextlib
    import os

    studio = launch(cloud_url=cloud.url)
    dialog = compose_one(studio, qtbot)
    path = studio.ctx.history.list(kind="music")[0].file_path
    path.unlink()
    os.mkfifo(path) if damage == "pipe" else path.mkdir()
    try:
        click(qtbot, studio, "music.stems.separate")
        status = dialog.findChild(QLabel, "music.stems.status")
        qtbot.waitUntil(lambda: "cannot be read" in status.text(), timeout=20_000)
        shown = status.text()
        assert path.name in shown and "Errno" not in shown
        assert ("not an ordinary saved file" if damage == "pipe" else "it is a folder") in shown
        assert dialog.findChild(QPushButton, "music.stems.separate").isEnabled()
        assert not any(r["path"] == "/v1/music/stem-separation"
                       for r in cloud.control.requests())
    finally:  # a reader still stuck on the pipe (without the fix) gets its end
        with contextlib.suppress(OSError):
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
