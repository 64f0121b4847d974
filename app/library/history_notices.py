"""What the user is told after the history was opened in less than the usual way."""

from __future__ import annotations

from pathlib import Path

from app.library.history_open import OpenedHistory
from app.library.notices import LibraryNotice, NoticeBoard


def tell_about_opening(notices: NoticeBoard, db_path: Path, opened: OpenedHistory,
                       new_audio_dir: Path, audio_dir: Path) -> None:
    if opened.set_aside is not None:
        notices.post(LibraryNotice(
            title="History was damaged",
            text=(f"The history file could not be read correctly, so it was kept aside as "
                  f"{opened.set_aside} and a new, empty history was started. Your audio "
                  f"files in {audio_dir} were not touched."),
            next_step="Keep the set-aside file if you want someone to try to repair it.",
            path=opened.set_aside))
    elif opened.damaged_kept:
        notices.post(LibraryNotice(
            title="History is damaged",
            text=(f"The history file {db_path} could not be read correctly, and it could "
                  "not be moved aside either; it was left as it is."),
            next_step="Make the data folder writable and restart XI Studio.",
            path=db_path))
    if opened.writable:
        return
    listed = ("" if not opened.existed else "Past generations are listed. "
              if opened.recovered_rows else "Past generations could not be listed. ")
    where = ("" if new_audio_dir == audio_dir
             else f" New audio goes to a temporary folder, {new_audio_dir}.")
    notices.post(LibraryNotice(
        title="History is read-only",
        text=(f"XI Studio cannot save to its history because {opened.problem} "
              f"({db_path.parent}). {listed}New generations still play and are listed "
              f"until you quit, but they are NOT kept in History after that.{where}"),
        next_step=("Use Export… in History to keep a new generation. Free some disk space "
                   "or make the folder writable, then restart XI Studio."),
        path=db_path))
