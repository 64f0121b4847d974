"""Installing offline models: real model files, served by a hub-like server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import dataclasses
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from app.library.models.catalogue import ModelEntry, ModelFile, find
from app.library.models.checks import (
    ChecksumError,
    HubError,
    MissingFileError,
    ModelInstallError,
    NotEnoughSpaceError,
    check_space,
    sha256_of,
)
from app.library.models.download import RetryPolicy, install_from_hub
from app.library.models.file_check import CheckResult, check_model
from app.library.models.folder_install import install_from_folder
from app.library.models.progress import InstallCancelledError, InstallControl, InstallProgress
from app.library.models.store import ModelStore
from tests.support.model_hub import ModelHub, joe_files, write_whisper_base_folder

JOE = find("piper-en_US-joe-medium")
FAST_RETRY = RetryPolicy(attempts=3, first_wait_s=0.05, max_wait_s=0.1)


@pytest.fixture(scope="module")
def hub() -> Iterator[ModelHub]:
    with ModelHub() as server:
        server.add_test_models()
        yield server


@pytest.fixture
def store(tmp_path: Path, hub: ModelHub) -> Iterator[ModelStore]:
    hub.faults.cut_after.clear()
    hub.faults.corrupt_at.clear()
    hub.faults.redirect_lfs = False
    hub.faults.pace_s_per_mib = 0.0
    hub.faults.no_digests = False
    hub.faults.stall_after.clear()
    hub.faults.busy_answers.clear()
    hub.requests.clear()
    yield ModelStore(tmp_path / "models")


def _nothing_half_installed(store: ModelStore, entry: ModelEntry) -> None:
    assert store.get(entry.name) is None
    assert not (store.root / entry.name).exists()
    staging = store.root / ".staging"
    assert not staging.exists() or not any(staging.iterdir())


def test_download_installs_the_verified_voice(hub: ModelHub, store: ModelStore) -> None:
    hub.faults.pace_s_per_mib = 0.02  # long enough for progress reports with a speed
    seen: list[InstallProgress] = []
    model = install_from_hub(JOE, store, hub=hub.url, progress=seen.append)
    assert store.get(JOE.name) is not None and model.is_complete()
    for file in JOE.files:
        assert sha256_of(model.file(file.name)) == file.sha256
    assert seen[-1].stage == "done" and seen[-1].done_bytes == JOE.size
    assert any(p.stage == "downloading" and p.speed_bps > 0 for p in seen)
    assert not (store.downloads_dir / JOE.name).exists()  # no leftovers


def test_a_cut_connection_resumes_with_a_range(hub: ModelHub, store: ModelStore) -> None:
    onnx = JOE.files[0].name
    hub.faults.cut_after[onnx] = 20_000_000
    install_from_hub(JOE, store, hub=hub.url, retry=FAST_RETRY)
    ranges = [r for path, r in hub.requests if path.endswith(onnx)]
    assert ranges[0] == "" and ranges[1].startswith("bytes=")
    assert 0 < int(ranges[1][6:-1]) <= 20_000_000
    assert sha256_of(store.root / JOE.name / onnx) == JOE.files[0].sha256


def test_a_corrupted_byte_is_refused(hub: ModelHub, store: ModelStore) -> None:
    hub.faults.corrupt_at[JOE.files[0].name] = 12_345_678
    with pytest.raises(ChecksumError, match="damaged"):
        install_from_hub(JOE, store, hub=hub.url, retry=FAST_RETRY)
    _nothing_half_installed(store, JOE)
    assert not (store.parts_dir(JOE) / (JOE.files[0].name + ".part")).exists()


def test_the_hubs_published_digests_are_checked_when_the_catalogue_has_none(
        hub: ModelHub, store: ModelStore) -> None:
    # Same files, no SHA-256 in the catalogue: the LFS file is checked against
    # X-Linked-Etag (SHA-256), the small JSON against the ETag (git blob SHA-1).
    unpinned = dataclasses.replace(
        JOE, name="piper-en_US-lessac-medium",
        files=tuple(ModelFile(f.path, f.size) for f in JOE.files))
    model = install_from_hub(unpinned, store, hub=hub.url)
    assert [f["verified_against"] for f in model.manifest["files"]] == ["sha256", "git-sha1"]
    store.remove(unpinned.name)
    hub.faults.corrupt_at[JOE.files[1].name] = 100
    with pytest.raises(ChecksumError):
        install_from_hub(unpinned, store, hub=hub.url)
    _nothing_half_installed(store, unpinned)


def test_large_files_redirected_to_a_cdn_are_checked_against_the_hubs_digest(
        hub: ModelHub, store: ModelStore) -> None:
    hub.faults.redirect_lfs = True
    unpinned = dataclasses.replace(
        JOE, name="piper-en_US-lessac-medium",
        files=tuple(ModelFile(f.path, f.size) for f in JOE.files))
    model = install_from_hub(unpinned, store, hub=hub.url)
    assert model.manifest["files"][0]["verified_against"] == "sha256"
    assert any(path.startswith("/cdn/") for path, _ in hub.requests)
    store.remove(unpinned.name)
    hub.faults.corrupt_at[JOE.files[0].name] = 1_000_000
    with pytest.raises(ChecksumError):
        install_from_hub(unpinned, store, hub=hub.url)
    _nothing_half_installed(store, unpinned)


def test_an_unreachable_hub_says_what_to_do(store: ModelStore) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with pytest.raises(HubError, match="Could not reach the model hub") as info:
        install_from_hub(JOE, store, hub=dead, retry=FAST_RETRY)
    assert "install from a folder" in str(info.value)
    _nothing_half_installed(store, JOE)


def test_pause_then_resume_then_finish(hub: ModelHub, store: ModelStore) -> None:
    hub.faults.pace_s_per_mib = 0.02  # slow enough to pause in the middle
    control = InstallControl()
    paused = threading.Event()

    def on_progress(p: InstallProgress) -> None:
        if p.stage == "downloading" and p.done_bytes > 5_000_000 and not control.paused \
                and not paused.is_set():
            control.pause()
        if p.stage == "paused":
            paused.set()

    result: dict[str, object] = {}
    worker = threading.Thread(target=lambda: result.setdefault(
        "model", install_from_hub(JOE, store, hub=hub.url, progress=on_progress,
                                  control=control)))
    worker.start()
    assert paused.wait(60)
    assert store.get(JOE.name) is None  # paused: nothing installed yet
    control.resume()
    worker.join(120)
    assert store.get(JOE.name) is not None
    assert any(r.startswith("bytes=") for _, r in hub.requests)


def test_cancel_leaves_nothing(hub: ModelHub, store: ModelStore) -> None:
    control = InstallControl()

    def on_progress(p: InstallProgress) -> None:
        if p.done_bytes > 3_000_000:
            control.cancel()

    with pytest.raises(InstallCancelledError):
        install_from_hub(JOE, store, hub=hub.url, progress=on_progress, control=control)
    _nothing_half_installed(store, JOE)
    assert not (store.downloads_dir / JOE.name).exists()


def test_a_busy_hub_is_waited_for_as_its_retry_after_says_within_a_cap(
        hub: ModelHub, store: ModelStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """429 "Retry-After: 1" then 503 "Retry-After: 3600": the first wait is the hub's
    second (not the policy's 0.05 s), the second is capped (not an hour); then it installs."""
    from app.library.models import download

    waits: list[float] = []
    real_sleep = download._Fetch._sleep

    def sleep(fetch: download._Fetch, seconds: float) -> None:
        waits.append(seconds)
        real_sleep(fetch, seconds)

    monkeypatch.setattr(download._Fetch, "_sleep", sleep)
    hub.faults.busy_answers[:] = [(429, "1"), (503, "3600")]
    policy = dataclasses.replace(FAST_RETRY, max_retry_after_s=1.5)
    install_from_hub(JOE, store, hub=hub.url, retry=policy)
    assert waits == [1.0, 1.5], waits
    assert store.get(JOE.name) is not None


@pytest.mark.parametrize(("retry_after", "waited"), [
    (format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True), 1.5),  # capped
    ("Thu, 01 Jan 2015 00:00:00 GMT", 0.05),  # gone by: the policy's own backoff
    ("in a while", 0.05),  # garbage: the same
], ids=["an hour ahead", "gone by", "garbage"])
def test_a_busy_hubs_retry_after_date_is_obeyed_within_the_cap(
        hub: ModelHub, store: ModelStore, monkeypatch: pytest.MonkeyPatch,
        retry_after: str, waited: float) -> None:
    """503 with Retry-After as an HTTP-date (RFC 9110 allows it besides seconds)."""
    from app.library.models import download

    waits: list[float] = []
    real_sleep = download._Fetch._sleep

    def sleep(fetch: download._Fetch, seconds: float) -> None:
        waits.append(seconds)
        real_sleep(fetch, seconds)

    monkeypatch.setattr(download._Fetch, "_sleep", sleep)
    hub.faults.busy_answers[:] = [(503, retry_after)]
    policy = dataclasses.replace(FAST_RETRY, max_retry_after_s=1.5)
    install_from_hub(JOE, store, hub=hub.url, retry=policy)
    assert waits == [waited], waits
    assert store.get(JOE.name) is not None


