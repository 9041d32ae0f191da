"""Reader for the SSDA903 (children looked after) missing file: CHILD, DOB, MISSING, MIS_START,
MIS_END, with the header (SEX, ETHNIC) and episodes files beside it when present.

It turns the return into the native missing-episodes layout, so staging, validation and the
load are the ones every native extract goes through. The return carries no LA code, so the load
names it (--la); the coverage window is the financial years the episodes start in, unless given.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa

from etl.datasets import MISSING_EPISODES
from etl.errors import ExtractError
from etl.readers.native_csv import RawExtract, decode

REQUIRED = ("CHILD", "MISSING", "MIS_START")


def _rows(path: Path) -> list[dict[str, str]]:
    text, _ = decode(path, path.read_bytes())
    reader = csv.DictReader(io.StringIO(text))
    reader.fieldnames = [name.strip().upper() for name in reader.fieldnames or []]
    return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def _companion(path: Path, word: str) -> Path | None:
    """The header or episodes file of the same return, found by its name in the same folder."""
    found = sorted(p for p in path.parent.glob("*.csv") if word in p.name.lower() and p != path)
    return found[0] if found else None


def _date(text: str) -> date | None:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _in_care(episodes: list[dict[str, str]]) -> dict[str, list[tuple[date, date | None]]]:
    spells: dict[str, list[tuple[date, date | None]]] = {}
    for episode in episodes:
        start = _date(episode.get("DECOM", ""))
        if start:
            spells.setdefault(episode["CHILD"], []).append((start, _date(episode.get("DEC", ""))))
    return spells


def _coverage(starts: list[date]) -> tuple[date, date]:
    first, last = min(starts), max(starts)
    first_fy = first.year if first.month >= 4 else first.year - 1
    last_fy = last.year if last.month >= 4 else last.year - 1
    return date(first_fy, 4, 1), date(last_fy + 1, 3, 31)


def read_ssda903_missing(path: Path, la_code: str | None, coverage: tuple[date, date] | None = None) -> RawExtract:
    if not la_code:
        raise ExtractError(path, "an SSDA903 return carries no LA code: name it with --la (for example E08000021)")
    rows = _rows(path)
    header = list(rows[0]) if rows else []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ExtractError(path, f"missing required columns for an SSDA903 missing file: {', '.join(missing)}")
    if not rows:
        raise ExtractError(path, "the file has a header but no rows")
    header_file, episodes_file = _companion(path, "header"), _companion(path, "episode")
    children = {row["CHILD"]: row for row in _rows(header_file)} if header_file else {}
    spells = _in_care(_rows(episodes_file)) if episodes_file else None
    starts = [d for d in (_date(row["MIS_START"]) for row in rows) if d]
    window = coverage or (_coverage(starts) if starts else (date.today(), date.today()))

    def in_care(child: str, start: date | None) -> str:
        # Every child in the return is looked after; with the episodes file we check the date too.
        if spells is None or start is None:
            return "Y"
        return "Y" if any(s <= start and (e is None or e >= start) for s, e in spells.get(child, [])) else "N"

    columns: dict[str, list[str | None]] = {name: [] for name in MISSING_EPISODES.column_names}
    seen: dict[str, int] = {}
    for row in rows:
        child = row.get("CHILD", "")
        about = children.get(child, {})
        key = f"{child}:{row.get('MIS_START', '')}"
        seen[key] = seen.get(key, 0) + 1
        values = {
            "la_code": la_code, "coverage_start": window[0].isoformat(), "coverage_end": window[1].isoformat(),
            "episode_id": key if seen[key] == 1 else f"{key}:{seen[key]}", "child_id": child,
            "date_of_birth": row.get("DOB") or about.get("DOB"), "gender": about.get("SEX"),
            "ethnicity": about.get("ETHNIC"), "missing_type": row.get("MISSING"),
            "start_datetime": row.get("MIS_START"), "end_datetime": row.get("MIS_END"),
            "in_care": in_care(child, _date(row.get("MIS_START", ""))),
        }
        for name in columns:
            columns[name].append(values.get(name) or None)
    table = pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})
    return RawExtract(path=path, dataset=MISSING_EPISODES, table=table, row_numbers=np.arange(len(rows)) + 2,
                      encoding="utf-8", rows_read=len(rows))
