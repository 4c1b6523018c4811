"""Files synth writes for people: statement tables and briefs. Every cell is neutralised
against spreadsheet formula injection."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from synth import signals

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
STATEMENT_COLUMNS = ["statement_id", "note_id", "statement", "theme_id", "theme_label", "region", "office", "meeting_date"]


def safe_cell(value: object) -> object:
    """A leading quote makes Excel and Sheets treat the cell as text, not a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def statements_table(frame: pd.DataFrame, k: int | None = None) -> pd.DataFrame:
    """Statements as people read them in a spreadsheet. With `k` (the dashboard's export), an
    office with fewer than k partners behind a statement's theme is not named, exactly as on
    the pages (`signals.masked_offices`)."""
    out = pd.DataFrame({
        "statement_id": frame["statement_id"],  # what `synth theme split ID S1,S2,...` takes
        "note_id": frame["note_key"],
        "statement": frame["text"] if k is None else signals.mask_office_names(
            frame["text"], signals.hidden_office_names(frame, k)),
        "theme_id": frame["theme_id"],
        "theme_label": frame["theme_label"],
        "region": frame["region"],
        "office": frame["office"] if k is None else signals.masked_offices(frame, k),
        "meeting_date": frame["meeting_date"].dt.date.astype(str),
    }, columns=STATEMENT_COLUMNS)
    return out


def write_csv(frame: pd.DataFrame, path: Path) -> int:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow([safe_cell(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            writer.writerow(["" if pd.isna(v) else safe_cell(v) for v in row])
    return len(frame)


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    # As objects first: mapping a nullable integer column with gaps gave floats ("18.0" for theme 18).
    safe = frame.astype(object).map(lambda v: "" if pd.isna(v) else safe_cell(v))
    safe.columns = [safe_cell(c) for c in frame.columns]
    return safe.to_csv(index=False).encode("utf-8")
