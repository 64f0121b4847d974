"""Text files as people save them (app/domain/text_file.py); reading one from disk
(app/library/text_files.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.text_file import NotTextError, decode_text_file
from app.library.text_files import read_text_file


def test_bytes_that_are_not_text_are_refused_naming_the_line() -> None:
    """They were read with errors="replace" (a UTF-16 file became a script of NULs and
    replacement characters) or, by `xi-studio render`, raised UnicodeDecodeError."""
    # Notepad's "ANSI" (Windows-1252, and so Latin-1 text) is read as what it is.
    ansi = "ANNA: Hi.\r\nBEN: Caf\u00e9 \u2013 s\u00fc\u00df.\r\n"
    assert decode_text_file(ansi.encode("cp1252")) == ansi.replace("\r\n", "\n")
    # Bytes that are neither UTF-8 nor Windows-1252 name the line where UTF-8 failed.
    with pytest.raises(NotTextError, match="line 2: this is not text in a known"):
        decode_text_file(b"ANNA: Hi.\nBEN: \x81\xe9.\n")
    # Binary without NUL bytes: control characters give it away.
    with pytest.raises(NotTextError, match="line 2: the file holds binary data"):
        decode_text_file(b"ANNA: Hi.\n\xff\xd8\xff\xe0\x10JFIF\x01\x02\n")
    with pytest.raises(NotTextError, match="line 3: the file holds binary data"):
        decode_text_file(b"ANNA: Hi.\nBEN: Yo.\n\x89PNG\x00\x00")
    assert decode_text_file(b"") == ""


def test_a_file_over_20_mb_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "dump.txt"
    with big.open("wb") as file:
        file.truncate(20 * 1024 * 1024 + 1)  # (sparse: nothing written)
    with pytest.raises(OSError, match="larger than 20 MB"):
        read_text_file(big)
    small = tmp_path / "line.txt"
    small.write_bytes("Grüße\r\n".encode("utf-16"))
    assert read_text_file(small) == "Grüße\n"
