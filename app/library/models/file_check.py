""""Check files": read an installed model's files again and compare each with the SHA-256
recorded when it was installed, to find damage that keeps a file's size (bytes flipped in
place by a failing disk or a bad copy), which the cheap size check of every listing
(InstalledModel.damage) cannot see.

On request only, never at start-up: hashing hundreds of megabytes takes seconds to
minutes. Blocking: call from a worker thread. Pause, resume and cancel between blocks.
A mismatch is written into the install record, so the model shows as damaged (and the
engine leaves it alone) until it is installed again.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from app.library.models.checks import ModelInstallError
from app.library.models.progress import InstallControl, InstallProgress, ProgressCallback
from app.library.models.store import InstalledModel, ModelStore

_CHUNK = 1 << 20
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class CheckResult:
    damage: str | None  # what is wrong, in plain words; None when every file is whole
    sizes_only: bool  # an older install record without checksums: only sizes compared

    def describe(self, title: str,
                 next_step: str = "Install it again (Install replaces it), or remove it") -> str:
        """One plain paragraph; `next_step` is what to do about damage (the window and
        the command line say it in their own words)."""
        if self.damage is not None:
            return f"{title} is damaged: {self.damage}. {next_step}."
        if self.sizes_only:
            return (f"{title}'s files are all there, at the sizes they were installed at. "
                    "It was installed by an older XI Studio that kept no checksums, so the "
                    "check could only compare sizes, not contents; install it again to be "
                    "able to check its contents.")
        return f"{title}'s files are whole: each matches the checksum kept at install."


def check_model(model: InstalledModel, store: ModelStore, *,
                progress: ProgressCallback | None = None,
                control: InstallControl | None = None) -> CheckResult:
    """Compare the model's files with its install record; raises InstallCancelledError
    when cancelled (nothing is changed then)."""
    control = control or InstallControl()
    records = model.manifest["files"]
    damage = model.damage()  # missing or resized files first: no need to read anything
    if damage is not None:
        return CheckResult(damage, sizes_only=False)
    hashed = [f for f in records if _SHA256.match(str(f.get("sha256", "")))]
    total = sum(int(f["size"]) for f in hashed)
    done = 0
    for record in hashed:
        digest = hashlib.sha256()
        path = model.folder / record["name"]
        try:
            with path.open("rb") as f:
                while block := f.read(_CHUNK):
                    control.check()
                    control.wait_while_paused()
                    digest.update(block)
                    done += len(block)
                    if progress is not None:
                        progress(InstallProgress(model.name, "checking", done, total, 0.0,
                                                 record["name"]))
        except OSError as exc:  # unreadable now (a disk gone, no permission): not damage
            raise ModelInstallError(
                f"{path} could not be read ({exc.strerror or type(exc).__name__}). Check "
                "that its disk is connected and that you may read it, then check again."
            ) from exc
        if digest.hexdigest() != record["sha256"]:
            damage = (f"{record['name']} is damaged (its contents changed since it was "
                      "installed)")
            store.mark_damaged(model.name, damage)
            return CheckResult(damage, sizes_only=False)
    return CheckResult(None, sizes_only=len(hashed) < len(records))
