"""The benchmarks still run: `python -m benchmarks --quick` prints every figure's row.

Targets are not asserted here (they depend on the machine and its load); that every
figure is measured beside its baseline and the table is well formed is.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
COLUMNS = "| figure | ours | baseline | ratio | target | met |"


@pytest.mark.timeout(620)
def test_quick_benchmarks_print_the_table(tmp_path: Path) -> None:
    env = dict(os.environ)
    # The benchmarks' generated inputs go to the test's own folder, never ~/.cache.
    env.setdefault("XI_BENCH_CACHE", str(tmp_path / "bench-cache"))
    env["XI_STUDIO_HOME"] = str(tmp_path / "home")
    env.pop("ELEVENLABS_API_KEY", None)
    env.pop("ALSA_CONFIG_PATH", None)  # each figure sets up its own sound sink
    out = subprocess.run([sys.executable, "-m", "benchmarks", "--quick"], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=600, check=False)
    assert out.returncode in (0, 1), out.stderr[-3000:]  # 1: a target was missed
    lines = out.stdout.splitlines()
    assert lines[0].startswith("XI Studio benchmarks (quick sizes) on "), out.stdout[:500]
    assert "cores" in lines[0]
    assert COLUMNS in lines
    rows = [line for line in lines if line.startswith("| ") and line != COLUMNS]
    for number in "1234567":
        assert any(row.startswith(f"| {number}.") for row in rows), f"figure {number} missing"
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split(" | ")]
        assert len(cells) == 6, row
        assert not cells[1].startswith("error"), row
        assert cells[5] in ("yes", "no", "—"), row
        assert cells[2] not in ("", "—") or cells[1].startswith("n/a"), row  # a baseline
