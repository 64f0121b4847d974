"""Which files the Scripts tab opens: its own documents and the imports it understands."""

from __future__ import annotations

import os
import re
from pathlib import Path

from app.domain.text_file import NotTextError, decode_text_file
from app.library.bounded_read import check_regular_file, open_regular_file

SCRIPT_SUFFIX = ".xiscript.json"
TABLE_SUFFIXES = {".csv", ".tsv"}
DIALOGUE_TEXT_SUFFIXES = {".txt", ".md", ".fountain"}
OPEN_FILTER = ("Scripts and dialogue (*.xiscript.json *.csv *.tsv *.txt *.md *.fountain);;"
               "All files (*)")
# "NAME: line", "Dr. Who: line", "NARRATOR (V.O.): line"
_DIALOGUE_LINE = re.compile(r"^\s*[A-Za-z][\w .'()-]{0,40}:\s+\S", re.MULTILINE)
_SNIFF_BYTES = 64 * 1024


def is_script_document(path: Path) -> bool:
    return path.name.lower().endswith(SCRIPT_SUFFIX)


def is_script_file(path: Path) -> bool:
    """True for a script document, a CSV/TSV table, or text that reads as dialogue
    (at least two "NAME: line" lines); plain prose goes to the Speech tab instead."""
    suffix = path.suffix.lower()
    if is_script_document(path) or suffix in TABLE_SUFFIXES:
        return True
    if suffix not in DIALOGUE_TEXT_SUFFIXES:
        return False
    try:
        # Sniffed on the window's thread: only an ordinary file, and only its first
        # 64 KB (a named pipe would freeze the window; a link to /dev/zero never ends).
        check_regular_file(path)
        with os.fdopen(open_regular_file(path), "rb") as file:
            data = file.read(_SNIFF_BYTES)
    except OSError:
        return False
    try:  # UTF-16 too (Notepad's "Unicode"), which read as UTF-8 showed no dialogue
        head = decode_text_file(data)
    except NotTextError:  # cut mid-letter, or not text: opening it will say
        head = data.decode("utf-8", errors="replace")
    return len(_DIALOGUE_LINE.findall(head)) >= 2
