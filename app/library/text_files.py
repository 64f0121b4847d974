"""Reading a text file a person chose (a script, a text to speak): its size checked
before it is read whole, its encoding as app.domain.text_file reads it. Blocking: call it
off the UI thread."""

from __future__ import annotations

from pathlib import Path

from app.domain.text_file import MAX_TEXT_FILE_BYTES, decode_text_file


def read_text_file(path: Path) -> str:
    """The file's text. Raises OSError (cannot be read, or over 20 MB: no text to open
    is that large) or NotTextError (not text; the message names the line)."""
    if path.stat().st_size > MAX_TEXT_FILE_BYTES:
        raise OSError(f"{path.name} is larger than 20 MB: too big to be a text to open")
    return decode_text_file(path.read_bytes())
