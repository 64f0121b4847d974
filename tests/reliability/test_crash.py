"""Crash safety: the real app, killed with SIGKILL at random moments of a generation.

The app runs as a subprocess (`python -m app`, offscreen, its data in a temporary
XI_STUDIO_HOME) against the cloud test server, which streams slowly. A small automation
script (XI_STUDIO_AUTOMATION, a testing aid in app/main.py) reports the texts the window
restored, then does one of three things: types new text, picks a format and presses
Generate (Speech); types a new prompt and presses Compose (Music); or presses Transcribe
on a recording named on the command line, which opens it in the Transcripts tab. The
test waits for the request to reach the server and kills the app at a random moment
after it: while audio streams in, while a WAV is decoded and written, while the file is
committed and the history row written; while a transcript comes back, is saved and
listed in History; or just after. (The server sees a request once its whole body has
arrived, so an upload is killed after it is sent, not halfway through.)

After every kill: the history database opens, passes `PRAGMA integrity_check` and is in
WAL mode; no row points to a `.partial` file, every file a row points to exists and
decodes fully, and every transcript a row points to is complete JSON. At the next start:
the text and the prompt typed before the kill are restored, and every finished file in
the audio folder is listed in the history (a file the app finished but had not yet
listed is listed as recovered audio). A last start checks that no partial file is left
at all. Two lanes (data folders) run side by side to keep it quick.

Reproduce a run with XI_CRASH_SEED=<seed printed on failure>; XI_CRASH_KILLS sets how
many kills (default 20).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from app.audio.decode import decode_file
from app.domain.formats import OutputFormat
from app.library.atomic import PARTIAL_SUFFIX
from app.library.paths import AppPaths
from tests.reliability.matrix import REPO
from tests.support.cloud_server import CloudConfig, CloudControl, CloudServer
from tests.support.servers import run_server

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

KILLS = int(os.environ.get("XI_CRASH_KILLS", "20"))
SEED = int(os.environ.get("XI_CRASH_SEED") or random.SystemRandom().randrange(1, 10**6))
LANES = 2
KEY = "xi-crash-test-key-5f2c9a7e41d3"  # must never reach a log or stderr
FORMATS = ("mp3_44100_128", "wav_24000")
WORDS = ("river", "lantern", "copper", "meadow", "signal", "harbour", "velvet", "orbit",
         "quartz", "willow", "ember", "falcon")
START_TIMEOUT_S = 30.0
STT_PATH = "/v1/speech-to-text"


@dataclass
class Lane:
    name: str
    home: Path
    work: Path
    rng: random.Random
    audio: Path  # the recording to transcribe
    kills: list[str] = field(default_factory=list)  # what was happening at each kill

    @property
    def paths(self) -> AppPaths:
        return AppPaths.under(self.home)


@pytest.fixture(scope="module")
def slow_cloud() -> Iterator[tuple[str, CloudControl]]:
    # Slow enough that a kill lands mid-stream often; quick enough for 20 kills.
    server = CloudServer(CloudConfig(chunk_bytes=512, chunk_delay_s=0.05, min_seconds=2.0))
    with run_server(server) as url:
        control = CloudControl(url)
        control.set_account(KEY, "creator")
        yield url, control
        control.close()


def app_env(lane: Lane, cloud_url: str, script: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("XI_STUDIO_ENGINE_URL", "XI_STUDIO_STARTUP_PROBE")}
    alsa = lane.work / "asound.conf"  # the app plays into a file, not a sound card
    alsa.write_text("</usr/share/alsa/alsa.conf>\npcm.!default {\n    type file\n"
                    f'    slave.pcm "null"\n    file "{lane.work / "played.raw"}"\n'
                    '    format "raw"\n}\n')
    env.update(QT_QPA_PLATFORM="offscreen", XI_STUDIO_HOME=str(lane.home),
               ELEVENLABS_BASE_URL=cloud_url, ELEVENLABS_API_KEY=KEY,
               XI_STUDIO_AUTOMATION=str(script), ALSA_CONFIG_PATH=str(alsa),
               PYTHONPATH=str(REPO))
    return env


def start_app(lane: Lane, cloud_url: str, round_no: int, steps: list[dict[str, Any]],
              files: tuple[Path, ...] = ()) -> tuple[subprocess.Popen[bytes], Path]:
    seen = lane.work / f"seen-{round_no}.json"
    script = lane.work / f"script-{round_no}.json"
    script.write_text(json.dumps({"steps": [
        {"action": "dump", "objects": list(TYPED), "to": str(seen)}, *steps]}))
    stderr = (lane.work / f"stderr-{round_no}.txt").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "app", *map(str, files)], cwd=REPO,
                               env=app_env(lane, cloud_url, script),
                               stdout=subprocess.DEVNULL, stderr=stderr)
    stderr.close()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not seen.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"{lane.name} round {round_no}: the app did not get ready "
                                 f"(exit {process.poll()}): "
                                 + (lane.work / f"stderr-{round_no}.txt").read_text()[-2000:])
        time.sleep(0.02)
    return process, seen


def restored(seen: Path) -> dict[str, str]:
    return {k: str(v) for k, v in json.loads(seen.read_text()).items()}


def rows(lane: Lane) -> list[sqlite3.Row]:
    db = lane.paths.history_db
    if not db.exists():
        return []
    conn = sqlite3.connect(db, timeout=10)
    try:
        conn.row_factory = sqlite3.Row
        return list(conn.execute("SELECT * FROM generations"))
    finally:
        conn.close()


def check_database(lane: Lane) -> None:
    """After a kill (nothing running): sound, WAL, and every row's file complete."""
    db = lane.paths.history_db
    if not db.exists():
        return
    conn = sqlite3.connect(db, timeout=10)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()
    for row in rows(lane):
        stored = row["file_path"]
        assert stored and not stored.endswith(PARTIAL_SUFFIX), f"row {row['id']}: {stored}"
        path = lane.paths.audio_dir / stored
        assert path.is_file(), f"row {row['id']} points to a missing file {stored}"
        if row["kind"] == "transcript":  # the file is the user's recording, never written
            saved = Path(json.loads(row["extra_json"])["transcript_path"])
            json.loads(saved.read_text(encoding="utf-8"))  # raises if it is incomplete
            continue
        fmt = OutputFormat.parse(row["output_format"]) if row["output_format"] else None
        clip = decode_file(path, fmt)  # raises if the file is damaged
        if row["kind"] in ("speech", "music"):
            assert abs(clip.duration_ms - row["duration_ms"]) <= 250, (
                f"{stored}: {clip.duration_ms} ms decoded, {row['duration_ms']} ms recorded")


