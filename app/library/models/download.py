"""Download a catalogue model from the Hugging Face hub (or a mirror) and install it.

Plain httpx rather than huggingface_hub: the hub client resumes and takes a custom
endpoint, but it cannot pause, be cancelled between chunks or report speed to a caller
other than through tqdm, and it writes into its own cache layout. This module needs all
of that, in ~200 lines.

Each file goes to `<models>/.downloads/<name>/<revision>/<file>.part`, resumed with an
HTTP `Range` after a cut, a pause or a restart of the app. When every file is complete
and verified, they move into a staging folder that is renamed into place (store.publish).
"""

from __future__ import annotations

import errno
import functools
import hashlib
import os
import queue
import shutil
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from app.library.models.abortable import AbortableTransport
from app.library.models.catalogue import ModelEntry, ModelFile
from app.library.models.checks import (
    ChecksumError,
    HubError,
    NotEnoughSpaceError,
    UnverifiableError,
    check_space,
    hub_digest,
    sha256_of,
    verify_file,
)
from app.library.models.progress import (
    InstallControl,
    InstallProgress,
    ProgressCallback,
    SpeedMeter,
)
from app.library.models.retry_after import retry_after_seconds
from app.library.models.store import InstalledModel, ModelStore, unwritable_error

HUB_ENV = "XI_STUDIO_MODEL_HUB"
DEFAULT_HUB = "https://huggingface.co"
_HASH_BATCH = 1 << 20  # bytes handed to the hashing thread at a time
_REPORT_EVERY_S = 0.1


@functools.cache
def ssl_context() -> ssl.SSLContext:
    """One TLS context for every hub request of the process. httpx builds a new one (and
    reads the CA bundle again) for each Client: 60-130 ms on this 2-core machine under
    load, a fifth of a 150 MB download from a fast mirror."""
    return httpx.create_ssl_context()


def hub_url() -> str:
    return (os.environ.get(HUB_ENV) or DEFAULT_HUB).rstrip("/")


def file_url(hub: str, entry: ModelEntry, file: ModelFile) -> str:
    return f"{hub}/{entry.repo}/resolve/{entry.revision}/{file.path}"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 6  # tries in a row without any progress
    first_wait_s: float = 0.5
    max_wait_s: float = 8.0

    # A hub that asks for a longer pause (429/503 with Retry-After) is obeyed up to this:
    # an hour's "come back later" is not waited out with the install window open.
    max_retry_after_s: float = 60.0

    def wait_s(self, failures: int, retry_after_s: float | None = None) -> float:
        backoff = min(self.max_wait_s, self.first_wait_s * 2 ** max(0, failures - 1))
        if retry_after_s is None:
            return backoff
        return max(backoff, min(retry_after_s, self.max_retry_after_s))


