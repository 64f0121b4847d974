"""A note of each take beside its audio, until the script file lists it.

During a queue the script file is saved at most every few seconds (a long chapter is
several MB), so a crash can come after a take's audio is written and before the file
lists it. That take was paid for: the queue writes a small note of it first
(`<block>/<take>.take.json` in the takes folder), removes the note once a save of the
script holds the take, and opening a script adopts the takes whose notes are left
(`adopt_noted_takes`). Call these off the UI thread.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterable
from pathlib import Path

from app.domain.script import Script, Take
from app.domain.script_edit import add_take
from app.domain.script_file import ScriptFormatError, take_from_dict, take_to_dict
from app.domain.wording import plural
from app.library.atomic import atomic_write_text
from app.library.small_json import read_small_json

log = logging.getLogger(__name__)

NOTE_SUFFIX = ".take.json"


def note_path(takes_dir: Path, take: Take) -> Path:
    file = takes_dir / take.file
    return file.with_name(file.name.rsplit(".", 1)[0] + NOTE_SUFFIX)


def write_note(takes_dir: Path, block_id: str, take: Take) -> Path:
    """Write the take's note (atomic) and return its path."""
    return atomic_write_text(note_path(takes_dir, take),
                             json.dumps({"block_id": block_id, "take": take_to_dict(take)}))


def remove_notes(paths: Iterable[Path]) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink()


def _noted(takes_dir: Path) -> list[tuple[Path, str, Take]]:
    found: list[tuple[Path, str, Take]] = []
    for path in sorted(takes_dir.glob(f"*/*{NOTE_SUFFIX}")):
        try:
            raw = read_small_json(path)
            block_id = raw.get("block_id") if isinstance(raw, dict) else None
            if not isinstance(block_id, str):
                raise ScriptFormatError("no block id")
            take = take_from_dict(raw.get("take"), path.name)
        except (OSError, ValueError):
            log.warning("a take's note could not be read: %s", path, exc_info=True)
            continue
        found.append((path, block_id, take))
    return found


def adopt_noted_takes(takes_dir: Path, script: Script) -> tuple[Script, list[Path]]:
    """The script with every noted take it does not list yet (whose audio is there)
    added to its block and chosen, as the queue would have; and the notes of the takes
    added (remove them once the script is saved). Notes of takes the script lists
    already are removed."""
    adopted: list[Path] = []
    done: list[Path] = []
    # Oldest first, so each block ends with its newest take chosen.
    for path, block_id, take in sorted(_noted(takes_dir), key=lambda n: n[2].created_at):
        if not script.has_block(block_id):
            continue  # the block was deleted: its files stay, unreferenced
        block = script.block(block_id)
        if block.take(take.take_id) is not None:
            done.append(path)
            continue
        if not (takes_dir / take.file).is_file():
            continue
        script = add_take(script, block_id, take, choose=True)
        adopted.append(path)
    remove_notes(done)
    return script, adopted


def recovered_words(count: int) -> str:
    return (f"{plural(count, 'take')} made just before the app stopped "
            f"{'was' if count == 1 else 'were'} not in the script file yet and "
            f"{'has' if count == 1 else 'have'} been added back.")
