"""Exporting a script whose take files were damaged on disk (a take that is not audio,
one that is empty, one written in a format no one knows): an ExportError naming the
block, which the window and `xi-studio render` both say in words. It was an
AudioDecodeError or ValueError: `xi-studio render` died with a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.domain.script import Block, CastMember, Script, Take
from app.services.script_export import ExportError, export_blocking


@pytest.mark.parametrize("content, output_format", [
    (b"these are not the bytes of an mp3", "mp3_44100_128"),
    (b"", "mp3_44100_128"),
    (b"ID3", "flac_48000"),  # a format this version does not know
], ids=["not audio", "empty", "unknown format"])
def test_a_take_that_cannot_be_read_names_its_block(tmp_path: Path, content: bytes,
                                                    output_format: str) -> None:
    takes = tmp_path / "ad.takes"
    (takes / "b1").mkdir(parents=True)
    (takes / "b1" / "t1.mp3").write_bytes(content)
    take = Take("t1", "b1/t1.mp3", "Hello there.", "v", "m", output_format, {})
    script = Script(cast=(CastMember("ANNA", "v"),), blocks=(
        Block("b1", "ANNA", "Hello there.", takes=(take,), chosen_take_id="t1"),))
    with pytest.raises(ExportError, match=re.escape("ANNA's line \"Hello there.\" cannot be read")):
        export_blocking(script, takes, tmp_path / "out")
    assert not (tmp_path / "out").exists()  # nothing half-written