@pytest.mark.parametrize("stall_at", [0, 1 << 20])
def test_cancel_during_a_stalled_download_stops_at_once(
        hub: ModelHub, store: ModelStore, stall_at: int) -> None:
    """The hub stops sending (before the headers, or mid-file) and holds the connection:
    Cancel ends the install at once, not at the 60 s read timeout, and leaves nothing."""
    onnx = "en_US-joe-medium.onnx"
    hub.faults.stall_after[onnx] = stall_at
    control = InstallControl()
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            install_from_hub(JOE, store, hub=hub.url, control=control, retry=FAST_RETRY,
                             timeout_s=60.0)
        except BaseException as exc:
            outcome.append(exc)

    stalls = hub.stalls_begun
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    deadline = threading.Event()
    for _ in range(200):  # the hub holds the file's answer (mid-file: its bytes sent)
        if hub.stalls_begun > stalls:
            break
        deadline.wait(0.05)
    deadline.wait(0.3)  # the read is now blocked on the stalled server
    control.cancel()
    worker.join(timeout=20)  # generous, yet well short of the 60 s read timeout
    assert not worker.is_alive(), "Cancel waited for the stalled server"
    assert len(outcome) == 1 and isinstance(outcome[0], InstallCancelledError), outcome
    assert not (store.downloads_dir / JOE.name).exists()
    _nothing_half_installed(store, JOE)


