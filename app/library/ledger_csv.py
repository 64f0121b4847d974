"""The usage ledger as a CSV file (for a spreadsheet or an accountant), written atomically.

Columns are plain words; credits that are our estimate say so in their own column, and
an unknown cost is an empty cell, never 0.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from app.library.atomic import atomic_write_text
from app.library.ledger import LedgerEntry

HEADER = ("When (UTC)", "Kind", "What", "Script", "Block", "File", "Model", "Characters",
          "Seconds", "Credits", "Estimate", "Where", "Request id", "Saved")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A cell a spreadsheet would run as a formula is written as text.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def ledger_csv(entries: Iterable[LedgerEntry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for e in entries:
        seconds = None if e.duration_ms is None else f"{e.duration_ms / 1000:.1f}"
        writer.writerow([_cell(v) for v in (
            e.created_at, e.kind_label, e.what, e.script_path, e.block_id, e.file,
            e.model_id, e.characters, seconds, e.credits, "yes" if e.estimated else "no",
            "offline engine" if e.source == "engine" else "ElevenLabs cloud", e.request_id,
            "yes" if e.kept else "this session only")])
    return out.getvalue()


def export_csv(entries: Iterable[LedgerEntry], path: Path | str) -> Path:
    """Write the rows to `path` (UTF-8 with a BOM, so spreadsheets read accents right)."""
    return atomic_write_text(path, "\ufeff" + ledger_csv(entries))
