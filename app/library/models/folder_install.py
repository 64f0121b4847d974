"""Install a catalogue model from a folder that holds its files (computers without internet).

The folder holds the files as the hub has them (Whisper: `model.bin`, `config.json`,
`tokenizer.json`, `vocabulary.*`; Piper: `*.onnx` and `*.onnx.json`), directly or in the
hub's sub-folders. The files are copied (never moved: the user's folder stays as it was)
into a staging folder, checked against the catalogue's SHA-256, and renamed into place.
Only fully pinned models (every file's SHA-256 in the catalogue) install this way.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path
from typing import Any

from app.library.models.catalogue import ModelEntry, ModelFile
from app.library.models.checks import (
    ChecksumError,
    MissingFileError,
    ModelInstallError,
    NotEnoughSpaceError,
    check_space,
    verify_file,
)
from app.library.models.progress import InstallControl, InstallProgress, ProgressCallback
from app.library.models.store import InstalledModel, ModelStore, unwritable_error

_CHUNK = 1 << 20


def _find(folder: Path, file: ModelFile) -> Path | None:
    for candidate in (folder / file.name, folder / file.path):
        if candidate.is_file():
            return candidate
    return None


def install_from_folder(entry: ModelEntry, folder: Path, store: ModelStore, *,
                        progress: ProgressCallback | None = None,
                        control: InstallControl | None = None) -> InstalledModel:
    """Copy, verify and install `entry` from `folder`. Blocking: call from a worker thread."""
    with store.installing(entry):  # refuses a second install of the same model at once
        try:
            return _copy_and_install(entry, folder, store, progress, control)
        except OSError as exc:  # a file that cannot be read, a folder that cannot be written
            raise unwritable_error(entry, store.root, exc) from exc


def _copy_and_install(entry: ModelEntry, folder: Path, store: ModelStore,
                      progress: ProgressCallback | None,
                      control: InstallControl | None) -> InstalledModel:
    control = control or InstallControl()
    if not entry.fully_pinned:
        # Without the hub there is nothing else to check a copied file against.
        raise ModelInstallError(
            f"{entry.title} cannot be installed from a folder: XI Studio does not know the "
            "published checksums of all its files, so a copy could not be checked. "
            "Download it from the model hub instead.")
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise MissingFileError(f"The folder {folder} does not exist. Choose the folder that "
                               f"holds the files of {entry.title}.")
    sources: list[tuple[ModelFile, Path]] = []
    missing = []
    for file in entry.files:
        found = _find(folder, file)
        if found is None:
            missing.append(file.name)
        else:
            sources.append((file, found))
    if missing:
        raise MissingFileError(
            f"The folder {folder} is missing {', '.join(missing)} for {entry.title}. "
            "Copy every file of the model into that folder (as the hub has them) and try "
            "again. Nothing was installed.")
    total = sum(src.stat().st_size for _, src in sources)
    check_space(store.root, total)
    staging = store.new_staging(entry)
    done = 0
    results: list[dict[str, Any]] = []
    try:
        for file, src in sources:
            target = staging / file.name
            with src.open("rb") as inp, target.open("wb") as out:
                while block := inp.read(_CHUNK):
                    control.check()
                    control.wait_while_paused()
                    try:
                        out.write(block)
                    except OSError as exc:
                        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
                            raise NotEnoughSpaceError(
                                f"The disk filled up while copying {file.name}. Nothing was "
                                "installed; free some space and try again.") from exc
                        raise
                    done += len(block)
                    if progress is not None:
                        progress(InstallProgress(entry.name, "copying", done, total, 0.0,
                                                 file.name))
            try:
                sha = verify_file(target, f"The file {src}", sha256=file.sha256, hub=None)
            except ChecksumError as exc:
                # The user's own copy is what is damaged: trying again alone cannot help.
                raise ChecksumError(
                    f"The file {src} is damaged, or is not {entry.title}'s {file.name}: its "
                    "checksum does not match the published one. Copy it again from the "
                    "model hub (or wherever it came from), then try again. Nothing was "
                    "installed.") from exc
            results.append({"name": file.name, "path": file.path,
                            "size": target.stat().st_size, "sha256": sha,
                            "verified_against": "catalogue"})
        model = store.publish(entry, staging, results, source=str(folder))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if progress is not None:
        progress(InstallProgress(entry.name, "done", total, total, 0.0))
    return model