def test_install_whisper_from_a_folder(tmp_path: Path, store: ModelStore) -> None:
    folder = write_whisper_base_folder(tmp_path / "usb-stick")
    model = install_from_folder(find("whisper-base"), folder, store)
    assert model.is_complete() and store.installed("whisper")[0].name == "whisper-base"
    assert (folder / "model.bin").is_file()  # the user's folder is left as it was


def test_a_folder_missing_a_file_is_refused(tmp_path: Path, store: ModelStore) -> None:
    folder = tmp_path / "voice"
    folder.mkdir()
    onnx = joe_files()[JOE.files[0].name]
    (folder / onnx.name).symlink_to(onnx)
    with pytest.raises(MissingFileError, match=r"missing en_US-joe-medium\.onnx\.json"):
        install_from_folder(JOE, folder, store)
    _nothing_half_installed(store, JOE)


def test_a_folder_with_a_wrong_file_is_refused(tmp_path: Path, store: ModelStore) -> None:
    folder = tmp_path / "voice"
    folder.mkdir()
    for name, path in joe_files().items():
        (folder / name).write_bytes(path.read_bytes()[:1000] if name.endswith("json")
                                    else b"")
    with pytest.raises(ChecksumError):
        install_from_folder(JOE, folder, store)
    _nothing_half_installed(store, JOE)


