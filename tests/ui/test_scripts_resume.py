"""The window killed in the middle of a script's queue, and started again: the queue
carries on where it was, and the server's count shows no block paid for twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QTableView

from tests.support.cloud import Cloud
from tests.support.cloud_server import CREATOR_KEY

pytestmark = pytest.mark.e2e

SARAH = "EXAVITQu4vr4xnSDxMaL"
LINES = ["Welcome to the course.", "Today we learn about scripts.", "A script has blocks.",
         "Each block has takes.", "You choose the take you like.", "That is all for now."]


def _wait(condition: object, timeout_s: float = 90.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _takes_on_disk(home: Path) -> int:
    """Takes whose audio is complete in the takes folder. (The script file lists them a
    moment later: it is saved at most every couple of seconds while a queue runs, and
    reopening adopts a take its file missed.)"""
    return sum(1 for folder in (home / "data" / "scripts").glob("*.takes")
               for audio in folder.glob("*/*.*")
               if not audio.name.startswith(".") and audio.suffix != ".json")


def test_window_killed_mid_queue_resumes_without_paying_twice(
        launch, cloud: Cloud, qtbot, xi_home: Path, tmp_path: Path) -> None:
    # One voice for every line: one stitched run, made one block after another.
    source = tmp_path / "course.csv"
    source.write_text("speaker,text,voice\n" + "".join(f'NARRATOR,"{line}",{SARAH}\n'
                                                       for line in LINES), encoding="utf-8")
    steps = tmp_path / "steps.json"
    steps.write_text(json.dumps({"steps": [{"action": "click",
                                            "object": "scripts.generate_all"}]}))
    env = dict(os.environ, XI_STUDIO_HOME=str(xi_home), ELEVENLABS_BASE_URL=cloud.url,
               ELEVENLABS_API_KEY=CREATOR_KEY, XI_STUDIO_AUTOMATION=str(steps),
               QT_QPA_PLATFORM="offscreen")
    env.pop("XI_STUDIO_ENGINE_URL", None)
    process = subprocess.Popen([sys.executable, "-m", "app", str(source)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(lambda: _takes_on_disk(xi_home) >= 2)
        # The next request hangs before the server does (or charges) anything, and the
        # app is killed while it waits.
        cloud.control.add_faults({"path_regex": "^/v1/text-to-speech/",
                                  "fault": "stall_before_headers", "seconds": 60})
        _wait(lambda: not cloud.control.faults())
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
    made_before = _takes_on_disk(xi_home)
    assert 2 <= made_before < len(LINES)
    assert sum(cloud.control.stats()["generations"].values()) == made_before

    # Started again: the script reopens by itself and its queue carries on.
    studio = launch(cloud_url=cloud.url)
    studio.window.show_tab("scripts")
    tab = studio.window.scripts_tab
    table = studio.find(QTableView, "scripts.blocks")
    qtbot.waitUntil(lambda: table.model().rowCount() == len(LINES), timeout=15_000)
    qtbot.waitUntil(lambda: tab.document.script.all_takes_chosen, timeout=60_000)
    qtbot.waitUntil(lambda: not tab.generation.is_running, timeout=10_000)
    script = tab.document.script
    assert all(len(b.takes) == 1 for b in script.blocks), "a block was made twice"
    assert sum(cloud.control.stats()["generations"].values()) == len(LINES)
    sent = [r["json"]["text"] for r in cloud.control.requests()
            if r["path"].startswith("/v1/text-to-speech/")]
    # Every block was sent once, plus the one that hung when the app was killed.
    assert len(sent) == len(LINES) + 1
    assert sorted(set(sent)) == sorted(LINES)
