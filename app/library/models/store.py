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
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.library.atomic import atomic_write_text
from app.library.models.catalogue import CATALOGUE, ModelEntry, find

MANIFEST = "xi-model.json"
MODELS_DIR_ENV = "XI_STUDIO_MODELS_DIR"


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
        return float(value) if isinstance(value, int | float) else None

    def file(self, name: str) -> Path:
        return self.folder / name

    def is_complete(self) -> bool:
        """Every file of the manifest still there (a model deleted by hand is not)."""
        return all((self.folder / f["name"]).is_file() for f in self.manifest.get("files", []))


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
        try:
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(manifest, dict):
            return None
        return InstalledModel(entry, folder, manifest)

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

    def remove(self, name: str) -> bool:
        """Remove an installed model (and any unfinished download of it)."""
        entry = find(name)
        shutil.rmtree(self.downloads_dir / entry.name, ignore_errors=True)
        target = self.root / entry.name
        if not target.exists():
            return False
        trash = self._trash_path(entry)
        os.replace(target, trash)  # gone for the engine at once, however big it is
        shutil.rmtree(trash, ignore_errors=True)
        return True

    def _trash_path(self, entry: ModelEntry) -> Path:
        trash = self.root / ".trash"
        trash.mkdir(parents=True, exist_ok=True)
        return trash / f"{entry.name}-{uuid.uuid4().hex[:8]}"

    def clean_staging(self) -> None:
        shutil.rmtree(self.root / ".staging", ignore_errors=True)