class _Fetch:
    """The state of one model's download (byte counts shared across its files)."""

    def __init__(self, entry: ModelEntry, store: ModelStore, hub: str,
                 progress: ProgressCallback | None, control: InstallControl,
                 retry: RetryPolicy, client: httpx.Client) -> None:
        self.entry, self.store, self.hub = entry, store, hub
        self.progress, self.control, self.retry, self.client = progress, control, retry, client
        self.total = entry.size
        self.done = 0
        self.meter = SpeedMeter()
        self._last_report = 0.0
        # SHA-256 of the current `.part` as it grows, so no second read is needed at the
        # end; (hash, bytes hashed), rebuilt from the file when a resume starts elsewhere.
        self._hash: tuple[_BackgroundHash, int] | None = None

    def _hash_for(self, part: Path, have: int) -> _BackgroundHash:
        if self._hash is None or self._hash[1] != have:
            if self._hash is not None:
                self._hash[0].hexdigest()  # stops its thread
            digest = hashlib.sha256()
            if have:
                sha256_of(part, digest)
            self._hash = (_BackgroundHash(digest), have)
        return self._hash[0]

    def stop_hashing(self) -> None:
        if self._hash is not None:
            self._hash[0].hexdigest()  # ends its thread
            self._hash = None

    def report(self, stage: str, file: str = "", force: bool = False) -> None:
        now = time.monotonic()
        if self.progress is None or (not force and now - self._last_report < _REPORT_EVERY_S):
            return
        self._last_report = now
        speed = self.meter.add(self.done) if stage == "downloading" else 0.0
        self.progress(InstallProgress(self.entry.name, stage, self.done, self.total, speed,
                                      file))

    def fetch_file(self, file: ModelFile, part: Path) -> tuple[str, tuple[str, str] | None]:
        """Download (resuming) one file; returns (sha256, the hub's digest)."""
        url = file_url(self.hub, self.entry, file)
        failures = 0
        while True:
            self.control.check()
            if self.control.paused:
                self.report("paused", file.name, force=True)
                self.control.wait_while_paused()
                self.meter.reset()
            have = part.stat().st_size if part.exists() else 0
            pauses = self.control.pauses
            try:
                result = self._attempt(url, file, part, have)
            except (httpx.TransportError, _RetryableError) as exc:
                self.control.check()  # cancelled: the cut connection is no failure
                if self.control.pauses != pauses:
                    continue  # cut by Pause: no failure; waits above, then resumes
                moved = (part.stat().st_size if part.exists() else 0) > have
                failures = 1 if moved else failures + 1
                if failures >= self.retry.attempts:
                    raise HubError(_unreachable_message(self.hub, exc)) from exc
                self._sleep(self.retry.wait_s(failures, getattr(exc, "retry_after_s", None)))
                continue
            if result is not None:
                return result

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.control.check()
            if self.control.paused:  # Pause acts now; the retry waits for Resume
                return
            time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))

    def _attempt(self, url: str, file: ModelFile, part: Path,
                 have: int) -> tuple[str, tuple[str, str] | None] | None:
        headers = {"Range": f"bytes={have}-"} if have else {}
        with self.client.stream("GET", url, headers=headers) as response:
            if response.status_code == 416 and have:  # the part is already complete
                return self._finish(file, part, _hub_headers(response))
            if response.status_code in (408, 429) or response.status_code >= 500:
                raise _RetryableError(f"the hub answered {response.status_code}",
                                      _retry_after_s(response))
            if response.status_code not in (200, 206):
                raise HubError(
                    f"The model hub refused {file.name} ({response.status_code}) at {url}. "
                    "The model may have moved; try a newer XI Studio or install from a folder.")
            resumed = response.status_code == 206
            if not resumed:
                self.done -= have  # the server sent the whole file again
                have = 0
            hub_headers = _hub_headers(response)
            if file.sha256 is None and hub_digest(hub_headers) is None:
                # Refused before a byte is kept: nothing could check the file afterwards.
                part.unlink(missing_ok=True)
                raise UnverifiableError(
                    f"The file {file.name} has no published checksum (neither XI Studio's "
                    "catalogue nor the model hub gives one), so it cannot be checked and was "
                    "not downloaded. Try again later (a mirror may leave checksums out: set "
                    "XI_STUDIO_MODEL_HUB to another one), or use a newer XI Studio.")
            digest = self._hash_for(part, have)
            written = have
            try:  # a full disk may show at a write or at the last flush, on closing
                with part.open("ab" if resumed else "wb") as out:
                    for block in self._blocks(response):
                        out.write(block)
                        digest.update(block)
                        written += len(block)
                        self._hash = (digest, written)
                        self.done += len(block)
                        self.report("downloading", file.name)
                        if self.control.paused or self.control.cancelled:
                            return None  # reconnects with a Range after the pause
            except OSError as exc:
                if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
                    raise NotEnoughSpaceError(
                        f"The disk filled up while downloading {file.name}. Nothing "
                        "was installed; free some space and press Install again "
                        "(the download continues where it stopped).") from exc
                raise
            # The file's last chunk reported too, so a download quicker than the report
            # interval still shows how fast it went.
            self.report("downloading", file.name, force=True)
            expected_size = _expected_length(response, have)
            if expected_size is not None and part.stat().st_size < expected_size:
                raise _RetryableError("the connection closed before the end of the file")
            return self._finish(file, part, hub_headers)

    def _blocks(self, response: httpx.Response) -> Iterator[bytes]:
        # The connection's own pieces (64 KB), not re-cut to a fixed size: httpx's
        # re-chunking copies every byte through a BytesIO, a quarter of the client's CPU
        # time on a fast local mirror (profiled).
        yield from response.iter_raw()

    def _finish(self, file: ModelFile, part: Path,
                headers: dict[str, str]) -> tuple[str, tuple[str, str] | None]:
        self.report("verifying", file.name, force=True)
        digest = hub_digest({k.lower(): v for k, v in headers.items()})
        size = part.stat().st_size
        known = None
        if self._hash is not None:
            computed = self._hash[0].hexdigest()
            known = computed if self._hash[1] == size else None
        self._hash = None
        try:
            sha = verify_file(part, f"The downloaded file {file.name}", sha256=file.sha256,
                              hub=digest, actual_sha256=known)
        except ChecksumError:
            self.done -= part.stat().st_size
            part.unlink(missing_ok=True)
            raise
        return sha, digest


class _RetryableError(Exception):
    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


def _retry_after_s(response: httpx.Response) -> float | None:
    """Seconds a `Retry-After` header asks for (either form); None without a usable one."""
    return retry_after_seconds(response.headers.get("retry-after"))


