"""Reliability II fixtures: the real app as a subprocess (offscreen) on a data folder the
test prepares, with an automation script that reports the window's texts once ready."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.cloud import Cloud
from tests.support.cloud_server import CREATOR_KEY

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60.0
NOTICES = "main.notices.text"


@dataclass
class AppRun:
    process: subprocess.Popen[bytes]
    seen: Path
    stderr: Path

    def wait_ready(self, timeout_s: float = START_TIMEOUT_S) -> dict[str, Any]:
        """What the window showed once ready; fails if it exited or never got there."""
        deadline = time.monotonic() + timeout_s
        while not self.seen.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the app did not get ready (exit {self.process.poll()}):"
                                     f"\n{self.stderr_text()[-3000:]}")
            time.sleep(0.05)
        return dict(json.loads(self.seen.read_text()))

    def stderr_text(self) -> str:
        return self.stderr.read_text(errors="replace") if self.stderr.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


@dataclass
class AppLauncher:
    cloud: Cloud
    work: Path
    runs: list[AppRun] = field(default_factory=list)
    homes: set[Path] = field(default_factory=set)

    def env(self, home: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if k not in ("XI_STUDIO_ENGINE_URL", "XI_STUDIO_STARTUP_PROBE",
                            "XI_STUDIO_AUTOMATION")}
        alsa = self.work / "asound.conf"  # the app plays into a file, not a sound card
        alsa.write_text("</usr/share/alsa/alsa.conf>\npcm.!default {\n    type file\n"
                        f'    slave.pcm "null"\n    file "{self.work / "played.raw"}"\n'
                        '    format "raw"\n}\n')
        env.update(QT_QPA_PLATFORM="offscreen", XI_STUDIO_HOME=str(home),
                   ELEVENLABS_BASE_URL=self.cloud.url, ELEVENLABS_API_KEY=CREATOR_KEY,
                   ALSA_CONFIG_PATH=str(alsa), PYTHONPATH=str(REPO))
        return env

    def start(self, home: Path, *files: Path, objects: tuple[str, ...] = (NOTICES,),
              preexec: Any = None) -> AppRun:
        """Start the app; once its window is ready it writes `objects`' texts to a file
        (`AppRun.wait_ready` returns them)."""
        number = len(self.runs)
        seen = self.work / f"seen-{number}.json"
        script = self.work / f"script-{number}.json"
        script.write_text(json.dumps({"steps": [
            {"action": "dump", "objects": list(objects), "to": str(seen)}]}))
        env = self.env(home)
        env["XI_STUDIO_AUTOMATION"] = str(script)
        stderr = self.work / f"stderr-{number}.txt"
        with stderr.open("wb") as err:
            process = subprocess.Popen([sys.executable, "-m", "app", *map(str, files)],
                                       cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                                       stderr=err, preexec_fn=preexec)
        run = AppRun(process, seen, stderr)
        self.runs.append(run)
        self.homes.add(home)
        return run

    def clean_up(self) -> None:
        """Stop every app and remove the lock files and sockets stopped copies leave in
        the temporary folder (a killed app cannot remove its own)."""
        from PySide6.QtCore import QDir

        from app.library.paths import AppPaths
        from app.ui.single_instance import instance_name

        for run in self.runs:
            run.stop()
        for home in self.homes:
            name = instance_name(AppPaths.under(home).data_dir)
            for leftover in (f"{name}.lock", name):
                (Path(QDir.tempPath()) / leftover).unlink(missing_ok=True)


@pytest.fixture
def apps(cloud: Cloud, tmp_path: Path) -> Iterator[AppLauncher]:
    work = tmp_path / "work"
    work.mkdir()
    launcher = AppLauncher(cloud, work)
    yield launcher
    launcher.clean_up()


# The in-process window (pytest-qt) with the app's asyncio loop, as the first suite has it.
from tests.reliability.conftest import (  # noqa: E402, F401 - fixtures shared
    StudioFactory,
    qt_loop,
    studios,
)