def check_files_listed(lane: Lane, *, partials_allowed: bool) -> None:
    """Every finished file in the audio folder is in the history (at a start)."""
    listed = {row["file_path"] for row in rows(lane)}
    for path in lane.paths.audio_dir.iterdir():
        if path.name.endswith(PARTIAL_SUFFIX):
            assert partials_allowed, f"a partial file survived a start: {path.name}"
            continue
        assert path.name in listed, f"{path.name} is in the audio folder but not in history"


def check_no_key(lane: Lane) -> None:
    for folder in (lane.home, lane.work):
        for path in folder.rglob("*"):
            if path.is_file() and not path.name.startswith("script-"):
                assert KEY.encode() not in path.read_bytes(), f"the key is in {path}"


TYPED = {"speech.text": "text", "music.prompt": "prompt"}  # widget: its field in the request


def seed_music_draft(lane: Lane) -> None:
    """The Music tab on its prompt page, not keeping songs for re-making (a lighter run)."""
    drafts = lane.paths.drafts_dir
    drafts.mkdir(parents=True, exist_ok=True)
    (drafts / "music.json").write_text(json.dumps({
        "mode": "prompt", "prompt": "", "music_length_ms": 10_000, "auto_length": False,
        "output": {"output_format": "mp3_44100_128", "store": False}}))


