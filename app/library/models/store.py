"""The models folder: what is installed, installing atomically, removing.

Layout under the root (default: `<data>/models`, `XI_STUDIO_MODELS_DIR` overrides):

    <name>/                 an installed model: its files and `xi-model.json`
    .downloads/<name>/      `.part` files of an unfinished download (kept for resuming)
    .staging/<name>-<id>/   files being checked before install (never read by the engine)
    .trash/                 removed models on their way out

A model is installed by renaming a complete, verified staging folder to `<name>`: the
engine sees either the whole model or nothing. It only reads folders with a manifest.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.library.atomic import atomic_write_text
from app.library.file_locks import lock_exclusive
from app.library.models.catalogue import CATALOGUE, ModelEntry, find
from app.library.models.checks import ModelInstallError
from app.library.small_json import read_small_json

MANIFEST = "xi-model.json"
MANIFEST_LIMIT = 4 * 1024 * 1024  # a file list of a few KB; far past any real one
MODELS_DIR_ENV = "XI_STUDIO_MODELS_DIR"


class ModelBusyError(ModelInstallError):
    """Another install of the same model is running (this process or another)."""


def default_models_dir() -> Path:
    override = os.environ.get(MODELS_DIR_ENV)
    if override:
        return Path(override).expanduser()
    from app.library.paths import AppPaths

    return AppPaths.from_environment().data_dir / "models"


@dataclass(frozen=True, slots=True)
class InstalledModel:
    entry: ModelEntry
    folder: Path
    manifest: dict[str, Any]

    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def size(self) -> int:
        return sum(int(f.get("size", 0)) for f in self.manifest.get("files", []))

    @property
    def speed_x_realtime(self) -> float | None:
        value = self.manifest.get("speed_x_realtime")
        # A hand-edited manifest may hold NaN or Infinity (json reads both): no speed then.
        if isinstance(value, int | float) and math.isfinite(value) and value > 0:
            return float(value)
        return None

    def file(self, name: str) -> Path:
        return self.folder / name

    def damage(self) -> str | None:
        """What is wrong with the model's files on disk, in plain words; None when every
        file of the manifest is there at its recorded size. One `stat` per file (no
        hashing): cheap enough for every listing, and it catches a file deleted, cut
        short, emptied or replaced by a folder after the install. Damage of the contents
        is only known once "Check files" (file_check.py) found it and recorded it."""
        found = self.manifest.get("damaged")
        if isinstance(found, str) and found:
            return found
        for f in self.manifest["files"]:
            path = self.folder / f["name"]
            try:
                st = path.stat()
            except OSError:
                return f"{f['name']} is missing"
            if not path.is_file():
                return f"{f['name']} is not a file"
            if st.st_size != f["size"]:
                return f"{f['name']} is damaged (it is not the size it was installed at)"
        return None

    def is_complete(self) -> bool:
        """Every file of the manifest still there, whole (a model deleted or damaged by
        hand is not)."""
        return self.damage() is None


class ModelStore:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else default_models_dir()

    @property
    def downloads_dir(self) -> Path:
        return self.root / ".downloads"

    def parts_dir(self, entry: ModelEntry) -> Path:
        return self.downloads_dir / entry.name / entry.revision

    def new_staging(self, entry: ModelEntry) -> Path:
        folder = self.root / ".staging" / f"{entry.name}-{uuid.uuid4().hex[:8]}"
        folder.mkdir(parents=True)
        return folder

    def get(self, name: str) -> InstalledModel | None:
        try:
            entry = find(name)
        except LookupError:
            return None
        folder = self.root / entry.name
        manifest = _read_manifest(folder)
        return InstalledModel(entry, folder, manifest) if manifest is not None else None

    def damaged(self, name: str) -> str | None:
        """Why the model's folder is there but the model is not usable (its list of files
        unreadable, or a file missing or damaged), in plain words; None when it is whole
        or not installed at all."""
        entry = find(name)
        model = self.get(entry.name)
        if model is not None:
            return model.damage()
        if (self.root / entry.name).exists():
            return f"its list of files ({MANIFEST}) is missing or damaged"
        return None

    def installed(self, kind: str | None = None) -> list[InstalledModel]:
        found = []
        for entry in CATALOGUE:
            if kind is not None and entry.kind != kind:
                continue
            model = self.get(entry.name)
            if model is not None:
                found.append(model)
        return found

    def signature(self) -> tuple[int, ...]:
        """Changes whenever a model is installed or removed (cheap: one stat)."""
        try:
            st = self.root.stat()
        except OSError:
            return (0,)
        return (st.st_mtime_ns, st.st_ino)

    def publish(self, entry: ModelEntry, staging: Path, files: list[dict[str, Any]],
                source: str) -> InstalledModel:
        """Write the manifest into `staging` and rename it into place (replacing any
        older install of the same model in one step as far as the engine can see)."""
        manifest = {"name": entry.name, "kind": entry.kind, "repo": entry.repo,
                    "revision": entry.revision, "files": files, "source": source,
                    "installed_at": time.time()}
        atomic_write_text(staging / MANIFEST, json.dumps(manifest, indent=1))
        target = self.root / entry.name
        old = None
        if target.exists():
            old = self._trash_path(entry)
            os.replace(target, old)
        os.replace(staging, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return InstalledModel(entry, target, manifest)

    def record_speed(self, name: str, x_realtime: float) -> None:
        model = self.get(name)
        if model is None:
            return
        manifest = dict(model.manifest, speed_x_realtime=round(x_realtime, 1))
        atomic_write_text(model.folder / MANIFEST, json.dumps(manifest, indent=1))

    def mark_damaged(self, name: str, damage: str) -> None:
        """Record that a check found the model damaged: it shows (and is treated by the
        engine) as damaged until it is installed again, which writes a new record."""
        model = self.get(name)
        if model is None:
            return
        manifest = dict(model.manifest, damaged=damage)
        atomic_write_text(model.folder / MANIFEST, json.dumps(manifest, indent=1))

    def remove(self, name: str) -> bool:
        """Remove an installed model (and any unfinished download of it)."""
        entry = find(name)
        target = self.root / entry.name
        if not target.exists() and not (self.downloads_dir / entry.name).exists():
            return False
        try:
            with self.installing(entry):  # not from under an install running elsewhere
                return self._remove(entry, target)
        except ModelBusyError as exc:
            raise ModelBusyError(
                f"{entry.title} is being installed (in another window, or by `xi-studio "
                "models install`), so it cannot be removed now. Cancel that install or let "
                "it finish, then remove it.") from exc

    def _remove(self, entry: ModelEntry, target: Path) -> bool:
        shutil.rmtree(self.downloads_dir / entry.name, ignore_errors=True)
        if not target.exists():
            return False
        trash = self._trash_path(entry)
        os.replace(target, trash)  # gone for the engine at once, however big it is
        shutil.rmtree(trash, ignore_errors=True)
        return True

    @contextmanager
    def installing(self, entry: ModelEntry) -> Iterator[None]:
        """Held for the whole of one install of `entry`. Two installs of the same model at
        once (two windows, or a window and `xi-studio models install`) would write the
        same `.part` files and move them from under each other: the second is refused
        with a plain message instead. A lock file per model under `.locks/` (never
        deleted, so both always lock the same file), released by the kernel if the
        process dies. Windows: no lock (file_locks.py), as before."""
        locks = self.root / ".locks"
        try:
            locks.mkdir(parents=True, exist_ok=True)
            fd = os.open(locks / f"{entry.name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise unwritable_error(entry, self.root, exc) from exc
        try:
            try:
                lock_exclusive(fd)
            except OSError as exc:
                raise ModelBusyError(
                    f"{entry.title} is already being installed (in another window, or by "
                    "`xi-studio models install`). Wait for that install to finish; it will "
                    "then be ready here too.") from exc
            yield
        finally:
            os.close(fd)

    def _trash_path(self, entry: ModelEntry) -> Path:
        trash = self.root / ".trash"
        trash.mkdir(parents=True, exist_ok=True)
        return trash / f"{entry.name}-{uuid.uuid4().hex[:8]}"

    def clean_staging(self) -> None:
        shutil.rmtree(self.root / ".staging", ignore_errors=True)


def _read_manifest(folder: Path) -> dict[str, Any] | None:
    """The folder's manifest when it is readable and has the shape `publish` writes; None
    otherwise. A manifest damaged on disk (cut short, another shape, nested absurdly deep,
    another encoding) must not break every listing of models, so it is simply not one."""
    try:
        # Bounded and only an ordinary file: a manifest turned into a named pipe blocked
        # every listing of models for ever, and one of gigabytes was read whole.
        manifest = read_small_json(folder / MANIFEST, MANIFEST_LIMIT)
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(manifest, dict):
        return None
    files = manifest.get("files")
    # A model is its files: a list of none is a damaged manifest (UTF-16 `{"files": []}`
    # was read as an installed model with nothing in it).
    if not isinstance(files, list) or not files or not all(_is_file_record(f)
                                                           for f in files):
        return None
    return manifest


def _is_file_record(record: object) -> bool:
    if not isinstance(record, dict):
        return False
    name, size = record.get("name"), record.get("size")
    return (isinstance(name, str) and name not in ("", ".", "..") and Path(name).name == name
            and isinstance(size, int) and not isinstance(size, bool) and size >= 0)


def unwritable_error(entry: ModelEntry, root: Path, exc: OSError) -> ModelInstallError:
    """A plain message for a file error during an install (a models folder that cannot be
    written, a disk gone, a file that cannot be read), instead of Python's own words."""
    where = f" ({exc.filename})" if exc.filename else ""
    reason = exc.strerror or type(exc).__name__
    if exc.filename and not Path(str(exc.filename)).is_relative_to(root):
        advice = "Check that you may read that file (and its disk is connected)"
    else:
        advice = (f"Check that the models folder {root} can be written (and its disk is "
                  "connected)")
    return ModelInstallError(f"{entry.title} could not be installed: {reason}{where}. "
                             f"{advice}, then try again. Nothing was installed.")
