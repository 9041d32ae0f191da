"""Reader for the SSDA903 (children looked after) missing file: CHILD, DOB, MISSING, MIS_START,
MIS_END, with the header (SEX, ETHNIC) and episodes files beside it when present.

The header and episodes files are used only when they have the DfE's names (header.csv,
episodes.csv) beside the missing file, or are named on the command line; the load says which.

It turns the return into the native missing-episodes layout, so staging, validation and the
load are the ones every native extract goes through. The return carries no LA code, so the load
names it (--la); the coverage window is the financial years the episodes start in, unless given.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from etl.errors import ExtractError
from etl.limits import check_file_size
from etl.paths import read_for_load
from etl.readers.native_csv import RawExtract, csv_lines, decode
from etl.readers.returns import NativeRows, financial_years, require_la, text_date
from warehouse.model.files import active_model

REQUIRED = ("CHILD", "MISSING", "MIS_START")
# The return's own names for the fields, so that a rejection speaks of what the user sees.
LABELS = {
    "child_id": "CHILD",
    "date_of_birth": "DOB",
    "gender": "SEX",
    "ethnicity": "ETHNIC",
    "missing_type": "MISSING",
    "start_datetime": "MIS_START",
    "end_datetime": "MIS_END",
}


# The DfE's names for the return's header and episodes files: only files of exactly these names
# are taken from beside the missing file; any other is used only when named (--header-file,
# --episodes-file). A name merely containing "header" (old_header.csv, header_2019.csv) once
# changed who counted as in care depending on what else was in the folder.
COMPANION_NAMES = {"header": "header.csv", "episodes": "episodes.csv"}
# What a child's in-care flag is when the episodes file does not cover the child.
NOT_KNOWN = "U"


def _rows(path: Path, data: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The file's header (its first row) and its rows with the line each starts on, keyed by the
    header's upper-cased names. Blank lines and lines of bare commas are no rows."""
    text, _ = decode(path, data)
    lines = csv_lines(path, text)
    header = [name.strip().upper() for name in lines[0][1]] if lines else []
    rows = []
    for number, line in lines[1:]:
        if not any(cell.strip() for cell in line):
            continue
        row = dict.fromkeys(header, "") | dict(zip(header, line))
        rows.append((number, {k: (v or "").strip() for k, v in row.items() if k}))
    return [name for name in header if name], rows


def _companion_rows(path: Path, companion: Path, what: str) -> list[dict[str, str]]:
    """The rows of the return's header or episodes file, which must name each child (CHILD)."""
    try:
        data = read_for_load(companion)
        check_file_size(companion, len(data), "ssda903")  # read into Python rows, as the missing file is
        header, rows = _rows(companion, data)
    except ExtractError as error:
        raise ExtractError(
            path, f"the {what} file {companion.name} cannot be read: {error.message}"
        ) from error
    except OSError as error:
        raise ExtractError(path, f"the {what} file {companion} cannot be read: {error.strerror}") from error
    if "CHILD" not in header:
        raise ExtractError(
            path,
            f"the {what} file beside it, {companion.name}, has no CHILD column. "
            f"Its header has: {', '.join(header) or 'nothing'}",
        )
    return [row for _, row in rows]


def _companion(path: Path, named: Path | None, what: str) -> tuple[Path | None, str]:
    """The header or episodes file to use, and how it was chosen (for the load's output)."""
    if named is not None:
        return named, f"the {what} file {named} (named with --{what}-file)"
    wanted = COMPANION_NAMES[what]
    beside = [p for p in path.parent.iterdir() if p.name.lower() == wanted and p != path and p.is_file()]
    if beside:
        return beside[0], f"the {what} file {beside[0].name} beside it"
    return None, f"no {what} file ({wanted} beside it, or --{what}-file)"


def _in_care(episodes: list[dict[str, str]]) -> dict[str, list[tuple[date, date | None]]]:
    spells: dict[str, list[tuple[date, date | None]]] = {}
    for episode in episodes:
        start = text_date(episode.get("DECOM", ""))
        if start:
            spells.setdefault(episode["CHILD"], []).append((start, text_date(episode.get("DEC", ""))))
    return spells


def read_ssda903_missing(
    path: Path,
    la_code: str | None,
    coverage: tuple[date, date] | None = None,
    data: bytes | None = None,
    header_file: Path | None = None,
    episodes_file: Path | None = None,
) -> RawExtract:
    la_code = require_la(path, la_code, "an SSDA903 return")
    header, rows = _rows(path, path.read_bytes() if data is None else data)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ExtractError(
            path,
            f"missing required columns for an SSDA903 missing file: {', '.join(missing)}. "
            f"The header has: {', '.join(header) or 'nothing'}",
        )
    today = date.today()
    starts = (text_date(row["MIS_START"]) for _, row in rows)
    window = coverage or financial_years(d for d in starts if d) or (today, today)
    out = NativeRows(
        path,
        active_model().datasets["missing_episodes"],
        field_labels=LABELS,
        derived_id_columns=("episode_id",),
    )
    if not rows:
        out.notes.append(
            "the file has a header but no rows: nothing was loaded, and nothing the warehouse holds "
            "was replaced"
        )
        extract = out.extract(la_code, window)
        extract.empty_is_allowed = True
        return extract
    header_path, header_note = _companion(path, header_file, "header")
    episodes_path, episodes_note = _companion(path, episodes_file, "episodes")
    children = (
        {row["CHILD"]: row for row in _companion_rows(path, header_path, "header")} if header_path else {}
    )
    spells = _in_care(_companion_rows(path, episodes_path, "episodes")) if episodes_path else None
    out.notes.append(f"used {header_note}" if header_path else f"{header_note}: sex and ethnicity are blank")
    if spells is None:
        out.notes.append(f"{episodes_note}: every child in the return is counted as in care when missing")

    def in_care(child: str, start: date | None) -> str:
        # Every child in the return is looked after; with the episodes file we check the date too.
        if spells is None:
            return "Y"
        if child not in spells or start is None:
            return NOT_KNOWN  # the episodes file does not cover the child: not known, never "not in care"
        return "Y" if any(s <= start and (e is None or e >= start) for s, e in spells[child]) else "N"

    uncovered = set()
    for number, row in rows:
        child = row.get("CHILD", "")
        about = children.get(child, {})
        flag = in_care(child, text_date(row.get("MIS_START", "")))
        if flag == NOT_KNOWN:
            uncovered.add(child)
        out.add(
            number,
            {
                "episode_id": out.record_id(child, row.get("MIS_START")),
                "child_id": child,
                "date_of_birth": row.get("DOB") or about.get("DOB"),
                "gender": about.get("SEX"),
                "ethnicity": about.get("ETHNIC"),
                "missing_type": row.get("MISSING"),
                "start_datetime": row.get("MIS_START"),
                "end_datetime": row.get("MIS_END"),
                "in_care": flag,
            },
        )
    if spells is not None:
        not_covered = (
            f"; {len(uncovered):,} children it has no episodes for are in care 'not known'"
            if uncovered
            else ""
        )
        out.notes.append(f"used {episodes_note} for who was in care{not_covered}")
    return out.extract(la_code, window)