def test_not_enough_space_is_said_before_downloading(tmp_path: Path) -> None:
    with pytest.raises(NotEnoughSpaceError, match="Not enough disk space"):
        check_space(tmp_path, 1 << 60)


def test_remove(tmp_path: Path, store: ModelStore) -> None:
    folder = tmp_path / "voice"
    folder.mkdir()
    for name, path in joe_files().items():
        (folder / name).symlink_to(path)
    install_from_folder(JOE, folder, store)
    assert store.remove(JOE.name)
    assert store.get(JOE.name) is None and not store.remove(JOE.name)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 120 MB file system (tmpfs), where a download can run out of space."""
    import subprocess

    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=120m", "tmpfs",
                           str(mount_point)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip("mounting a small file system needs root here")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_a_disk_filling_up_mid_download(hub: ModelHub, small_disk: Path) -> None:
    store = ModelStore(small_disk / "models")
    filler = small_disk / "someone-elses-big-file"

    def fill_the_disk(p: InstallProgress) -> None:
        if p.done_bytes > 5_000_000 and not filler.exists():
            # Another program takes the rest of the space.
            with filler.open("wb") as f, contextlib.suppress(OSError):
                while True:
                    f.write(b"\0" * (1 << 20))

    with pytest.raises(NotEnoughSpaceError, match="disk filled up"):
        install_from_hub(JOE, store, hub=hub.url, progress=fill_the_disk)
    _nothing_half_installed(store, JOE)
    filler.unlink()  # space freed: the same install continues where it stopped
    hub.requests.clear()
    install_from_hub(JOE, store, hub=hub.url)
    assert store.get(JOE.name) is not None
    assert hub.requests[0][1].startswith("bytes=")


def test_a_folder_with_another_models_files_is_refused(
        tmp_path: Path, store: ModelStore) -> None:
    # Whisper base's files offered as whisper-tiny: tiny's vocabulary.txt is missing, and
    # were it there, its pinned checksum would not match.
    folder = write_whisper_base_folder(tmp_path / "tiny")
    with pytest.raises(MissingFileError, match=r"missing vocabulary\.txt"):
        install_from_folder(find("whisper-tiny"), folder, store)
    (folder / "vocabulary.txt").write_bytes((folder / "vocabulary.json").read_bytes())
    with pytest.raises(ChecksumError):
        install_from_folder(find("whisper-tiny"), folder, store)
    _nothing_half_installed(store, find("whisper-tiny"))


def test_two_installs_of_the_same_model_at_once_leave_one_whole_model(
        hub: ModelHub, store: ModelStore) -> None:
    # Two windows (or a window and `xi-studio models install`) installing the same voice:
    # they would write the same `.part` files. The second is refused in plain words.
    hub.faults.pace_s_per_mib = 0.05  # the first is still downloading when the second asks
    started = threading.Event()
    outcome: list[object] = []

    def first() -> None:
        try:
            outcome.append(install_from_hub(
                JOE, store, hub=hub.url,
                progress=lambda p: started.set() if p.done_bytes > 1_000_000 else None))
        except Exception as exc:  # reported by the assertions below
            outcome.append(exc)
        started.set()

    thread = threading.Thread(target=first)
    thread.start()
    assert started.wait(120)
    with pytest.raises(ModelInstallError, match="already being installed") as info:
        install_from_hub(JOE, store, hub=hub.url)
    assert JOE.title in str(info.value) and "Wait for that install" in str(info.value)
    thread.join(300)
    assert not isinstance(outcome[0], Exception), outcome
    model = store.get(JOE.name)
    assert model is not None and model.is_complete()
    for file in JOE.files:
        assert sha256_of(model.file(file.name)) == file.sha256
    # Once the first is done, the lock is free again: a later install runs.
    hub.faults.pace_s_per_mib = 0.0
    assert install_from_hub(JOE, store, hub=hub.url).is_complete()


def test_a_models_folder_that_cannot_be_written_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "voice"
    folder.mkdir()
    for name, path in joe_files().items():
        (folder / name).symlink_to(path)
    blocked = tmp_path / "models"
    blocked.write_text("a file where the models folder should be")
    with pytest.raises(ModelInstallError) as info:
        install_from_folder(JOE, folder, ModelStore(blocked))
    message = str(info.value)
    assert message.startswith(f"{JOE.title} could not be installed")
    assert "can be written" in message and "Nothing was installed" in message
    assert "Errno" not in message


def test_a_folder_holding_a_damaged_file_says_to_copy_it_again(
        tmp_path: Path, store: ModelStore) -> None:
    folder = tmp_path / "voice"
    folder.mkdir()
    onnx, config = (joe_files()[f.name] for f in JOE.files)
    data = bytearray(onnx.read_bytes())
    data[1000:1010] = b"\xff" * 10  # same size, a few bytes damaged
    (folder / onnx.name).write_bytes(bytes(data))
    (folder / config.name).symlink_to(config)
    with pytest.raises(ChecksumError) as info:
        install_from_folder(JOE, folder, store)
    assert str(folder / onnx.name) in str(info.value)
    assert "Copy it again" in str(info.value)
    _nothing_half_installed(store, JOE)


def _install_joe(tmp_path: Path, store: ModelStore) -> Path:
    folder = tmp_path / "voice"
    folder.mkdir(exist_ok=True)
    for name, path in joe_files().items():
        if not (folder / name).exists():
            (folder / name).symlink_to(path)
    return install_from_folder(JOE, folder, store).folder  # copies: real files


@pytest.mark.parametrize("damage", [
    b'{"name": "piper-en_US-joe-medium", "fi',  # cut short
    b"[1, 2, 3]",  # another shape
    b'{"files": 5}',
    b'{"files": [5, "en_US-joe-medium.onnx"]}',
    b'{"files": [{"name": "../../elsewhere", "size": 1}]}',
    b'{"files": [{"name": "en_US-joe-medium.onnx", "size": "big"}]}',
    b"[" * 100_000 + b"]" * 100_000,  # nested absurdly deep
    '{"files": []}'.encode("utf-16"),  # another encoding
], ids=["truncated", "list", "files-int", "files-not-records", "path-outside",
        "size-not-int", "deep", "utf16"])
def test_a_damaged_manifest_is_not_an_installed_model(
        tmp_path: Path, store: ModelStore, damage: bytes) -> None:
    from app.engine.piper_voices import installed_piper_voices

    folder = _install_joe(tmp_path, store)
    (folder / "xi-model.json").write_bytes(damage)
    # Every listing still works (one damaged model must not break the engine's voice
    # list), the model is not used, and it is named as damaged so it can be put right.
    assert store.get(JOE.name) is None and store.installed() == []
    assert installed_piper_voices(store) == []
    assert "xi-model.json" in (store.damaged(JOE.name) or "")
    assert store.remove(JOE.name) and store.damaged(JOE.name) is None


def test_a_speed_of_nan_in_the_manifest_is_no_speed(tmp_path: Path, store: ModelStore) -> None:
    import json

    folder = _install_joe(tmp_path, store)
    manifest = json.loads((folder / "xi-model.json").read_text())
    for value in ("NaN", "Infinity", "-1"):
        text = json.dumps(manifest)[:-1] + f', "speed_x_realtime": {value}}}'
        (folder / "xi-model.json").write_text(text)
        model = store.get(JOE.name)
        assert model is not None and model.speed_x_realtime is None, value


@pytest.mark.parametrize("damage", ["truncated", "empty", "folder", "gone"])
def test_a_model_file_damaged_after_install_is_named_not_used(
        tmp_path: Path, store: ModelStore, damage: str) -> None:
    from app.engine.piper_voices import installed_piper_voices

    folder = _install_joe(tmp_path, store)
    onnx = folder / JOE.files[0].name
    if damage == "truncated":
        with onnx.open("r+b") as f:
            f.truncate(onnx.stat().st_size // 3)
    elif damage == "empty":
        onnx.write_bytes(b"")
    elif damage == "folder":
        onnx.unlink()
        onnx.mkdir()
    else:
        onnx.unlink()
    problem = store.damaged(JOE.name)
    assert problem is not None and onnx.name in problem
    assert installed_piper_voices(store) == []
    _install_joe(tmp_path, store)  # installing again puts it right
    assert store.damaged(JOE.name) is None and len(installed_piper_voices(store)) == 1


def test_removing_a_model_another_window_is_installing_is_refused(
        hub: ModelHub, store: ModelStore) -> None:
    hub.faults.pace_s_per_mib = 0.05
    started = threading.Event()
    outcome: list[object] = []

    def window() -> None:
        try:
            outcome.append(install_from_hub(
                JOE, store, hub=hub.url,
                progress=lambda p: started.set() if p.done_bytes > 1_000_000 else None))
        except Exception as exc:  # checked below
            outcome.append(exc)
        started.set()

    thread = threading.Thread(target=window)
    thread.start()
    assert started.wait(120)
    with pytest.raises(ModelInstallError, match="cannot be removed now"):
        store.remove(JOE.name)
    thread.join(300)
    assert not isinstance(outcome[0], Exception), outcome
    assert store.get(JOE.name) is not None and store.damaged(JOE.name) is None
    assert store.remove(JOE.name) and store.get(JOE.name) is None


@pytest.mark.parametrize("stall_at", [0, 1 << 20])
def test_pause_during_a_stalled_download_acts_at_once_and_resume_continues(
        hub: ModelHub, store: ModelStore, stall_at: int) -> None:
    """The hub stops sending and holds the connection: Pause takes effect at once (not at
    the 60 s read timeout), keeps what came, and Resume asks for the rest with a Range."""
    onnx = "en_US-joe-medium.onnx"
    hub.faults.stall_after[onnx] = stall_at
    control = InstallControl()
    paused = threading.Event()
    outcome: list[object] = []

    def on_progress(p: InstallProgress) -> None:
        if p.stage == "paused":
            paused.set()

    def run() -> None:
        try:
            outcome.append(install_from_hub(JOE, store, hub=hub.url, control=control,
                                            progress=on_progress, retry=FAST_RETRY,
                                            timeout_s=60.0))
        except BaseException as exc:
            outcome.append(exc)

    stalls = hub.stalls_begun
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    part = store.parts_dir(JOE) / (onnx + ".part")
    wait = threading.Event()
    for _ in range(200):  # the hub holds the file's answer (mid-file: its bytes sent)
        if hub.stalls_begun > stalls:
            break
        wait.wait(0.05)
    wait.wait(0.3)  # the read is now blocked on the stalled server
    requests_before = len(hub.requests)
    control.pause()
    # Generous, yet well short of the 60 s read timeout it used to wait for.
    assert paused.wait(20), "Pause waited for the stalled server"
    assert part.exists() or stall_at == 0
    kept = part.stat().st_size if part.exists() else 0
    assert kept >= stall_at  # what came before the stall is kept
    assert len(hub.requests) == requests_before  # paused: no new request meanwhile
    assert store.get(JOE.name) is None
    control.resume()
    worker.join(timeout=120)
    assert not worker.is_alive()
    assert len(outcome) == 1 and not isinstance(outcome[0], BaseException), outcome
    assert store.get(JOE.name) is not None and store.get(JOE.name).is_complete()
    resumed = [r for path, r in hub.requests[requests_before:] if path.endswith(onnx)]
    if stall_at:
        assert resumed == [f"bytes={kept}-"], resumed
    else:
        assert resumed == [""], resumed


def _flip_a_byte(path: Path, offset: int) -> None:
    """Damage that keeps the file's size: one byte changed in place."""
    with path.open("r+b") as f:
        f.seek(offset)
        byte = f.read(1)
        f.seek(offset)
        f.write(bytes([byte[0] ^ 0xFF]))


