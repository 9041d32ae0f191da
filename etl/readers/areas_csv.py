"""Reader for the areas reference file: la_code, area_code, area_name (localities or wards)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from etl.errors import ExtractError
from etl.readers.native_csv import csv_rows, decode, normalise_header

AREA_COLUMNS = ("la_code", "area_code", "area_name")


def is_areas_header(header: list[str]) -> bool:
    return set(AREA_COLUMNS) <= set(header) and "child_id" not in header


def peek_header(data: bytes) -> list[str]:
    """The normalised first line of a file's bytes read as text."""
    head = data[:65536].decode("utf-8-sig", errors="replace")
    return [normalise_header(h) for h in next(csv.reader(io.StringIO(head, newline="")), [])]


def read_areas_csv(path: Path, data: bytes | None = None) -> pd.DataFrame:
    """Areas of one LA; a file with anything wrong in it loads nothing."""
    text, _ = decode(path, path.read_bytes() if data is None else data)
    rows = csv_rows(path, text)
    header = [normalise_header(h) for h in rows[0]] if rows else []
    missing = [c for c in AREA_COLUMNS if c not in header]
    if missing:
        raise ExtractError(path, f"missing required columns for an areas file: {', '.join(missing)}")
    records = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = dict(zip(header, (cell.strip() for cell in row)))
        for column in AREA_COLUMNS:
            if not values.get(column):
                raise ExtractError(path, f"row {number}: {column} is required but is blank")
        records.append({c: values[c] for c in AREA_COLUMNS})
    if not records:
        raise ExtractError(path, "the file has a header but no rows")
    frame = pd.DataFrame(records)
    if frame["la_code"].nunique() != 1:
        raise ExtractError(path, "la_code must hold the same single value on every row")
    duplicated = frame[frame["area_code"].duplicated()]
    if not duplicated.empty:
        raise ExtractError(path, f"area_code '{duplicated['area_code'].iloc[0]}' is listed more than once")
    return frame
