"""`xi-studio render` as a user runs it: a subprocess against the offline engine, and
against the cloud test server killed mid-queue and run again (nothing paid twice)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import soundfile as sf

from app.domain.script_file import script_from_json
from app.library.script_store import load_script
from tests.support.cloud import Cloud
from tests.support.cloud_server import CREATOR_KEY

pytestmark = pytest.mark.e2e

THREE = "ANNA: Hello there, and welcome.\nBEN: Thanks for having me.\nANNA: Let us begin.\n"
SIX = THREE + "BEN: First question, then.\nANNA: Go ahead.\nBEN: Why scripts?\n"


def _env(tmp_path: Path, key: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["XI_STUDIO_HOME"] = str(tmp_path / "home")
    env.pop("ELEVENLABS_API_KEY", None)
    env.pop("XI_STUDIO_ENGINE_URL", None)
    if key is not None:
        env["ELEVENLABS_API_KEY"] = key
    return env


def _render(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", "render", *args], capture_output=True,
                          text=True, env=env, timeout=240)


def test_render_with_the_offline_engine(tmp_path: Path) -> None:
    source = tmp_path / "interview.txt"
    source.write_text(THREE)
    out = tmp_path / "out"
    result = _render([str(source), "--out", str(out), "--format", "wav_22050"],
                     _env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "3/3 blocks" in result.stderr
    script = load_script(out / "interview.xiscript.json")
    assert script.output_format == "wav_22050" and script.all_takes_chosen
    assert {p.name for p in (out / "blocks").iterdir()} == {
        "01_ANNA_Hello-there-and-welcome.wav", "02_BEN_Thanks-for-having-me.wav",
        "03_ANNA_Let-us-begin.wav"}
    info = sf.info(str(out / "interview.wav"))
    assert info.duration > 1.5
    assert (out / "interview.srt").read_text().count("-->") >= 3
    assert (out / "interview.vtt").read_text().startswith("WEBVTT")


def test_bad_script_file_exits_2_and_says_where(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xiscript.json"
    bad.write_text('{"format": "xi-studio-script", "format_version": 1, "model_id": "m", '
                   '"output_format": "mp3_44100_128", "blocks": [{"block_id": "b1", '
                   '"speaker": "A"}]}')
    result = _render([str(bad), "--out", str(tmp_path / "o")], _env(tmp_path))
    assert result.returncode == 2
    assert "blocks[0].text: missing" in result.stderr


def _wait(condition: object, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _takes_on_disk(path: Path) -> int:
    try:
        script = script_from_json(path.read_bytes())
    except (OSError, ValueError):
        return 0
    return sum(len(b.takes) for b in script.blocks)


def test_killed_mid_queue_resumes_without_paying_twice(cloud: Cloud, tmp_path: Path) -> None:
    source = tmp_path / "six.txt"
    source.write_text(SIX)
    out = tmp_path / "out"
    script_path = out / "six.xiscript.json"
    args = [str(source), "--out", str(out), "--server", cloud.url, "--concurrency", "1"]
    env = _env(tmp_path, CREATOR_KEY)
    process = subprocess.Popen([sys.executable, "-m", "app", "render", *args],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    try:
        _wait(lambda: _takes_on_disk(script_path) >= 2)
        # The next request hangs before the server does (or charges) anything...
        cloud.control.add_faults({"path_regex": "^/v1/text-to-speech/",
                                  "fault": "stall_before_headers", "seconds": 60})
        _wait(lambda: not cloud.control.faults())
        # ...and the app is killed while it waits.
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        if process.stderr is not None:
            process.stderr.close()
    made_before = _takes_on_disk(script_path)
    assert 2 <= made_before < 6
    charged_before = sum(cloud.control.stats()["generations"].values())
    assert charged_before == made_before

    result = _render(args, env)
    assert result.returncode == 0, result.stderr
    assert "Resuming an interrupted run." in result.stderr
    script = load_script(script_path)
    assert all(len(b.takes) == 1 for b in script.blocks), "a block was made twice"
    assert sum(cloud.control.stats()["generations"].values()) == 6
    charged_texts = [r["json"]["text"] for r in cloud.control.requests()
                     if r["path"].startswith("/v1/text-to-speech/")]
    # Every block was sent once, plus the one request that hung when the app was killed.
    assert len(charged_texts) == 7
    assert sorted(set(charged_texts)) == sorted(b.text for b in script.blocks)
    assert (out / "six.wav").is_file()
