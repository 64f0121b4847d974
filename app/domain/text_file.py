"""Text files as people save them: UTF-8, UTF-16/32 with a byte order mark (Windows
Notepad's "Unicode") or Windows-1252 (Notepad's "ANSI"). Used for every text the app
opens: scripts to import, texts to speak, scripts to align a recording to. No I/O here
(app/library/text_files.py reads the file)."""

from __future__ import annotations

import codecs
import re


class NotTextError(ValueError):
    """The bytes are not text in an encoding the app reads; the message names the line."""


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))


#: A text to open (a script, a text to speak) is never larger: a bigger file is not one,
#: and it would be read whole.
MAX_TEXT_FILE_BYTES = 20 * 1024 * 1024


def decode_text_file(data: bytes) -> str:
    """The text of a file: UTF-8 (with or without a byte order mark), UTF-16/32
    with one (what Windows Notepad saves as "Unicode"), or else Windows-1252 (Notepad's
    "ANSI", which older scripts with accents are saved in; Latin-1 text reads the same);
    any line endings become "\n". Raises NotTextError naming the line where the bytes
    are not text, rather than giving a text of replacement characters and NULs."""
    encoding = "utf-8"
    for bom, name in _BOMS:  # (UTF-32 LE first: its mark starts with UTF-16 LE's)
        if data.startswith(bom):
            data, encoding = data[len(bom):], name
            break
    if encoding == "utf-8" and b"\0" in data:  # (before decoding: binary rarely is UTF-8)
        raise _binary(data.count(b"\n", 0, data.index(b"\0")) + 1)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        text = _legacy_text(data, encoding, exc)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in text:
        raise _binary(text.count("\n", 0, text.index("\0")) + 1)
    return text


# Control characters no text holds (tab, line ends and form feed aside): decoded as
# Windows-1252 they mean the bytes were never text.
_NOT_TEXT = re.compile("[\x01-\x08\x0b\x0e-\x1f\x7f]")


def _legacy_text(data: bytes, encoding: str, exc: UnicodeDecodeError) -> str:
    """Bytes that are not UTF-8 as Windows-1252 text, when they are that; else the error
    naming the line where the UTF-8 reading failed."""
    line = data[:exc.start].decode(encoding, errors="replace").count("\n") + 1
    if encoding == "utf-8":
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            pass
        else:
            control = _NOT_TEXT.search(text)
            if control is None:
                return text
            raise _binary(text.count("\n", 0, control.start()) + 1) from exc
    raise NotTextError(
        f"line {line}: this is not text in a known encoding; save the file as UTF-8 (or "
        f"UTF-16) and open it again") from exc


def _binary(line: int) -> NotTextError:
    return NotTextError(f"line {line}: the file holds binary data, not text")