def test_check_files_finds_a_byte_flipped_in_place(hub: ModelHub, store: ModelStore) -> None:
    """The size check of every listing cannot see it; "Check files" does, records it (the
    model shows damaged, the engine leaves it), and installing again mends it."""
    installed = install_from_hub(JOE, store, hub=hub.url)
    assert all(len(f["sha256"]) == 64 for f in installed.manifest["files"])
    onnx = installed.file("en_US-joe-medium.onnx")
    _flip_a_byte(onnx, onnx.stat().st_size // 2)
    assert store.damaged(JOE.name) is None  # same size: invisible to the cheap check
    seen: list[InstallProgress] = []
    result = check_model(store.get(JOE.name), store, progress=seen.append)
    assert result.damage is not None and "en_US-joe-medium.onnx" in result.damage
    assert "Install it again" in result.describe(JOE.title)
    assert seen and all(p.stage == "checking" for p in seen)
    assert "en_US-joe-medium.onnx" in (store.damaged(JOE.name) or "")
    assert not store.get(JOE.name).is_complete()  # the engine no longer offers it
    install_from_hub(JOE, store, hub=hub.url)
    assert store.damaged(JOE.name) is None
    assert check_model(store.get(JOE.name), store) == CheckResult(None, sizes_only=False)


def test_check_files_of_a_whole_model_reads_every_byte(tmp_path: Path, store: ModelStore) -> None:
    folder = tmp_path / "stick"
    folder.mkdir()
    for name, path in joe_files().items():
        (folder / name).symlink_to(path)
    model = install_from_folder(JOE, folder, store)
    seen: list[InstallProgress] = []
    result = check_model(model, store, progress=seen.append)
    assert result == CheckResult(None, sizes_only=False)
    assert "whole" in result.describe(JOE.title)
    assert seen[-1].done_bytes == seen[-1].total_bytes == model.size


def test_check_files_of_an_old_record_without_checksums_compares_sizes(
        tmp_path: Path, store: ModelStore) -> None:
    import json

    folder = tmp_path / "stick"
    folder.mkdir()
    for name, path in joe_files().items():
        (folder / name).symlink_to(path)
    model = install_from_folder(JOE, folder, store)
    record = json.loads((model.folder / "xi-model.json").read_text())
    for f in record["files"]:
        del f["sha256"]
    (model.folder / "xi-model.json").write_text(json.dumps(record))
    _flip_a_byte(model.file("en_US-joe-medium.onnx"), 1000)  # cannot be seen now
    result = check_model(store.get(JOE.name), store)
    assert result == CheckResult(None, sizes_only=True)
    assert "could only compare sizes" in result.describe(JOE.title)
    assert store.damaged(JOE.name) is None


def test_cancelling_check_files_changes_nothing(tmp_path: Path, store: ModelStore) -> None:
    folder = tmp_path / "stick"
    folder.mkdir()
    for name, path in joe_files().items():
        (folder / name).symlink_to(path)
    model = install_from_folder(JOE, folder, store)
    record = (model.folder / "xi-model.json").read_bytes()
    _flip_a_byte(model.file("en_US-joe-medium.onnx"), model.size // 2)
    control = InstallControl()
    seen: list[InstallProgress] = []

    def on_progress(p: InstallProgress) -> None:
        seen.append(p)
        if p.done_bytes > 3_000_000:
            control.cancel()

    with pytest.raises(InstallCancelledError):
        check_model(model, store, progress=on_progress, control=control)
    assert seen[-1].done_bytes < model.size  # stopped, not read to the end
    assert (model.folder / "xi-model.json").read_bytes() == record
