"""Pure pieces of bounded reading: line splitting, unpacking, header numbers, error text,
the forms of a secret."""

from __future__ import annotations

import time
import zlib

import pytest

from app.api.errors import ApiProtocolError, decode_error_text, error_in_success_body
from app.api.reading import PIECE, LineSplitter, _Inflater, header_number
from app.domain.api_key import secret_forms


def test_lines_split_across_chunks_and_the_tail_is_kept() -> None:
    splitter = LineSplitter(max_line=100)
    assert splitter.feed(b'{"a": 1}\n{"b"') == [b'{"a": 1}']
    assert splitter.feed(b": 2}\r\n\n") == [b'{"b": 2}\r', b""]
    assert splitter.feed(b"tail") == []
    assert splitter.finish() == b"tail"


def test_a_line_longer_than_the_maximum_is_refused_even_inside_one_chunk() -> None:
    with pytest.raises(ApiProtocolError, match="line longer than 10 bytes"):
        LineSplitter(max_line=10).feed(b"x" * 11 + b"\n")
    splitter = LineSplitter(max_line=10)
    splitter.feed(b"x" * 6)
    with pytest.raises(ApiProtocolError):
        splitter.feed(b"x" * 6)


def test_line_splitting_is_linear_in_the_input() -> None:
    splitter = LineSplitter(max_line=64 * 1024 * 1024)
    piece = b"y" * 4096
    started = time.perf_counter()
    for _ in range(8 * 1024):  # 32 MB in 4 KB pieces, no newline: quadratic would take minutes
        splitter.feed(piece)
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS])
def test_deflate_is_read_zlib_wrapped_or_raw_in_bounded_pieces(wbits: int) -> None:
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    data = packer.compress(bytes(4 * 1024 * 1024)) + packer.flush()
    inflater = _Inflater("deflate", "audio")
    pieces = list(inflater.feed(data)) + list(inflater.flush())
    assert sum(len(p) for p in pieces) == 4 * 1024 * 1024
    assert max(len(p) for p in pieces) <= PIECE


def test_an_unknown_content_encoding_is_a_protocol_error() -> None:
    with pytest.raises(ApiProtocolError, match="cannot read"):
        _Inflater("br", "audio")
    with pytest.raises(ApiProtocolError, match="could not be decompressed"):
        list(_Inflater("gzip", "audio").feed(b"not gzip at all"))


@pytest.mark.parametrize(("raw", "expected"), [
    ("12", 12), (" 7.0 ", 7), ("inf", None), ("-inf", None), ("nan", None), ("-1", None),
    ("1e400", None), ("9" * 30, None), ("", None), ("abc", None), (None, None),
])
def test_header_numbers_are_read_defensively(raw: str | None, expected: int | None) -> None:
    assert header_number(raw) == expected


def test_error_text_is_decoded_by_bom_charset_or_fallback() -> None:
    assert decode_error_text("Grüße".encode("utf-16")) == "Grüße"
    assert decode_error_text("Grüße".encode("cp1252"), "text/plain; charset=windows-1252") \
        == "Grüße"
    assert decode_error_text("Grüße".encode("latin-1")) == "Grüße"
    assert decode_error_text(b"\x00\x01\x02\x03binary\x00") is None
    assert decode_error_text(b"ok", "text/plain; charset=no-such-codec") == "ok"


def test_an_error_object_in_a_success_body_is_recognised_but_audio_is_not() -> None:
    error = error_in_success_body(b'  {"detail": {"status": "x", "message": "Stopped."}}xx')
    assert error is not None and error.message == "Stopped." and error.code == "x"
    assert error_in_success_body(b'{"detail"' + bytes(100)) is None
    assert error_in_success_body(b"[" * 5000) is None


def test_secret_forms_cover_escaped_and_line_pieces() -> None:
    key = "xi-first-line-4f1d9c2b\nxi-second-line-7a6e58d3"
    forms = secret_forms(key)
    assert "xi-first-line-4f1d9c2b\\nxi-second-line-7a6e58d3" in forms
    assert {"xi-first-line-4f1d9c2b", "xi-second-line-7a6e58d3"} <= forms
    assert all(len(form) >= 8 for form in forms)
    assert secret_forms("short") == set()
