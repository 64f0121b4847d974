"""Run every figure, each in its own process, and print the Markdown table.

    python -m benchmarks [--quick] [--only NAME ...] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import asdict

from benchmarks._common import REPO, ROW_PREFIX, Row, machine_summary

# (module, what it measures, time limit in seconds (full, quick))
FIGURES: tuple[tuple[str, str, tuple[int, int]], ...] = (
    ("first_audio", "time to first audio", (600, 120)),
    ("responsiveness", "UI responsiveness", (900, 180)),
    ("transcripts", "transcripts at scale", (300, 90)),
    ("startup", "start-up", (300, 90)),
    ("memory", "memory", (900, 300)),
    ("engine", "local engine speed", (900, 180)),
    ("alignment", "offline forced alignment", (600, 120)),
    ("review", "transcript review", (300, 120)),
    ("latency", "playhead against the sound", (120, 60)),
    ("engine_memory", "local engine memory under load", (1200, 150)),
    ("offline_models", "installed Piper and Whisper models", (1200, 240)),
    ("scripts", "a 500-block script: open, queue stalls, memory", (600, 90)),
)

COLUMNS = ("figure", "ours", "baseline", "ratio", "target", "met")


def run_figure(module: str, quick: bool, limit_s: int) -> tuple[list[Row], str]:
    """Run one figure script in its own process; its rows, and its plain-words output."""
    cmd = [sys.executable, "-m", f"benchmarks.{module}"] + (["--quick"] if quick else [])
    try:
        out = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=limit_s,
                             check=False)
    except subprocess.TimeoutExpired:
        return [Row(module, "error: timed out", "—", "—", "—", False,
                    f"{module} did not finish within {limit_s} s")], ""
    rows = [Row.from_json(line[len(ROW_PREFIX):]) for line in out.stdout.splitlines()
            if line.startswith(ROW_PREFIX)]
    text = "\n".join(line for line in out.stdout.splitlines()
                     if not line.startswith(ROW_PREFIX))
    if out.returncode != 0 or not rows:
        tail = (out.stderr or out.stdout).strip().splitlines()[-1:] or ["no output"]
        rows.append(Row(module, f"error (exit {out.returncode})", "—", "—", "—", False,
                        tail[0][:300]))
    return rows, text


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(rows: list[Row]) -> str:
    notes: list[str] = []
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        figure = row.figure
        if row.note:
            if row.note not in notes:
                notes.append(row.note)
            figure += f" [{notes.index(row.note) + 1}]"
        met = "—" if row.met is None else ("yes" if row.met else "no")
        cells = (figure, row.ours, row.baseline, row.ratio, row.target, met)
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines.append("")
    lines += [f"[{n}] {note}" for n, note in enumerate(notes, 1)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="XI Studio performance figures")
    parser.add_argument("--quick", action="store_true", help="small sizes (about 2 minutes)")
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        choices=[name for name, _, _ in FIGURES], help="run only these")
    parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    parser.add_argument("--verbose", action="store_true", help="show each script's output")
    args = parser.parse_args(argv)
    started = time.monotonic()
    header = (f"XI Studio benchmarks ({'quick' if args.quick else 'full'} sizes) on "
              f"{machine_summary()}")
    print(header, flush=True)
    rows: list[Row] = []
    for module, what, (full_s, quick_s) in FIGURES:
        if args.only and module not in args.only:
            continue
        print(f"… {what} ({module})", file=sys.stderr, flush=True)
        figure_rows, text = run_figure(module, args.quick, quick_s if args.quick else full_s)
        if args.verbose and text:
            print(text, file=sys.stderr, flush=True)
        rows += figure_rows
    print()
    print(markdown(rows))
    print(f"\n({len(rows)} rows in {time.monotonic() - started:.0f} s; each figure ran in its "
          "own process.)")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"machine": header, "rows": [asdict(r) for r in rows]}, out, indent=1)
    return 0 if all(r.met is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