class _BackgroundHash:
    """SHA-256 computed in its own thread as blocks arrive (hashlib lets go of the GIL on
    large blocks), so hashing overlaps with receiving instead of adding to it. Blocks go
    to the thread in batches of about 1 MB: one hand-over per batch, not per 64 KB."""

    def __init__(self, digest: Any) -> None:
        self._digest = digest
        # <= 16 batches (~16 MB) behind
        self._blocks: queue.Queue[list[bytes] | None] = queue.Queue(maxsize=16)
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._thread = threading.Thread(target=self._run, name="model-hash", daemon=True)
        self._thread.start()
        self._result: str | None = None

    def _run(self) -> None:
        while (blocks := self._blocks.get()) is not None:
            for block in blocks:
                self._digest.update(block)

    def update(self, block: bytes) -> None:
        self._pending.append(block)
        self._pending_size += len(block)
        if self._pending_size >= _HASH_BATCH:
            self._blocks.put(self._pending)
            self._pending, self._pending_size = [], 0

    def hexdigest(self) -> str:
        """Waits for the blocks given so far; the hash takes no more after this."""
        if self._result is None:
            if self._pending:
                self._blocks.put(self._pending)
                self._pending, self._pending_size = [], 0
            self._blocks.put(None)
            self._thread.join()
            self._result = self._digest.hexdigest()
        return self._result


def _hub_headers(response: httpx.Response) -> dict[str, str]:
    """The hub's headers for the file. The hub answers a large (LFS) file with a redirect
    to a CDN: the digests (`X-Linked-Etag`, `ETag`) are on the hub's redirect, and the
    CDN's own `ETag` means something else, so the first answer's headers win."""
    headers: dict[str, str] = {}
    for answer in (*response.history, response):
        for key, value in answer.headers.items():
            headers.setdefault(key.lower(), value)
    return headers


def _expected_length(response: httpx.Response, have: int) -> int | None:
    length = response.headers.get("content-length")
    if length is None or response.headers.get("content-encoding"):
        return None
    return int(length) + (have if response.status_code == 206 else 0)


def _unreachable_message(hub: str, exc: Exception) -> str:
    return (f"Could not reach the model hub at {hub} ({exc or type(exc).__name__}). Check the "
            "internet connection and try again; the download resumes where it stopped. "
            "Without internet, install from a folder that holds the model's files.")


def install_from_hub(entry: ModelEntry, store: ModelStore, *, hub: str | None = None,
                     progress: ProgressCallback | None = None,
                     control: InstallControl | None = None,
                     retry: RetryPolicy | None = None,
                     timeout_s: float = 30.0) -> InstalledModel:
    """Download, verify and install `entry`. Blocking: call from a worker thread."""
    with store.installing(entry):  # refuses a second install of the same model at once
        try:
            return _download_and_install(entry, store, hub=hub, progress=progress,
                                         control=control, retry=retry, timeout_s=timeout_s)
        except OSError as exc:  # a models folder that cannot be written, a disk gone
            raise unwritable_error(entry, store.root, exc) from exc


def _download_and_install(entry: ModelEntry, store: ModelStore, *, hub: str | None,
                          progress: ProgressCallback | None,
                          control: InstallControl | None, retry: RetryPolicy | None,
                          timeout_s: float) -> InstalledModel:
    control = control or InstallControl()
    parts = store.parts_dir(entry)
    parts.mkdir(parents=True, exist_ok=True)
    already = sum((parts / (f.name + ".part")).stat().st_size
                  for f in entry.files if (parts / (f.name + ".part")).exists())
    check_space(store.root, max(0, entry.size - already))
    timeout = httpx.Timeout(timeout_s, connect=min(10.0, timeout_s))
    transport = AbortableTransport(ssl_context())
    # Cancel and Pause wake a read blocked on a stalled hub (else: up to the read timeout)
    control.on_cancel(transport.abort)
    control.on_pause(transport.abort)
    with httpx.Client(timeout=timeout, follow_redirects=True, verify=ssl_context(),
                      transport=transport) as client:
        fetch = _Fetch(entry, store, hub or hub_url(), progress, control,
                       retry or RetryPolicy(), client)
        fetch.done = already
        fetch.report("downloading", force=True)
        results: list[dict[str, Any]] = []
        try:
            for file in entry.files:
                part = parts / (file.name + ".part")
                sha, digest = fetch.fetch_file(file, part)
                results.append({"name": file.name, "path": file.path,
                                "size": part.stat().st_size, "sha256": sha,
                                "verified_against": "catalogue" if file.sha256 else
                                (digest[0] if digest else "none")})
        except BaseException:
            fetch.stop_hashing()
            if control.cancelled and not control.keep_partial:
                shutil.rmtree(store.downloads_dir / entry.name, ignore_errors=True)
            raise
    fetch.report("installing", force=True)
    staging = store.new_staging(entry)
    try:
        for file in entry.files:
            os.replace(parts / (file.name + ".part"), staging / file.name)
        model = store.publish(entry, staging, results, source=fetch.hub)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(store.downloads_dir / entry.name, ignore_errors=True)
    fetch.report("done", force=True)
    return model
