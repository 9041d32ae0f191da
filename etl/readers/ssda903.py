"""Reader for the SSDA903 (children looked after) missing file: CHILD, DOB, MISSING, MIS_START,
MIS_END, with the header (SEX, ETHNIC) and episodes files beside it when present.

It turns the return into the native missing-episodes layout, so staging, validation and the
load are the ones every native extract goes through. The return carries no LA code, so the load
names it (--la); the coverage window is the financial years the episodes start in, unless given.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from etl.datasets import MISSING_EPISODES
from etl.errors import ExtractError
from etl.paths import allowed_load_dirs, is_within
from etl.readers.native_csv import RawExtract, csv_rows, decode
from etl.readers.returns import NativeRows, financial_years, require_la, text_date

REQUIRED = ("CHILD", "MISSING", "MIS_START")
# The return's own names for the fields, so that a rejection speaks of what the user sees.
LABELS = {
    "child_id": "CHILD", "date_of_birth": "DOB", "gender": "SEX", "ethnicity": "ETHNIC", "missing_type": "MISSING",
    "start_datetime": "MIS_START", "end_datetime": "MIS_END",
}


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The file's header (its first row) and its rows, keyed by the header's upper-cased names."""
    text, _ = decode(path, path.read_bytes())
    lines = csv_rows(path, text)
    header = [name.strip().upper() for name in lines[0]] if lines else []
    rows = []
    for line in lines[1:]:
        if not line:
            continue  # a blank line is no row
        row = dict.fromkeys(header, "") | dict(zip(header, line))
        rows.append({k: (v or "").strip() for k, v in row.items() if k})
    return [name for name in header if name], rows


def _companion_rows(path: Path, companion: Path, what: str) -> list[dict[str, str]]:
    """The rows of the return's header or episodes file, which must name each child (CHILD)."""
    try:
        header, rows = _rows(companion)
    except ExtractError as error:
        raise ExtractError(path, f"the {what} file beside it, {companion.name}, cannot be read: "
                                 f"{error.message}") from error
    if "CHILD" not in header:
        raise ExtractError(
            path, f"the {what} file beside it, {companion.name}, has no CHILD column. "
            f"Its header has: {', '.join(header) or 'nothing'}",
        )
    return rows


def _companion(path: Path, word: str) -> Path | None:
    """The header or episodes file of the same return, found by its name in the same folder."""
    folders = allowed_load_dirs()
    # A companion is read like the file given, so it too must be inside the folders loads may read.
    found = sorted(p for p in path.parent.glob("*.csv") if word in p.name.lower() and p != path
                   and (folders is None or is_within(p, folders)))
    return found[0] if found else None


def _in_care(episodes: list[dict[str, str]]) -> dict[str, list[tuple[date, date | None]]]:
    spells: dict[str, list[tuple[date, date | None]]] = {}
    for episode in episodes:
        start = text_date(episode.get("DECOM", ""))
        if start:
            spells.setdefault(episode["CHILD"], []).append((start, text_date(episode.get("DEC", ""))))
    return spells


def read_ssda903_missing(path: Path, la_code: str | None, coverage: tuple[date, date] | None = None) -> RawExtract:
    la_code = require_la(path, la_code, "an SSDA903 return")
    header, rows = _rows(path)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ExtractError(path, f"missing required columns for an SSDA903 missing file: {', '.join(missing)}")
    if not rows:
        raise ExtractError(path, "the file has a header but no rows")
    header_file, episodes_file = _companion(path, "header"), _companion(path, "episode")
    children = {row["CHILD"]: row for row in _companion_rows(path, header_file, "header")} if header_file else {}
    spells = _in_care(_companion_rows(path, episodes_file, "episodes")) if episodes_file else None
    today = date.today()
    window = coverage or financial_years(d for d in (text_date(row["MIS_START"]) for row in rows) if d) or (today, today)

    def in_care(child: str, start: date | None) -> str:
        # Every child in the return is looked after; with the episodes file we check the date too.
        if spells is None or start is None:
            return "Y"
        return "Y" if any(s <= start and (e is None or e >= start) for s, e in spells.get(child, [])) else "N"

    out = NativeRows(path, MISSING_EPISODES, field_labels=LABELS, derived_id_columns=("episode_id",))
    for number, row in enumerate(rows, start=2):
        child = row.get("CHILD", "")
        about = children.get(child, {})
        out.add(number, {
            "episode_id": out.record_id(child, row.get("MIS_START")), "child_id": child,
            "date_of_birth": row.get("DOB") or about.get("DOB"), "gender": about.get("SEX"),
            "ethnicity": about.get("ETHNIC"), "missing_type": row.get("MISSING"),
            "start_datetime": row.get("MIS_START"), "end_datetime": row.get("MIS_END"),
            "in_care": in_care(child, text_date(row.get("MIS_START", ""))),
        })
    return out.extract(la_code, window)
