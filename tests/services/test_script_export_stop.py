"""Stopping a long script export half-way (the worker thread asks between blocks): the
files it had written are removed, so the folder never holds half a delivery; the same
for an export that fails half-way (a caption file that cannot be written)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from app.domain.script import Block, CastMember, Script, Take
from app.services.script_export import ExportStopped, export_blocking

BLOCKS = 12


def long_script(tmp_path: Path, blocks: int = BLOCKS) -> tuple[Script, Path]:
    takes = tmp_path / "long.takes"
    rows = []
    for n in range(blocks):
        (takes / f"b{n}").mkdir(parents=True)
        sf.write(takes / f"b{n}" / "t1.wav", np.full(1600, 0.1, np.float32), 16000,
                 format="WAV", subtype="PCM_16")
        take = Take("t1", f"b{n}/t1.wav", f"Line {n}.", "v", "m", "wav_16000", {})
        rows.append(Block(f"b{n}", "ANNA", f"Line {n}.", takes=(take,), chosen_take_id="t1"))
    return Script(title="Long", cast=(CastMember("ANNA", "v"),), blocks=tuple(rows)), takes


def files_in(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_stopped_while_writing_blocks_leaves_nothing(tmp_path: Path) -> None:
    script, takes = long_script(tmp_path)
    out = tmp_path / "out"
    reports: list[tuple[int, int, str]] = []

    def progress(done: int, total: int, what: str) -> None:
        reports.append((done, total, what))

    def stopped() -> bool:  # Stop clicked once three block files were written
        return reports[-1:] == [(3, BLOCKS, "Writing")] if reports else False

    with pytest.raises(ExportStopped):
        export_blocking(script, takes, out, stopped=stopped, progress=progress)
    assert [r for r in reports if r[2] == "Reading"] == [(n, BLOCKS, "Reading")
                                                         for n in range(BLOCKS)]
    assert reports[-1] == (3, BLOCKS, "Writing")  # it stopped there, not at the end
    assert files_in(out) == []  # the joined file and three blocks were removed


def test_stopped_while_reading_writes_nothing(tmp_path: Path) -> None:
    script, takes = long_script(tmp_path)
    reports: list[int] = []
    with pytest.raises(ExportStopped):
        export_blocking(script, takes, tmp_path / "out", stopped=lambda: len(reports) == 2,
                        progress=lambda done, _t, _w: reports.append(done))
    assert reports == [0, 1]
    assert not (tmp_path / "out").exists()


def test_a_failure_half_way_removes_what_was_written(tmp_path: Path) -> None:
    script, takes = long_script(tmp_path)
    out = tmp_path / "out"
    (out / "Long.srt").mkdir(parents=True)  # the captions cannot get their name
    with pytest.raises(OSError):
        export_blocking(script, takes, out)
    assert files_in(out) == []
    assert [p.name for p in out.iterdir()] == ["Long.srt"]  # (what was there before)
