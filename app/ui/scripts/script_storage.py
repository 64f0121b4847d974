"""Where the Scripts tab keeps its script, and opening files into it. No Qt here.

A script's takes live in a folder beside its file (app.library.script_store), so every
script has a file from the start: an imported or new script is created in the app's data
folder (`<data>/scripts/<name>.xiscript.json`) and autosaved there; the draft named
"scripts" remembers which file was open, so a restart (or a crash) reopens it. All of it
runs in worker threads: the tab awaits these with asyncio.to_thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from app.domain.script import Script
from app.domain.script_file import FILE_SUFFIX, ScriptJsonWriter
from app.domain.script_import import (
    ScriptImportError,
    import_script,
    kind_for_filename,
    resolve_cast_names,
    unresolved_voice_warnings,
)
from app.library.drafts import DraftStore
from app.library.script_store import (
    forget_missing_takes,
    load_script,
    save_script,
    takes_dir_for,
)
from app.library.take_notes import adopt_noted_takes, recovered_words, remove_notes
from app.library.text_files import read_text_file

DRAFT_NAME = "scripts"


@dataclass(frozen=True)
class Opened:
    script: Script
    path: Path  # the script file (takes go beside it)
    warnings: list[str] = field(default_factory=list)
    imported_from: Path | None = None
    # Knows every block's line already (it wrote or read them in the worker): the first
    # save after opening re-encodes only what changed. Encoding a 5,000-block chapter
    # from scratch there (~150 ms of Python in a worker, with the queue's first take)
    # froze the window for over 100 ms (benchmark figure 10f).
    writer: ScriptJsonWriter = field(default_factory=ScriptJsonWriter, compare=False)


def scripts_folder(data_dir: Path) -> Path:
    return data_dir / "scripts"


def new_script_path(data_dir: Path, stem: str) -> Path:
    """A free `<stem>.xiscript.json` in the app's scripts folder."""
    folder = scripts_folder(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    clean = "".join(c if c.isalnum() or c in " -_" else "_" for c in stem).strip() or "script"
    candidate = folder / f"{clean}{FILE_SUFFIX}"
    number = 2
    while candidate.exists():
        candidate = folder / f"{clean} ({number}){FILE_SUFFIX}"
        number += 1
    return candidate


def open_file(path: Path, data_dir: Path,
              voices: Sequence[tuple[str, str]] | None = None) -> Opened:
    """A script file as it is, or any other file imported into a new script (saved at
    once, so nothing imported is lost). Raises OSError, ScriptFormatError,
    ScriptImportError or NotTextError (whose messages name the line). `voices`: the
    account's (voice id, name) pairs, once known: a table's voice names become voices,
    and the speakers left without one are named with their line."""
    if path.name.lower().endswith(FILE_SUFFIX):
        return _opened_script_file(path)
    text = read_text_file(path)
    kind = kind_for_filename(path.name)
    # A table names its speakers' voices: one without is a speaker nobody can speak yet.
    result = import_script(text, kind, known_speakers=() if kind in ("csv", "tsv") else None)
    if not result.script.blocks:
        # An empty (or blank) file became an empty script, saved and opened in silence:
        # the user saw a blank table and no word of why.
        raise ScriptImportError(f"{path.name} holds no lines to import (it is empty, or "
                                "has only blank lines). Choose the file with the script's "
                                "lines")
    script = result.script
    warnings = list(result.warnings)
    if voices is not None and script.cast:
        script = resolve_cast_names(script, voices)
        warnings += unresolved_voice_warnings(script, result.voice_lines)
    if not script.title:
        script = replace(script, title=path.stem)
    target = new_script_path(data_dir, path.stem)
    writer = ScriptJsonWriter()
    save_script(target, script, writer)
    return Opened(script, target, warnings, imported_from=path, writer=writer)


def new_script(data_dir: Path, title: str = "Untitled script") -> Opened:
    script = Script(title=title)
    target = new_script_path(data_dir, title)
    save_script(target, script)
    return Opened(script, target)


def remember_open(drafts: DraftStore, path: Path) -> None:
    drafts.save(DRAFT_NAME, {"path": str(path)})


def last_open(drafts: DraftStore) -> Path | None:
    draft = drafts.load(DRAFT_NAME)
    value = draft.get("path") if isinstance(draft, dict) else None
    return Path(value) if isinstance(value, str) and value else None


def restore(drafts: DraftStore) -> Opened | None:
    """The script open when the app last closed (or crashed); None without one."""
    path = last_open(drafts)
    if path is None or not path.is_file():
        return None
    return _opened_script_file(path)


def _opened_script_file(path: Path) -> Opened:
    """A script file, with the takes made before the app stopped that it did not list
    yet (their notes are in the takes folder: app.library.take_notes), and without the
    takes whose audio is gone; saved so at once. A forgotten take showed as made,
    "Generate all missing" skipped its block and export stopped at it. The sentences
    saying so are the opening's warnings."""
    script, adopted = adopt_noted_takes(takes_dir_for(path), load_script(path))
    script, forgotten = forget_missing_takes(path, script)
    writer = ScriptJsonWriter()
    warnings = [recovered_words(len(adopted))] if adopted else []
    warnings += [forgotten] if forgotten is not None else []
    if not warnings:
        writer.remember(script)
        return Opened(script, path, writer=writer)
    save_script(path, script, writer)
    remove_notes(adopted)  # the file holds those takes now
    return Opened(script, path, warnings, writer=writer)

