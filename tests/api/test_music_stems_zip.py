"""The stems zip from a hostile or broken server: every way it can be wrong ends as an
ApiProtocolError with plain words (the Stems window shows it), nothing is unpacked past
a sane size, and no stem hides another."""

from __future__ import annotations

import io
import random
import struct
import zipfile

import pytest

from app.api.errors import ApiProtocolError
from app.api.music_stems import stems_from_zip


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def _patched(payload: bytes, central: tuple[int, str, int], local: tuple[int, str, int]
             ) -> bytes:
    """The zip with one field of its (only) member changed in both of its headers."""
    data = bytearray(payload)
    for signature, (offset, fmt, value) in ((b"PK\x01\x02", central), (b"PK\x03\x04", local)):
        struct.pack_into(fmt, data, data.find(signature) + offset, value)
    return bytes(data)


def test_a_zip_declaring_gigabytes_is_refused_before_unpacking() -> None:
    """A few bytes claiming to unpack to 4 GB (a zip bomb's shape) were unpacked."""
    size = 0xFFFFFFF0
    bomb = _patched(_zip([("drums.wav", b"\0" * 1000)]), (24, "<I", size), (22, "<I", size))
    with pytest.raises(ApiProtocolError, match="would unpack to more than 1024 MB"):
        stems_from_zip(bomb)


@pytest.mark.parametrize("damage", ["deflate", "method", "password"])
def test_a_damaged_or_locked_member_is_a_protocol_error(damage: str) -> None:
    """Damaged compressed data raised zlib.error, an unknown packing NotImplementedError,
    a password RuntimeError: "Something unexpected went wrong" instead of words."""
    good = _zip([("drums.wav", bytes(range(256)) * 40), ("bass.wav", b"b" * 5000)])
    if damage == "deflate":
        broken = bytearray(good)
        broken[40:60] = b"\xff" * 20
        payload = bytes(broken)
    elif damage == "method":
        payload = _patched(good, (10, "<H", 99), (8, "<H", 99))
    else:
        payload = _patched(good, (8, "<H", 1), (6, "<H", 1))
    with pytest.raises(ApiProtocolError) as caught:
        stems_from_zip(payload)
    assert "ZipInfo" not in caught.value.message


NOISE = random.Random(1).randbytes(5000)  # (does not shrink when zipped)


@pytest.mark.parametrize("payload", [b"", b"not a zip", _zip([("a.wav", NOISE)])[:2500]],
                         ids=["empty body", "text", "cut mid-way"])
def test_no_zip_at_all_is_a_protocol_error(payload: bytes) -> None:
    with pytest.raises(ApiProtocolError, match="not a zip of stems"):
        stems_from_zip(payload)


def test_folders_are_dropped_and_same_names_are_told_apart() -> None:
    """`a/drums.wav` and `b/drums.wav` both became stem "drums": one hid the other in the
    mix and the export (the same file written twice, counted twice)."""
    payload = _zip([("../../evil/drums.wav", b"1"), ("/abs/Drums.wav", b"2"),
                    ("C:\\x\\bass.wav", b"3")])
    stems = stems_from_zip(payload)
    assert [s.name for s in stems] == ["drums", "Drums 2", "bass"]
    assert [s.file_name for s in stems] == ["drums.wav", "Drums.wav", "bass.wav"]
    assert [s.data for s in stems] == [b"1", b"2", b"3"]
