"""The engine as a real child process: started, used over HTTP, stopped."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import httpx
import pytest

from app.engine.launcher import LocalEngineProcess
from app.engine.runner import url_for
from tests.support.spec import validate_response_json

pytestmark = pytest.mark.e2e


def test_starts_serves_and_stops(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "engine.log"
    engine = LocalEngineProcess(log_path=log)
    assert not engine.running
    with pytest.raises(RuntimeError):
        _ = engine.base_url
    url = engine.start()
    try:
        assert engine.running and url == engine.base_url
        assert url.startswith("http://127.0.0.1:") and not url.endswith(":0")
        assert engine.start() == url  # already running: same process
        # Started by the app, the engine answers only its per-launch token.
        assert httpx.get(url + "/v1/models", timeout=10).status_code == 401
        response = httpx.get(url + "/v1/models", headers=engine.headers, timeout=10)
        assert response.status_code == 200
        validate_response_json("GET", "/v1/models", 200, response.json())
        speech = httpx.post(url + "/v1/text-to-speech/JBFqnCBsd6RMkjVDRZzb",
                            json={"text": "Hello."}, headers=engine.headers, timeout=30)
        assert speech.status_code == 200 and speech.headers["content-type"] == "audio/mpeg"
    finally:
        engine.stop()
    assert not engine.running
    with pytest.raises(httpx.TransportError):
        httpx.get(url + "/v1/models", timeout=2)
    text = log.read_text()
    assert "XI Studio engine listening on " + url in text
    assert "ended" in text
    engine.stop()  # stopping twice is fine


def test_context_manager(tmp_path: Path) -> None:
    with LocalEngineProcess(log_path=tmp_path / "e.log") as engine:
        pid = engine.pid
        assert engine.running and pid is not None
    assert not engine.running


def _script(tmp_path: Path, body: str) -> str:
    path = tmp_path / "fake-python"
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


@pytest.mark.skipif(os.name == "nt", reason="the stand-in engine is a POSIX shell script")
def test_a_crashing_engine_is_reported_in_plain_words(tmp_path: Path) -> None:
    python = _script(tmp_path, "echo 'ModuleNotFoundError: no module named fastapi' >&2; exit 3")
    engine = LocalEngineProcess(log_path=tmp_path / "e.log", python=python)
    with pytest.raises(RuntimeError) as info:
        engine.start()
    message = str(info.value)
    assert "stopped before it was ready" in message and "exit code 3" in message
    assert "no module named fastapi" in message
    assert not engine.running


@pytest.mark.skipif(os.name == "nt", reason="the stand-in engine is a POSIX shell script")
def test_an_engine_that_never_gets_ready_times_out(tmp_path: Path) -> None:
    python = _script(tmp_path, "echo still loading; exec sleep 60")
    engine = LocalEngineProcess(python=python)
    with pytest.raises(RuntimeError) as info:
        engine.start(timeout_s=1.0)
    assert "did not get ready within 1 seconds" in str(info.value)
    assert "still loading" in str(info.value)
    assert not engine.running


def test_a_missing_python_is_reported(tmp_path: Path) -> None:
    engine = LocalEngineProcess(python=str(tmp_path / "no-such-python"))
    with pytest.raises(RuntimeError, match="could not be started"):
        engine.start()


def test_command_and_urls() -> None:
    engine = LocalEngineProcess(python=sys.executable)
    assert engine.command()[:3] == [sys.executable, "-m", "app.engine"]
    assert "--port" in engine.command() and "0" in engine.command()
    assert url_for("127.0.0.1", 8765) == "http://127.0.0.1:8765"
    assert url_for("::1", 80) == "http://[::1]:80"


def test_the_token_is_new_each_launch_and_never_on_the_command_line(tmp_path: Path) -> None:
    engine = LocalEngineProcess(log_path=tmp_path / "e.log")
    tokens = []
    for _ in range(2):
        url = engine.start()
        try:
            tokens.append(engine.token)
            cmdline = Path(f"/proc/{engine.pid}/cmdline").read_bytes() \
                if Path("/proc").is_dir() else b""
            assert engine.token.encode() not in cmdline
            assert engine.token not in " ".join(engine.command())
            assert httpx.get(url + "/v1/models", headers=engine.headers,
                             timeout=10).status_code == 200
        finally:
            engine.stop()
    assert tokens[0] != tokens[1] and len(tokens[0]) >= 32
    assert tokens[0] not in (tmp_path / "e.log").read_text()
