"""Integrity and space checks shared by the hub download and the folder install."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

from app.library.models.catalogue import human_size

_CHUNK = 1 << 20
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SHA1 = re.compile(r"^[0-9a-f]{40}$")
SPACE_MARGIN_BYTES = 50_000_000  # never fill the disk to the last byte


class ModelInstallError(Exception):
    """An install that could not finish; the message says what to do next."""


class ChecksumError(ModelInstallError):
    pass


class UnverifiableError(ChecksumError):
    """Neither the catalogue nor the hub publishes a checksum of the file."""


class NotEnoughSpaceError(ModelInstallError):
    pass


class MissingFileError(ModelInstallError):
    pass


class HubError(ModelInstallError):
    pass


def sha256_of(path: Path, start_hash: hashlib._Hash | None = None) -> str:
    digest = start_hash or hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def git_blob_sha1(path: Path) -> str:
    """The git object id of a file: what the hub's `ETag` is for a small (non-LFS) file."""
    digest = hashlib.sha1(f"blob {path.stat().st_size}\0".encode(), usedforsecurity=False)
    with path.open("rb") as f:
        while block := f.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def clean_etag(value: str | None) -> str:
    if not value:
        return ""
    value = value.strip()
    if value.startswith("W/"):
        value = value[2:]
    return value.strip('"').lower()


def hub_digest(headers: dict[str, str]) -> tuple[str, str] | None:
    """("sha256", hex) from `X-Linked-Etag` / `ETag`, ("git-sha1", hex), or None."""
    for key in ("x-linked-etag", "etag"):
        value = clean_etag(headers.get(key))
        if _SHA256.match(value):
            return "sha256", value
    value = clean_etag(headers.get("etag"))
    if _SHA1.match(value):
        return "git-sha1", value
    return None


def verify_file(path: Path, label: str, *, sha256: str | None,
                hub: tuple[str, str] | None, actual_sha256: str | None = None) -> str:
    """Check the file against the catalogue's SHA-256 (or the hub's digest when the
    catalogue has none). Returns the file's SHA-256; raises ChecksumError, or
    UnverifiableError when no checksum of the file is published at all."""
    expected = sha256 or (hub[1] if hub and hub[0] == "sha256" else None)
    if expected is None and (hub is None or hub[0] != "git-sha1"):
        raise UnverifiableError(
            f"{label} has no published checksum (neither XI Studio's catalogue nor the "
            "model hub gives one), so it cannot be checked and was not installed. Try "
            "again later (the hub may be a mirror that leaves checksums out: set "
            "XI_STUDIO_MODEL_HUB to another one), or use a newer XI Studio.")
    actual = actual_sha256 or sha256_of(path)
    if expected is not None:
        ok = actual == expected
    else:
        assert hub is not None
        ok = git_blob_sha1(path) == hub[1]
    if not ok:
        raise ChecksumError(
            f"{label} is damaged: its checksum does not match the published one. "
            "Nothing was installed; try again (the damaged copy was thrown away).")
    return actual


def check_space(folder: Path, needed_bytes: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(folder).free
    if free < needed_bytes + SPACE_MARGIN_BYTES:
        raise NotEnoughSpaceError(
            f"Not enough disk space: the model needs {human_size(needed_bytes)} and "
            f"{folder} has {human_size(free)} free. Free some space and try again.")