def recording(work: Path, seconds: int) -> Path:
    """A tone to transcribe. The server does not record a form's fields, so each lane's
    recording has its own length: the size of an upload tells whose it is."""
    path = work / "speech.wav"
    t = np.arange(16_000 * seconds) / 16_000
    sf.write(path, (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 16_000,
             subtype="PCM_16")
    return path


def run_lane(lane: Lane, cloud_url: str, control: CloudControl, kills: int) -> None:
    typed = {name: "" for name in TYPED}
    seed_music_draft(lane)
    upload = lane.audio.stat().st_size
    for round_no in range(kills):
        words = lane.rng.sample(WORDS, 6)
        text = f"{lane.name} round {round_no}: " + " ".join(words) + "."
        files: tuple[Path, ...] = ()
        roll = lane.rng.random()
        if roll < 0.35:  # compose a song
            widget, what, window_s = "music.prompt", "music", 3.0
            steps = [{"action": "type", "object": widget, "text": text},
                     {"action": "click", "object": "music.compose"}]
        elif roll < 0.5:  # transcribe the recording named on the command line
            widget, what, window_s, files = "", "transcript", 0.8, (lane.audio,)
            steps = [{"action": "click", "object": "transcripts.transcribe"}]
        else:
            widget, window_s = "speech.text", 1.6
            what = lane.rng.choice(FORMATS)
            steps = [{"action": "type", "object": widget, "text": text},
                     {"action": "select", "object": "speech.format", "data": what},
                     {"action": "click", "object": "speech.generate"}]

        def ours(r: dict[str, Any], widget: str = widget, text: str = text) -> bool:
            if not widget:  # this lane's upload: its size, with a few form fields
                return r["path"] == STT_PATH and upload < r["body_size"] < upload + 16_000
            return bool((r.get("json") or {}).get(TYPED[widget]) == text)

        before = sum(map(ours, control.requests()))
        process, seen = start_app(lane, cloud_url, round_no, steps, files)
        try:
            assert {k: v for k, v in restored(seen).items() if k in typed} == typed, (
                f"{lane.name} round {round_no}: what was typed before the last kill was not "
                f"restored: {restored(seen)} != {typed}")
            check_files_listed(lane, partials_allowed=True)
            deadline = time.monotonic() + START_TIMEOUT_S
            while sum(map(ours, control.requests())) == before:
                assert process.poll() is None, "the app exited by itself"
                assert time.monotonic() < deadline, "no request was sent"
                time.sleep(0.02)
            # A moment in the stream, the decode and write, the commit, or after.
            delay = lane.rng.uniform(0.0, window_s)
            time.sleep(delay)
            lane.kills.append(f"{what} +{delay:.2f}s")
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(10)
        check_database(lane)
        if widget:
            typed[widget] = text
    # One last start, without generating: everything recovered, nothing partial left.
    process, seen = start_app(lane, cloud_url, kills, [])
    try:
        assert {k: v for k, v in restored(seen).items() if k in typed} == typed
        check_files_listed(lane, partials_allowed=False)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    check_database(lane)
    check_no_key(lane)


def test_killed_at_random_moments(slow_cloud: tuple[str, CloudControl],
                                  tmp_path: Path) -> None:
    cloud_url, control = slow_cloud
    master = random.Random(SEED)
    lanes = []
    for index in range(LANES):
        home, work = tmp_path / f"home-{index}", tmp_path / f"work-{index}"
        work.mkdir(parents=True)
        lanes.append(Lane(f"lane{index}", home, work, random.Random(master.random()),
                          recording(work, index + 1)))
    per_lane = [KILLS // LANES + (1 if i < KILLS % LANES else 0) for i in range(LANES)]
    errors: list[BaseException] = []

    def lane_thread(lane: Lane, kills: int) -> None:
        try:
            run_lane(lane, cloud_url, control, kills)
        except BaseException as exc:  # reported by the test below
            errors.append(exc)

    threads = [threading.Thread(target=lane_thread, args=(lane, kills), daemon=True)
               for lane, kills in zip(lanes, per_lane, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(500)
    if errors:
        raise AssertionError(f"seed {SEED}: {errors[0]}") from errors[0]
    assert all(not t.is_alive() for t in threads), f"seed {SEED}: a lane hung"
    total = sum(len(lane.kills) for lane in lanes)
    assert total >= KILLS
    saved = sum(len(rows(lane)) for lane in lanes)
    print(f"\ncrash test (seed {SEED}): {total} kills, {saved} generations survived in "
          f"history; kills at: " + ", ".join(k for lane in lanes for k in lane.kills))
