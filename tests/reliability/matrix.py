"""The fault matrix: a row per fault, a column per endpoint, each cell pass or FAIL
(`not run` when a test did not reach it, e.g. with XI_MATRIX_ROWS).

Tests record cells with `record`; `tests/reliability/conftest.py` prints the table at the
end of the run and writes it to `build/fault-matrix.md`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MATRIX_FILE = REPO / "build" / "fault-matrix.md"

PASS, FAIL = "pass", "FAIL"


@dataclass(frozen=True)
class Column:
    id: str
    label: str
    how: str  # where a user meets it


@dataclass(frozen=True)
class Row:
    id: str
    label: str


COLUMNS: tuple[Column, ...] = (
    Column("models", "models", "start-up (UI)"),
    Column("voices", "voices", "start-up (UI)"),
    Column("tts_convert", "TTS convert", "Generate, WAV (UI; with timestamps)"),
    Column("tts_stream", "TTS stream", "Generate, MP3 (UI; streamed with timestamps)"),
    Column("tts_timestamps", "TTS with-timestamps",
           "service layer (the window reaches it as TTS convert)"),
    Column("stt_create", "STT create", "Transcripts tab, Transcribe (UI)"),
    Column("stt_get", "STT get", "Transcripts tab, Fetch by id (UI)"),
    Column("stt_delete", "STT delete", "Transcripts tab, Delete (UI)"),
    Column("music_compose", "music compose", "Music tab, an opened v1 plan free to stretch (UI)"),
    Column("music_stream", "music stream", "Music tab, a prompt (UI)"),
    Column("music_plan", "music plan", "Music tab, Plan it section by section (UI)"),
    Column("music_detailed", "music detailed",
           "Music tab, Song details (UI; streamed details, then the whole reply on a bare 404)"),
    Column("subscription", "subscription", "quota refresh (UI)"),
)

ROWS: tuple[Row, ...] = (
    Row("bad_key", "401 bad key"),
    Row("forbidden", "403 scope/plan"),
    Row("not_found", "404"),
    Row("validation", "422 with field errors"),
    Row("concurrency", "429 concurrency"),
    Row("busy", "429 busy + Retry-After"),
    Row("quota", "quota exceeded"),
    Row("s500", "500"),
    Row("s502_503", "502 / 503"),
    Row("refused", "connection refused"),
    Row("dns", "DNS failure"),
    Row("timeout_headers", "timeout before headers"),
    Row("stall_body", "stall mid-body"),
    Row("truncated", "truncated body"),
    Row("invalid_json", "invalid JSON"),
    Row("wrong_type", "wrong content type"),
    Row("huge", "far larger than expected"),
    Row("redirect", "redirect to another host"),
    Row("cancel", "user cancels"),
)

NOTES = (
    "UI cells are driven through the real window (objectNames, pytest-qt) against the cloud "
    "test server; service-layer cells call the app's own client and services inside the "
    "running app. Every cell checks: a specific message with a next step (banner, status, "
    "tooltip or `describe_error`), no crash, an answer well before any stall ends, the app "
    "usable again (the next action succeeds), the text kept, no stray or partial file and "
    "history unchanged, and at most one server-side generation per action (never a repeat "
    "after a body started).",
    "`far larger than expected`: JSON endpoints get a 40 MB body against the app's real "
    "32 MB JSON cap; audio endpoints get real audio above a client cap lowered for the test.",
    "`user cancels`: the Cancel button during a slow stream (TTS, music stream) or a "
    "stalled request (TTS convert, music compose/detailed, Transcribe, Fetch); closing the "
    "window where there is no Cancel (start-up, subscription, music plan, STT delete); "
    "cancelling the task (TTS with-timestamps, the one service-layer column).",
    "STT create waits up to an hour for a transcription by design; its cells shorten that "
    "per-request timeout like every other.",
)

_results: dict[tuple[str, str], str] = {}
_details: dict[tuple[str, str], str] = {}


def record(row: str, column: str, outcome: str, detail: str = "") -> None:
    assert row in {r.id for r in ROWS}, row
    assert column in {c.id for c in COLUMNS}, column
    _results[(row, column)] = outcome
    if detail:
        _details[(row, column)] = detail


def has_results() -> bool:
    return bool(_results)


def failures() -> dict[tuple[str, str], str]:
    return {k: _details.get(k, "") for k, v in _results.items() if v == FAIL}


def markdown() -> str:
    header = "| fault | " + " | ".join(c.label for c in COLUMNS) + " |"
    rule = "|---|" + "|".join(":-:" for _ in COLUMNS) + "|"
    lines = [header, rule]
    for row in ROWS:
        cells = [_results.get((row.id, c.id), "not run") for c in COLUMNS]
        lines.append(f"| {row.label} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("How each column is reached: " + "; ".join(
        f"{c.label}: {c.how}" for c in COLUMNS) + ".")
    lines.append("")
    lines += [f"- {note}" for note in NOTES]
    fails = failures()
    if fails:
        lines.append("")
        lines.append("Failures:")
        for (row_id, column_id), detail in sorted(fails.items()):
            first = detail.splitlines()[0][:300] if detail else ""
            lines.append(f"- {row_id} × {column_id}: {first}")
    return "\n".join(lines) + "\n"


def write_file() -> Path:
    MATRIX_FILE.parent.mkdir(parents=True, exist_ok=True)
    MATRIX_FILE.write_text("# Fault matrix\n\n" + markdown())
    return MATRIX_FILE

