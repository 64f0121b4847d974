"""Shared plumbing: rows of the result table, machine facts, timing helpers.

A figure script prints what it measures in plain words and, for the runner, one line
per table row: `BENCH_ROW {json}`. The runner (`python -m benchmarks`) runs each script
in its own process and turns those lines into the Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROW_PREFIX = "BENCH_ROW "
REPO = Path(__file__).resolve().parent.parent


@dataclass
class Row:
    """One line of the table. `met` is None for rows shown only for comparison."""

    figure: str
    ours: str
    baseline: str
    ratio: str
    target: str
    met: bool | None
    note: str = ""  # machine dependence and caveats: printed as a footnote

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Row:
        return cls(**json.loads(text))


@dataclass
class Figure:
    """What one script reports: its rows, collected and printed as they come."""

    name: str
    rows: list[Row] = field(default_factory=list)

    def add(self, row: Row) -> None:
        self.rows.append(row)
        print(ROW_PREFIX + row.to_json(), flush=True)


def parse_args(description: str, argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="small sizes (for CI)")
    return parser.parse_args(argv)


def say(text: str) -> None:
    print(text, flush=True)


# -- numbers --------------------------------------------------------------------------

def ms(seconds: float) -> str:
    value = seconds * 1000
    if abs(value) >= 100:
        return f"{value:.0f} ms"
    if abs(value) >= 10:
        return f"{value:.1f} ms"
    if abs(value) >= 1:
        return f"{value:.2f} ms"
    if abs(value) >= 0.01:
        return f"{value * 1000:.0f} µs"
    return f"{value * 1000:.2f} µs"


def ratio(ours: float, baseline: float) -> str:
    if baseline <= 0:
        return "—"
    value = ours / baseline
    return f"{value:.2f}×" if value < 10 else f"{value:.0f}×"


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def best_of(repeats: int, func: object, *args: object) -> float:
    """The fastest of `repeats` runs of func(*args), in seconds (the least disturbed)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        func(*args)  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best


def rss_bytes(pid: int | None = None) -> int:
    """Resident set size (VmRSS) of a process, this one by default."""
    path = f"/proc/{pid or 'self'}/status"
    with open(path) as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in " + path)


def mb(n_bytes: float) -> str:
    return f"{n_bytes / 1e6:.0f} MB"


# -- the machine ----------------------------------------------------------------------

def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_summary() -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{cpu_model()}, {cores} cores, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}; load average {load:.2f} at start")


# -- environment for app processes ----------------------------------------------------

def app_environment(home: Path) -> dict[str, str]:
    """Environment for a child that runs the app: offscreen Qt, a throwaway data folder,
    no key, no real sound card (the ALSA file sink, see configure_alsa_sink)."""
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["XI_STUDIO_HOME"] = str(home)
    env.pop("ELEVENLABS_API_KEY", None)
    env.pop("ELEVENLABS_BASE_URL", None)
    # A user's install has its bytecode compiled (pip compiles on install; an editable
    # checkout writes it on first run). Keep it in a cache of our own rather than in the
    # checkout, and never measure a start-up that compiles every module from source.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(cache_dir() / "pycache")
    return env


def configure_alsa_sink(folder: Path, *, keep: bool = False) -> Path:
    """Make the default ALSA device a file sink (before sounddevice is imported), as the
    tests do. `keep=False` writes to /dev/null, so hours of "played" audio cost no disk
    space. Returns where the samples go."""
    from tests.support.alsa_sink import configure_file_sink

    return configure_file_sink(folder, None if keep else Path("/dev/null"))


def bare_window_script(report: str, after_ms: int = 0) -> str:
    """The baseline program: a bare PySide6 window with three empty tabs that runs
    `report` (Python statements, indented four spaces) `after_ms` after it shows, then
    quits."""
    return f"""
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QTabWidget, QWidget
app = QApplication(sys.argv[:1])
tabs = QTabWidget()
for name in ("Speech", "Transcripts", "Music"):
    tabs.addTab(QWidget(), name)
tabs.resize(1180, 760)
tabs.show()
def report():
{report}
    app.quit()
QTimer.singleShot({after_ms}, report)
app.exec()
"""


def scratch_dir(name: str) -> Path:
    """A fresh temporary folder for one script (removed by the OS's tmp cleaning)."""
    return Path(tempfile.mkdtemp(prefix=f"xi-bench-{name}-"))


def cache_dir() -> Path:
    """Generated inputs kept between runs (long audio files take a while to encode)."""
    folder = Path(os.environ.get("XI_BENCH_CACHE") or Path(tempfile.gettempdir())
                  / "xi-studio-bench-cache")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def exit_with(figure: Figure) -> None:
    sys.stdout.flush()
    sys.exit(0 if figure.rows else 1)


class BenchServerProcess:
    """benchmarks/_server.py in its own process (so serving never competes with the
    measured process for the interpreter lock)."""

    def __init__(self) -> None:
        import subprocess

        self._process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks._server"], cwd=REPO, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True)
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line.startswith("READY "):
            self.close()
            raise RuntimeError(f"the benchmark server did not start: {line!r}")
        self.url = line.split()[1]

    def configure(self, **values: float) -> None:
        import httpx

        httpx.post(self.url + "/_bench/config", json=values, timeout=30,
                   trust_env=False).raise_for_status()

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(10)
        except Exception:
            self._process.kill()
            self._process.wait(10)

    def __enter__(self) -> BenchServerProcess:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
