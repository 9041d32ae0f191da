"""Reader for figures submitted by agencies: the template's workbook (its Figures sheet) or its CSV
twin (etl/submissions/template.py makes both from the model).

Both hold one row per LA, measure and part, under the same header (COLUMNS). The reader keeps each
row's text and where it was (sheet and row, as a spreadsheet numbers them: the header is row 1); it
judges nothing: etl/validate/figures.py does.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from etl import limits
from etl.errors import ExtractError
from etl.readers.annex_a import UNREADABLE_WORKBOOK, open_workbook, unreadable_workbook
from etl.readers.native_csv import csv_lines, decode, normalise_header

# The sheets of the template's workbook: what to do, and the figures themselves.
INSTRUCTIONS_SHEET = "Instructions"
FIGURES_SHEET = "Figures"

# The columns of the Figures sheet and of the CSV twin, in order. The reader reads those in READ;
# the others are there for the person filling it in (names, labels, definitions).
COLUMNS = (
    "dataset",
    "agency",
    "period",
    "la_code",
    "la_name",
    "measure",
    "part",
    "part_label",
    "description",
    "unit",
    "value",
    "not_available",
)
READ = ("dataset", "agency", "period", "la_code", "measure", "part", "value", "not_available")
# The columns a submitter writes in; the rest are the template's keys, locked in the workbook.
WRITTEN = ("value", "not_available")
# What a CSV's header must hold to be read as figures rather than as an extract of records.
CSV_SIGNATURE = frozenset({"dataset", "agency", "period", "measure", "value"})


@dataclass(frozen=True)
class FigureRow:
    """One row of figures as text ('' for an empty cell), with its row number in the sheet or file."""

    row_number: int
    values: dict[str, str]


@dataclass(frozen=True)
class FiguresFile:
    path: Path
    sheet: str | None  # the workbook's Figures sheet; None for a CSV
    rows: list[FigureRow]
    numbered: bool = True  # its rows are a file's, to be named by number (not a figure entered by hand)

    def where(self, row_number: int | None = None, field: str | None = None) -> str:
        """'q1.xlsx, sheet Figures, row 7, value': where a message points."""
        parts = [self.path.name]
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if row_number is not None and self.numbered:
            parts.append(f"row {row_number}")
        if field:
            parts.append(field)
        return ", ".join(parts)


def is_figures_workbook(data: bytes) -> bool:
    """A workbook with the template's Figures and Instructions sheets (told from its index)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(limits.sheet_names(archive))
    except (zipfile.BadZipFile, zipfile.LargeZipFile):
        return False
    return {FIGURES_SHEET, INSTRUCTIONS_SHEET} <= names


def is_figures_header(header: list[str]) -> bool:
    return CSV_SIGNATURE <= {normalise_header(name) for name in header}


def cell_text(value: object) -> str:
    """A cell as text: a whole number without '.0', a boolean as yes/no, text stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return limits.clipped(str(value).strip()) or ""


def _rows(path: Path, sheet: str | None, lines: list[tuple[int, list[object]]]) -> FiguresFile:
    """The rows under the header (the first line), each as {column: text}; blank rows skipped."""
    where = FiguresFile(path, sheet, []).where
    if not lines:
        raise ExtractError(path, f"{where(1)}: the sheet is empty; use the template's header row")
    header_row, header_cells = lines[0]
    header = [normalise_header(cell_text(cell)) for cell in header_cells]
    missing = [column for column in READ if column not in header]
    if missing:
        raise ExtractError(
            path,
            f"{where(header_row)}: no column {', '.join(missing)} in the header row; the header is the "
            f"template's: {', '.join(COLUMNS)}",
        )
    twice = sorted({h for h in header if h in READ and header.count(h) > 1})
    if twice:
        raise ExtractError(path, f"{where(header_row)}: the header names {', '.join(twice)} more than once")
    index = {column: header.index(column) for column in READ}
    rows = []
    for row_number, cells in lines[1:]:
        texts = {column: cell_text(cells[i]) if i < len(cells) else "" for column, i in index.items()}
        if any(texts.values()):
            rows.append(FigureRow(row_number, texts))
    return FiguresFile(path, sheet, rows)


def read_figures_workbook(path: Path, data: bytes) -> FiguresFile:
    workbook = open_workbook(path, data)
    try:
        if FIGURES_SHEET not in workbook.sheetnames:
            raise ExtractError(path, f"the workbook has no sheet {FIGURES_SHEET}: use the template")
        sheet = workbook[FIGURES_SHEET]
        lines = [
            (number, list(values))
            for number, values in enumerate(
                sheet.iter_rows(max_col=limits.MAX_SHEET_COLUMNS, values_only=True), start=1
            )
        ]
    except UNREADABLE_WORKBOOK as error:
        raise unreadable_workbook(path, error) from error
    finally:
        workbook.close()
    return _rows(path, FIGURES_SHEET, lines)


def read_figures_csv(path: Path, data: bytes) -> FiguresFile:
    text, _ = decode(path, data)
    return _rows(path, None, [(line, list(row)) for line, row in csv_lines(path, text)])
