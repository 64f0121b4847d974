"""`xi-studio models ...` as a user runs it: a real process, a hub-like server on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.model_hub import ModelHub, joe_files

JOE = "piper-en_US-joe-medium"


@pytest.fixture(scope="module")
def hub() -> Iterator[ModelHub]:
    with ModelHub() as server:
        server.add_test_models()
        yield server


def run(args: list[str], home: Path, hub_url: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, XI_STUDIO_HOME=str(home), XI_STUDIO_MODEL_HUB=hub_url,
               QT_QPA_PLATFORM="offscreen")
    env.pop("XI_STUDIO_MODELS_DIR", None)
    return subprocess.run([sys.executable, "-m", "app", "models", *args], env=env, text=True,
                          capture_output=True, timeout=300, check=False)


def test_install_list_remove(hub: ModelHub, tmp_path: Path) -> None:
    home = tmp_path / "home"
    installed = run(["install", JOE], home, hub.url)
    assert installed.returncode == 0, installed.stderr
    assert "100%" in installed.stderr and "MB/s" in installed.stderr
    assert "x real time here" in installed.stderr
    assert (home / "data" / "models" / JOE / "en_US-joe-medium.onnx").is_file()
    listed = run(["list"], home, hub.url)
    line = next(x for x in listed.stdout.splitlines() if x.startswith(JOE))
    assert "installed" in line and "x real time here" in line and "63.2 MB" in line
    assert "whisper-base" in listed.stdout and "whisper-small" in listed.stdout
    removed = run(["remove", JOE], home, hub.url)
    assert removed.returncode == 0 and not (home / "data" / "models" / JOE).exists()


def test_install_from_a_folder_missing_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "stick"
    folder.mkdir()
    onnx = joe_files()["en_US-joe-medium.onnx"]
    (folder / onnx.name).symlink_to(onnx)
    result = run(["install", JOE, "--from", str(folder)], tmp_path / "home", "http://127.0.0.1:9")
    assert result.returncode == 1
    assert "missing en_US-joe-medium.onnx.json" in result.stderr
    assert not (tmp_path / "home" / "data" / "models" / JOE).exists()


def test_hub_unreachable(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    result = run(["install", "whisper-tiny", "--no-speed-test"], tmp_path / "home", dead)
    assert result.returncode == 1
    assert "Could not reach the model hub" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_name(tmp_path: Path) -> None:
    result = run(["install", "whisper-huge"], tmp_path / "home", "http://127.0.0.1:9")
    assert result.returncode == 1 and "whisper-base" in result.stderr


def test_sample_downloads_and_plays_a_voice(hub: ModelHub, tmp_path: Path,
                                            alsa_played_file: Path) -> None:
    import numpy as np

    from tests.support.alsa_sink import read_played

    home = tmp_path / "home"
    result = run(["sample", JOE], home, hub.url)  # ALSA_CONFIG_PATH: the file sink
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip().splitlines()[-1])
    assert path.name == "speaker_0.mp3" and path.is_file()
    assert np.abs(read_played(alsa_played_file)).max(initial=0) > 0.05
    assert not (home / "data" / "models" / JOE).exists()  # nothing installed
    asked = len(hub.requests)
    again = run(["sample", JOE, "--no-play"], home, hub.url)
    assert again.returncode == 0 and Path(again.stdout.strip()) == path
    assert len(hub.requests) == asked  # cached
    none = run(["sample", "whisper-base"], home, hub.url)
    assert none.returncode == 1 and "no voice sample" in none.stderr


def test_card_prints_the_licence_and_the_model_card(hub: ModelHub, tmp_path: Path) -> None:
    result = run(["card", JOE], tmp_path / "home", hub.url)
    assert result.returncode == 0, result.stderr
    assert "Licence: CC0-1.0" in result.stdout and "Model card for joe" in result.stdout
    whisper = run(["card", "whisper-base"], tmp_path / "home", hub.url)
    assert "Licence: MIT" in whisper.stdout and "CTranslate2" in whisper.stdout
    amy = run(["card", "piper-en_US-amy-medium"], tmp_path / "home", hub.url)
    assert "Licence: CC-BY-SA-4.0 (Mycroft voices). The model card points at" in amy.stdout
    missing = run(["card", "whisper-small"], tmp_path / "home", hub.url)
    assert missing.returncode == 1 and "has no model card" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_a_damaged_model_is_listed_as_damaged(tmp_path: Path) -> None:
    from app.library.models.catalogue import find
    from app.library.models.folder_install import install_from_folder
    from app.library.models.store import ModelStore

    home = tmp_path / "home"
    folder = tmp_path / "stick"
    folder.mkdir()
    for name, path in joe_files().items():
        (folder / name).symlink_to(path)
    model = install_from_folder(find(JOE), folder, ModelStore(home / "data" / "models"))
    (model.folder / "en_US-joe-medium.onnx.json").write_bytes(b"")  # emptied by accident
    listed = run(["list"], home, "http://127.0.0.1:9")
    assert listed.returncode == 0, listed.stderr
    line = next(x for x in listed.stdout.splitlines() if x.startswith(JOE))
    assert "damaged: en_US-joe-medium.onnx.json" in line
    assert f"run `xi-studio models install {JOE}` again" in line
    again = run(["install", JOE, "--from", str(folder), "--no-speed-test"], home,
                "http://127.0.0.1:9")
    assert again.returncode == 0, again.stderr
    fixed = run(["list"], home, "http://127.0.0.1:9")
    line = next(x for x in fixed.stdout.splitlines() if x.startswith(JOE))
    assert line.rstrip().endswith("installed")


def test_install_from_a_folder_holding_a_damaged_file(tmp_path: Path) -> None:
    folder = tmp_path / "stick"
    folder.mkdir()
    files = joe_files()
    (folder / "en_US-joe-medium.onnx").symlink_to(files["en_US-joe-medium.onnx"])
    (folder / "en_US-joe-medium.onnx.json").write_text("{}")  # not the voice's config
    result = run(["install", JOE, "--from", str(folder)], tmp_path / "home", "http://127.0.0.1:9")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "en_US-joe-medium.onnx.json is damaged" in result.stderr
    assert "Copy it again" in result.stderr
    assert not (tmp_path / "home" / "data" / "models" / JOE).exists()
    missing = run(["install", JOE, "--from", str(tmp_path / "nowhere")], tmp_path / "home",
                  "http://127.0.0.1:9")
    assert missing.returncode == 1 and "does not exist" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_a_models_folder_that_cannot_be_written(tmp_path: Path) -> None:
    folder = tmp_path / "stick"
    folder.mkdir()
    for name, path in joe_files().items():
        (folder / name).symlink_to(path)
    home = tmp_path / "home"
    (home / "data").mkdir(parents=True)
    (home / "data" / "models").write_text("a file where the models folder should be")
    result = run(["install", JOE, "--from", str(folder)], home, "http://127.0.0.1:9")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "could not be installed" in result.stderr and "can be written" in result.stderr
    removed = run(["remove", JOE], home, "http://127.0.0.1:9")
    assert "Traceback" not in removed.stderr


def test_install_while_the_window_installs_the_same_model(hub: ModelHub,
                                                          tmp_path: Path) -> None:
    import threading

    from app.library.models.catalogue import find
    from app.library.models.download import install_from_hub
    from app.library.models.store import ModelStore

    home = tmp_path / "home"
    store = ModelStore(home / "data" / "models")
    hub.faults.pace_s_per_mib = 0.05  # the window's install is still running meanwhile
    started = threading.Event()
    errors: list[Exception] = []

    def window() -> None:
        try:
            install_from_hub(find(JOE), store, hub=hub.url,
                             progress=lambda p: started.set() if p.done_bytes else None)
        except Exception as exc:  # checked below
            errors.append(exc)
        started.set()

    thread = threading.Thread(target=window)
    thread.start()
    try:
        assert started.wait(120)
        result = run(["install", JOE, "--no-speed-test"], home, hub.url)
    finally:
        thread.join(300)
        hub.faults.pace_s_per_mib = 0.0
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "already being installed" in result.stderr
    assert errors == [] and store.get(JOE) is not None and store.damaged(JOE) is None


def test_check_says_whole_then_damaged(tmp_path: Path) -> None:
    """`models check NAME` reads the files again: 0 when whole, 1 (and what to do) when a
    byte changed in place, which `list` (sizes only) cannot see before the check."""
    home = tmp_path / "home"
    folder = tmp_path / "stick"
    folder.mkdir()
    for name, path in joe_files().items():
        (folder / name).symlink_to(path)
    no_hub = "http://127.0.0.1:9"
    installed = run(["install", JOE, "--from", str(folder), "--no-speed-test"], home, no_hub)
    assert installed.returncode == 0, installed.stderr
    whole = run(["check", JOE], home, no_hub)
    assert whole.returncode == 0, whole.stderr
    assert "files are whole" in whole.stderr and "Checking" in whole.stderr
    onnx = home / "data" / "models" / JOE / "en_US-joe-medium.onnx"
    with onnx.open("r+b") as f:
        f.seek(123_456)
        byte = f.read(1)
        f.seek(-1, 1)
        f.write(bytes([byte[0] ^ 0xFF]))
    damaged = run(["check", JOE], home, no_hub)
    assert damaged.returncode == 1
    assert "en_US-joe-medium.onnx is damaged" in damaged.stderr
    assert f"xi-studio models install {JOE}` again" in damaged.stderr
    assert "Traceback" not in damaged.stderr
    listed = run(["list"], home, no_hub)
    assert "damaged" in next(x for x in listed.stdout.splitlines() if x.startswith(JOE))
    assert run(["check", "whisper-base"], home, no_hub).returncode == 1  # not installed
