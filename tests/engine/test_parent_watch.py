"""The engine started by the app watches the app (app/engine/parent_watch.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from app.engine.launcher import LocalEngineProcess
from app.engine.parent_watch import PARENT_PID_ENV
from app.engine.runner import READY_PREFIX

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]


def test_engine_ends_when_its_stdin_pipe_closes() -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")
    env[PARENT_PID_ENV] = str(os.getpid())
    engine = subprocess.Popen([sys.executable, "-m", "app.engine", "--port", "0"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, env=env, cwd=REPO)
    try:
        assert engine.stdout is not None and engine.stdin is not None
        for raw in engine.stdout:
            if raw.decode().startswith(READY_PREFIX):
                break
        engine.stdin.close()  # as if this process had died
        # uvicorn stops gracefully, then lets the SIGTERM it caught end the process.
        assert engine.wait(timeout=15) in (0, -signal.SIGTERM)
        rest = engine.stdout.read().decode()
        assert "closed its end of the pipe" in rest
    finally:
        if engine.poll() is None:
            engine.kill()
            engine.wait()


def test_a_standalone_engine_is_not_watched() -> None:
    env = {k: v for k, v in os.environ.items() if k != PARENT_PID_ENV}
    env.update(PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")
    engine = subprocess.Popen([sys.executable, "-m", "app.engine", "--port", "0"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, env=env, cwd=REPO)
    try:
        assert engine.stdout is not None and engine.stdin is not None
        url = ""
        for raw in engine.stdout:
            line = raw.decode().strip()
            if line.startswith(READY_PREFIX):
                url = line[len(READY_PREFIX):]
                break
        engine.stdin.close()
        assert httpx.get(url + "/v1/models", timeout=10).status_code == 200
        assert engine.poll() is None
    finally:
        engine.terminate()
        engine.wait(timeout=15)


def test_started_from_a_thread_that_ends_the_engine_keeps_running(tmp_path: Path) -> None:
    """On Linux the parent-death signal follows the thread that forked: the launcher
    forks from its long-lived reader thread, not from the caller's (short-lived) one."""
    engine = LocalEngineProcess(log_path=tmp_path / "engine.log")
    starter = threading.Thread(target=engine.start)
    starter.start()
    starter.join(timeout=60)
    try:
        assert engine.running
        response = httpx.get(engine.base_url + "/v1/models", headers=engine.headers, timeout=10)
        assert response.status_code == 200 and engine.running
    finally:
        engine.stop()
    assert "ended" in (tmp_path / "engine.log").read_text()
