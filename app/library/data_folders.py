"""Creating the data folders at start without ever stopping the app over them.

A read-only disk, a full one, or a file where a folder should be must still open the
window: each folder is tried on its own, and the ones that failed are named in a notice
(the history says for itself what it does about its own folder).
"""

from __future__ import annotations

import logging
from pathlib import Path

from app.library.notices import LibraryNotice, NoticeBoard
from app.library.paths import AppPaths

log = logging.getLogger(__name__)


def prepare_folders(paths: AppPaths, notices: NoticeBoard) -> list[Path]:
    """Create every folder that can be; returns (and tells about) the ones that could not."""
    failed: list[Path] = []
    for folder in (paths.data_dir, paths.config_dir, paths.cache_dir, paths.log_dir,
                   paths.audio_dir, paths.drafts_dir, paths.history_db.parent):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            log.warning("cannot create %s: %s", folder, exc)
            if folder not in failed:
                failed.append(folder)
    others = [f for f in failed if f in (paths.config_dir, paths.log_dir, paths.drafts_dir)]
    if others:
        names = ", ".join(str(f) for f in others)
        notices.post(LibraryNotice(
            title="Some folders cannot be created",
            text=(f"XI Studio cannot create {names}. Settings, drafts of what you type and "
                  "logs that belong there are not saved this session."),
            next_step="Check that the disk is not full and the folder is writable, then "
                      "restart XI Studio.",
            path=others[0]))
    return failed
