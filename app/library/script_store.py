"""Script files on disk: crash-safe saves, reading, and where a script's takes live.

A script `ad.xiscript.json` keeps its takes' audio in the folder `ad.takes/` next to it
(a take's `file` is relative to that folder), so the pair can be moved or zipped together.
Every save is atomic (app.library.atomic): a crash mid-save leaves the previous file.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from app.domain.script import Script
from app.domain.script_file import (
    FILE_SUFFIX,
    ScriptJsonWriter,
    script_from_json,
)
from app.library.atomic import PARTIAL_SUFFIX, AtomicFileWriter, atomic_write_text
from app.library.bounded_read import read_bounded
from app.library.small_json import read_small_json


def takes_dir_for(script_path: Path | str) -> Path:
    path = Path(script_path)
    name = path.name
    stem = name[: -len(FILE_SUFFIX)] if name.endswith(FILE_SUFFIX) else path.stem
    return path.with_name(f"{stem}.takes")


def save_script(path: Path | str, script: Script,
                writer: ScriptJsonWriter | None = None) -> Path:
    """Write the script atomically (call it off the UI thread). A document saved again
    and again passes its own `writer`, which re-encodes only the blocks that changed.
    The file is written block by block, never built whole in memory: between pieces the
    window's thread gets the interpreter lock (ScriptJsonWriter)."""
    with AtomicFileWriter(path) as out:
        for chunk in (writer or ScriptJsonWriter()).chunks(script):
            out.write(chunk)
    return out.final_path


# A chapter of 5,000 blocks with their takes is a few MB; past this a file is not a
# script, and reading it whole could take gigabytes of memory.
SCRIPT_LIMIT = 256 * 1024 * 1024


def load_script(path: Path | str) -> Script:
    """Read a script file. Raises OSError (cannot read) or ScriptFormatError (damaged)."""
    return script_from_json(read_bounded(Path(path), SCRIPT_LIMIT))


def take_path(script_path: Path | str, take_file: str) -> Path:
    """The absolute path of a take's audio file."""
    return takes_dir_for(script_path) / take_file


def takes_without_audio(script_path: Path | str, script: Script) -> list[tuple[str, str]]:
    """(block id, take id) of each take whose audio file is not in the takes folder
    (deleted, moved, or the script copied without its `.takes` folder)."""
    folder = takes_dir_for(script_path)
    return [(block.block_id, take.take_id) for block in script.blocks
            for take in block.takes if not (folder / take.file).is_file()]



def forget_missing_takes(script_path: Path | str, script: Script) -> tuple[Script, str | None]:
    """The script without its takes whose audio file is gone, and a sentence saying so
    (None when every take has its file). Such a take counted as made: no queue would make
    its block again, and every export stopped at it. Call it off the UI thread."""
    from app.domain.script_edit import remove_takes
    from app.domain.wording import plural

    gone = takes_without_audio(script_path, script)
    script = remove_takes(script, gone)
    if not gone:
        return script, None
    one = len(gone) == 1
    return script, (f"{plural(len(gone), 'take')} had no audio file in "
                    f"{takes_dir_for(script_path).name} (moved or deleted?) and "
                    f"{'was' if one else 'were'} forgotten; "
                    f"{'its block is' if one else 'their blocks are'} made again by "
                    f"Generate all missing.")

# --- The batch queue's marker: which blocks a queue was asked to make ------------------
# Written when a queue starts and removed when it ends, so after a crash the window (or
# the command line) knows a queue was interrupted and can resume it. Takes already made
# are in the script file itself, so resuming never requests them again.

QUEUE_FILE = "queue.json"


def save_queue_state(script_path: Path | str, block_ids: list[str]) -> None:
    atomic_write_text(takes_dir_for(script_path) / QUEUE_FILE,
                      json.dumps({"block_ids": block_ids}))


def load_queue_state(script_path: Path | str) -> list[str] | None:
    """The block ids of an interrupted queue, or None when none was interrupted."""
    try:
        data = read_small_json(takes_dir_for(script_path) / QUEUE_FILE)
    except (OSError, ValueError):
        return None
    ids = data.get("block_ids") if isinstance(data, dict) else None
    if not isinstance(ids, list):
        return None
    return [i for i in ids if isinstance(i, str)]


def clear_queue_state(script_path: Path | str) -> None:
    with contextlib.suppress(FileNotFoundError):
        (takes_dir_for(script_path) / QUEUE_FILE).unlink()


def remove_partial_files(script_path: Path | str) -> int:
    """Delete half-written take files a crash left behind (`.*.partial`, never a
    finished take); returns how many. Call it when a script is opened."""
    folder = takes_dir_for(script_path)
    removed = 0
    if not folder.is_dir():
        return 0
    for partial in folder.rglob(f".*{PARTIAL_SUFFIX}"):
        with contextlib.suppress(OSError):
            partial.unlink()
            removed += 1
    return removed
