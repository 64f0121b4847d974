"""The command line a user, a packager or CI runs: --version, serve, --screenshot."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from app import __version__

pytestmark = pytest.mark.e2e


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["XI_STUDIO_HOME"] = str(tmp_path / "home")
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("ELEVENLABS_API_KEY", None)
    return env


def test_version(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "app", "--version"], capture_output=True,
                            text=True, env=_env(tmp_path), timeout=60, check=True)
    assert result.stdout.strip() == f"XI Studio {__version__}"


def test_serve_answers_the_api(tmp_path: Path) -> None:
    process = subprocess.Popen([sys.executable, "-m", "app", "serve", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env=_env(tmp_path))
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 60
        url = None
        while url is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
            url = match.group(1) if match else None
        assert url, "the engine never said where it listens"
        models = httpx.get(f"{url}/v1/models", timeout=30).json()
        assert any(m["can_do_text_to_speech"] for m in models)
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_screenshot_of_every_tab(tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    for tab in ("speech", "transcripts", "music"):
        target = tmp_path / f"{tab}.png"
        subprocess.run([sys.executable, "-m", "app", "--screenshot", str(target), "--tab", tab],
                       env=_env(tmp_path), timeout=120, check=True, capture_output=True)
        image = QImage(str(target))
        assert image.width() >= 800 and image.height() >= 500
        colours = {image.pixel(x, y) for x in range(0, image.width(), 31)
                   for y in range(0, image.height(), 23)}
        assert len(colours) > 10, f"the {tab} screenshot looks blank"


def test_window_shows_before_heavy_modules_load(tmp_path: Path) -> None:
    """Start-up (issue 6, figure 4b): the window is interactive before any decoder, engine
    backend, SDK or pydantic model loads, with and without a restored speech draft."""
    env = _env(tmp_path)
    env["XI_STUDIO_STARTUP_PROBE"] = "1"
    env["XI_STUDIO_ENGINE_URL"] = "http://127.0.0.1:9"  # the probe quits before using it
    drafts = tmp_path / "home" / "data" / "drafts"
    for run in ("first run", "with a speech draft"):
        result = subprocess.run([sys.executable, "-m", "app"], capture_output=True, text=True,
                                env=env, timeout=120, check=False)
        line = next((x for x in result.stdout.splitlines() if x.startswith("XI_STUDIO_")), "")
        assert "heavy=-" in line, (run, line, result.stderr[-2000:])
        # Start-up ran without automatic collections, and what it made is out of the
        # collector's reach (app.main.main, run_gui).
        fields = dict(part.split("=", 1) for part in line.split()[1:])
        assert fields["gc_automatic"] == "0", line
        assert int(fields["gc_frozen"]) > 50_000, line
    assert (drafts / "speech.json").is_file()  # the second run really restored a draft


@pytest.mark.parametrize("command", ["models", "serve", "render"])
def test_commands_without_a_window_collect_garbage_as_usual(
        command: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`main` turns automatic collection off for the window's start-up; a headless render
    of a long script or a server running for hours must have it back on."""
    import gc

    import app.engine.runner
    import app.models_cli
    import app.render_cli
    from app import main as entry

    seen: list[bool] = []

    def record(*_args: object, **_kwargs: object) -> int:
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setattr(app.models_cli, "main", record)
    monkeypatch.setattr(app.render_cli, "main", record)
    monkeypatch.setattr(app.engine.runner, "run", record)
    monkeypatch.setenv("XI_STUDIO_HOME", str(tmp_path))
    was_enabled = gc.isenabled()
    try:
        assert entry.main([command]) == 0
    finally:
        gc.enable() if was_enabled else gc.disable()
    assert seen == [True]
