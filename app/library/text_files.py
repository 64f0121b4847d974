"""Reading a text file a person chose (a script, a text to speak): its size checked
before it is read whole, its encoding as app.domain.text_file reads it. Blocking: call it
off the UI thread."""

from __future__ import annotations

from pathlib import Path

from app.domain.text_file import MAX_TEXT_FILE_BYTES, decode_text_file
from app.library.bounded_read import TooLargeError, read_bounded


def read_text_file(path: Path) -> str:
    """The file's text. Raises OSError (cannot be read, not an ordinary file, or over
    20 MB: no text to open is that large) or NotTextError (not text; the message names
    the line). Bounded: a link to an endless device is refused, never read forever."""
    try:
        data = read_bounded(path, MAX_TEXT_FILE_BYTES)
    except TooLargeError as exc:
        raise TooLargeError(f"{path.name} is larger than 20 MB: too big to be a text to "
                            "open") from exc
    return decode_text_file(data)
