"""Test-wide set-up: isolation from the user's files, the ALSA file sink, GC on the GUI thread."""

from __future__ import annotations

import gc
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.alsa_sink import configure_file_sink
from tests.support.cloud import Cloud
from tests.support.cloud_server import CloudControl, CloudServer
from tests.support.memory_keyring import MemoryKeyring
from tests.support.servers import run_server

# Before anything imports sounddevice (PortAudio reads the ALSA config once).
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="xi-studio-tests-"))
ALSA_CAPTURE_FILE = _SESSION_DIR / "alsa" / "captured.raw"
ALSA_PLAYED_FILE = configure_file_sink(_SESSION_DIR / "alsa", captured=ALSA_CAPTURE_FILE)
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Nothing in the tests may reach the user's real settings, history or key.
os.environ["XI_STUDIO_HOME"] = str(_SESSION_DIR / "home")
os.environ.pop("ELEVENLABS_API_KEY", None)
os.environ.pop("ELEVENLABS_BASE_URL", None)

# Garbage collection on a server or audio thread can free Qt objects on the wrong thread
# and crash (shared/PLATFORM.md); collect only on the main thread, between tests.
gc.disable()


@pytest.fixture(autouse=True)
def _collect_garbage_on_main_thread() -> Iterator[None]:
    yield
    gc.collect()


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Every test gets an empty in-memory keychain instead of the user's real one."""
    import keyring

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def xi_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh XI_STUDIO_HOME for one test."""
    home = tmp_path / "xi-home"
    monkeypatch.setenv("XI_STUDIO_HOME", str(home))
    return home


@pytest.fixture
def alsa_played_file() -> Path:
    """The file the default ALSA device writes into; emptied before the test."""
    ALSA_PLAYED_FILE.parent.mkdir(parents=True, exist_ok=True)
    ALSA_PLAYED_FILE.write_bytes(b"")
    return ALSA_PLAYED_FILE


@pytest.fixture
def alsa_capture_file() -> Iterator[Path]:
    """The file the default ALSA input ("microphone") reads from, as raw mono float32:
    write into it (tests.support.alsa_sink.write_capture) before opening a stream.
    Emptied after the test."""
    ALSA_CAPTURE_FILE.parent.mkdir(parents=True, exist_ok=True)
    ALSA_CAPTURE_FILE.write_bytes(b"")
    yield ALSA_CAPTURE_FILE
    ALSA_CAPTURE_FILE.write_bytes(b"")


@pytest.fixture(scope="session")
def _cloud_server() -> Iterator[Cloud]:
    server = CloudServer()
    with run_server(server) as url:
        control = CloudControl(url)
        yield Cloud(url, control, server)
        control.close()


@pytest.fixture
def cloud(_cloud_server: Cloud) -> Cloud:
    """The cloud test server, freshly reset (no faults, no recorded requests)."""
    _cloud_server.control.reset()
    return _cloud_server
