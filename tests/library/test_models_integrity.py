"""The catalogue is fully pinned, unchecked files are refused, a full disk leaves nothing
half-installed, and a voice's sample and model card come from the hub (cached)."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.library.models.catalogue import (
    CATALOGUE,
    ModelFile,
    catalogue_problems,
    find,
    verify_catalogue,
)
from app.library.models.checks import HubError, ModelInstallError, UnverifiableError
from app.library.models.download import install_from_hub
from app.library.models.extras import NoSampleError, cached_extra, fetch_card, fetch_sample
from app.library.models.folder_install import install_from_folder
from app.library.models.progress import InstallCancelledError, InstallControl
from app.library.models.store import ModelStore
from tests.support.model_hub import ModelHub, joe_files

JOE = find("piper-en_US-joe-medium")


@pytest.fixture(scope="module")
def hub() -> Iterator[ModelHub]:
    with ModelHub() as server:
        server.add_test_models()
        yield server


@pytest.fixture
def store(tmp_path: Path, hub: ModelHub) -> ModelStore:
    hub.faults.no_digests = False
    hub.requests.clear()
    return ModelStore(tmp_path / "models")


def test_every_catalogue_entry_is_pinned_with_a_sha256_per_file() -> None:
    verify_catalogue()
    assert catalogue_problems() == []
    assert all(e.fully_pinned for e in CATALOGUE)
    voices = [e for e in CATALOGUE if e.kind == "piper"]
    assert voices and all(e.sample_path.endswith("samples/speaker_0.mp3") for e in voices)
    assert all(e.card_path.endswith("MODEL_CARD") for e in voices)
    assert {e.card_path for e in CATALOGUE if e.kind == "whisper"} == {"README.md"}


def test_the_checker_names_what_is_not_pinned() -> None:
    loose = dataclasses.replace(JOE, revision="main",
                                files=(ModelFile(JOE.files[0].path, 10),))
    problems = catalogue_problems((loose, JOE, JOE))
    assert any("revision 'main' is not pinned" in p for p in problems)
    assert any("en_US-joe-medium.onnx has no published SHA-256" in p for p in problems)
    assert any("listed twice" in p for p in problems)
    with pytest.raises(ValueError, match="not fully pinned"):
        verify_catalogue((loose,))


def test_a_file_with_no_published_checksum_is_refused(hub: ModelHub, store: ModelStore) -> None:
    unpinned = dataclasses.replace(
        JOE, name="piper-en_US-lessac-medium",
        files=tuple(ModelFile(f.path, f.size) for f in JOE.files))
    hub.faults.no_digests = True  # a mirror that gives no checksum at all
    with pytest.raises(UnverifiableError, match="has no published checksum") as info:
        install_from_hub(unpinned, store, hub=hub.url)
    assert "en_US-joe-medium.onnx" in str(info.value)
    assert not (store.parts_dir(unpinned) / (JOE.files[0].name + ".part")).exists()
    assert store.get(unpinned.name) is None
    assert not list(store.root.glob(f"{unpinned.name}*"))
    staging = store.root / ".staging"
    assert not staging.exists() or not any(staging.iterdir())


def test_only_fully_pinned_models_install_from_a_folder(tmp_path: Path,
                                                        store: ModelStore) -> None:
    folder = tmp_path / "voice"
    folder.mkdir()
    for name, path in joe_files().items():
        (folder / name).symlink_to(path)
    unpinned = dataclasses.replace(JOE, files=(JOE.files[0], ModelFile(JOE.files[1].path, 1)))
    with pytest.raises(ModelInstallError, match="cannot be installed from a folder"):
        install_from_folder(unpinned, folder, store)
    assert store.get(JOE.name) is None
    assert install_from_folder(JOE, folder, store).is_complete()


def test_a_file_size_limit_mid_download_leaves_nothing_installed(
        hub: ModelHub, tmp_path: Path) -> None:
    # A full disk without root: the kernel refuses writes past RLIMIT_FSIZE (EFBIG), the
    # way it refuses them on a full disk (ENOSPC), in a process of its own.
    script = textwrap.dedent(f"""
        import resource, signal, sys
        from pathlib import Path
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000_000, 20_000_000))
        from app.library.models.catalogue import find
        from app.library.models.checks import NotEnoughSpaceError
        from app.library.models.download import install_from_hub
        from app.library.models.store import ModelStore
        try:
            install_from_hub(find("{JOE.name}"), ModelStore(Path(sys.argv[1])),
                             hub="{hub.url}")
        except NotEnoughSpaceError as exc:
            print(exc)
            sys.exit(3)
    """)
    root = tmp_path / "models"
    done = subprocess.run([sys.executable, "-c", script, str(root)], capture_output=True,
                          text=True, timeout=300, check=False,
                          env=dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2])))
    assert done.returncode == 3, done.stderr
    assert "The disk filled up while downloading en_US-joe-medium.onnx" in done.stdout
    assert "free some space" in done.stdout
    store = ModelStore(root)
    assert store.get(JOE.name) is None and not (root / JOE.name).exists()
    staging = root / ".staging"
    assert not staging.exists() or not any(staging.iterdir())
    # With the limit gone the same install continues where it stopped.
    hub.requests.clear()
    install_from_hub(JOE, store, hub=hub.url)
    assert store.get(JOE.name) is not None
    assert hub.requests[0][1].startswith("bytes=")


def test_a_full_disk_while_copying_from_a_folder_leaves_nothing_installed(
        tmp_path: Path) -> None:
    folder = tmp_path / "voice"
    folder.mkdir()
    for name, path in joe_files().items():
        (folder / name).symlink_to(path)
    script = textwrap.dedent(f"""
        import resource, signal, sys
        from pathlib import Path
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000_000, 20_000_000))
        from app.library.models.catalogue import find
        from app.library.models.checks import NotEnoughSpaceError
        from app.library.models.folder_install import install_from_folder
        from app.library.models.store import ModelStore
        try:
            install_from_folder(find("{JOE.name}"), Path("{folder}"),
                                ModelStore(Path(sys.argv[1])))
        except NotEnoughSpaceError as exc:
            print(exc)
            sys.exit(3)
    """)
    root = tmp_path / "models"
    done = subprocess.run([sys.executable, "-c", script, str(root)], capture_output=True,
                          text=True, timeout=300, check=False,
                          env=dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2])))
    assert done.returncode == 3, done.stderr
    assert "The disk filled up while copying en_US-joe-medium.onnx" in done.stdout
    assert ModelStore(root).get(JOE.name) is None and not (root / JOE.name).exists()
    staging = root / ".staging"
    assert not staging.exists() or not any(staging.iterdir())


def test_a_voice_sample_is_fetched_once_then_cached(hub: ModelHub, store: ModelStore) -> None:
    import soundfile

    path = fetch_sample(JOE, store, hub=hub.url)
    assert path == cached_extra(store, JOE, JOE.sample_path) and path.suffix == ".mp3"
    info = soundfile.info(str(path))
    assert info.frames > 0 and info.samplerate == 22050
    asked = len(hub.requests)
    assert fetch_sample(JOE, store, hub=hub.url) == path
    assert len(hub.requests) == asked  # cached: no second download
    assert store.get(JOE.name) is None  # hearing a sample installs nothing


def test_a_sample_can_be_cancelled_and_a_recogniser_has_none(hub: ModelHub,
                                                             store: ModelStore) -> None:
    control = InstallControl()
    control.cancel()
    with pytest.raises(InstallCancelledError):
        fetch_sample(JOE, store, hub=hub.url, control=control)
    assert not cached_extra(store, JOE, JOE.sample_path).exists()
    assert not list(cached_extra(store, JOE, JOE.sample_path).parent.glob("*.part"))
    with pytest.raises(NoSampleError, match="no voice sample"):
        fetch_sample(find("whisper-base"), store, hub=hub.url)


def test_model_cards_come_from_the_hub(hub: ModelHub, store: ModelStore) -> None:
    assert "CC0" in fetch_card(JOE, store, hub=hub.url)
    assert "license: mit" in fetch_card(find("whisper-base"), store, hub=hub.url)
    with pytest.raises(HubError, match="has no model card for Whisper tiny"):
        fetch_card(find("whisper-tiny"), store, hub=hub.url)


def test_an_unreachable_hub_for_a_sample_says_so(store: ModelStore) -> None:
    with pytest.raises(HubError, match="Could not reach the model hub"):
        fetch_sample(JOE, store, hub="http://127.0.0.1:9")
