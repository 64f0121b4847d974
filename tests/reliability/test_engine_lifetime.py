"""The local engine ends with the app, however the app ends.

The real app runs as a subprocess (`python -m app`, offscreen, no key, so it starts
its own engine as a child process, with its data in a temporary XI_STUDIO_HOME). Once
the engine is listening, the app is ended: SIGKILL (as the OOM killer would), SIGABRT
(a crash in native code), SIGTERM (a logout, `kill`) or SIGHUP; the engine's process
must be gone within a few seconds. SIGTERM and SIGHUP also close the window as the
close button does: the app exits cleanly and the text typed before is kept as a draft.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.library.paths import AppPaths
from tests.reliability.matrix import REPO

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120),
              pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                 reason="finds the engine's process through /proc (Linux)")]

START_TIMEOUT_S = 60.0
GONE_TIMEOUT_S = 10.0
TYPED = "A draft typed just before the app was told to stop."


def _state_and_ppid(pid: int) -> tuple[str, int] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return fields[0], int(fields[1])


def alive(pid: int) -> bool:
    """Running (a zombie waiting for a parent that does not reap it counts as gone)."""
    found = _state_and_ppid(pid)
    return found is not None and found[0] not in ("Z", "X")


def engine_child(app_pid: int) -> int | None:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        found = _state_and_ppid(int(entry.name))
        if found is None or found[1] != app_pid:
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"app.engine" in command or b"serve" in command:
            return int(entry.name)
    return None


def wait_for(condition: object, timeout_s: float, what: str) -> None:
    assert callable(condition)
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def start_app(tmp_path: Path) -> tuple[subprocess.Popen[bytes], int, Path]:
    home = tmp_path / "home"
    seen = tmp_path / "seen.json"
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"steps": [
        {"action": "type", "object": "speech.text", "text": TYPED},
        {"action": "dump", "objects": ["speech.text"], "to": str(seen)}]}))
    alsa = tmp_path / "asound.conf"  # the app plays into a file, not a sound card
    alsa.write_text("</usr/share/alsa/alsa.conf>\npcm.!default {\n    type file\n"
                    f'    slave.pcm "null"\n    file "{tmp_path / "played.raw"}"\n'
                    '    format "raw"\n}\n')
    env = {k: v for k, v in os.environ.items()
           if k not in ("XI_STUDIO_ENGINE_URL", "ELEVENLABS_API_KEY", "ELEVENLABS_BASE_URL",
                        "XI_STUDIO_STARTUP_PROBE")}
    env.update(QT_QPA_PLATFORM="offscreen", XI_STUDIO_HOME=str(home),
               XI_STUDIO_AUTOMATION=str(script), ALSA_CONFIG_PATH=str(alsa),
               PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring", PYTHONPATH=str(REPO))
    stderr = (tmp_path / "stderr.txt").open("wb")
    app = subprocess.Popen([sys.executable, "-m", "app"], cwd=REPO, env=env,
                           stdout=subprocess.DEVNULL, stderr=stderr)
    stderr.close()
    log = home / "logs" / "engine.log"
    try:
        wait_for(lambda: seen.exists() and log.exists()
                 and "listening on" in log.read_text(errors="replace"),
                 START_TIMEOUT_S, "the app and its engine")
        engine = engine_child(app.pid)
        assert engine is not None and alive(engine)
    except BaseException:
        app.kill()
        app.wait()
        print((tmp_path / "stderr.txt").read_text(errors="replace")[-3000:])
        raise
    return app, engine, home


@pytest.mark.parametrize("how", ["SIGKILL", "SIGABRT", "SIGTERM", "SIGHUP"])
def test_engine_ends_with_the_app(tmp_path: Path, how: str) -> None:
    app, engine, home = start_app(tmp_path)
    try:
        app.send_signal(getattr(signal, how))
        wait_for(lambda: not alive(engine), GONE_TIMEOUT_S, f"the engine to end after {how}")
        code = app.wait(timeout=GONE_TIMEOUT_S)
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
        if alive(engine):
            os.kill(engine, signal.SIGKILL)
    if how in ("SIGKILL", "SIGABRT"):  # killed, or crashed (abort)
        assert code == -getattr(signal, how)
        return
    assert code == 0, (tmp_path / "stderr.txt").read_text(errors="replace")[-3000:]
    drafts = [p.read_text(encoding="utf-8", errors="replace")
              for p in AppPaths.under(home).drafts_dir.rglob("*") if p.is_file()]
    assert any(TYPED in text for text in drafts), "the typed text was not kept as a draft"
    assert "ended" in (home / "logs" / "engine.log").read_text(errors="replace")
