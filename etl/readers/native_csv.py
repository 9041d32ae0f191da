"""Reader for the native CSV template: a file in, string columns with canonical names out.

It refuses, with one clear message, files that are not a readable CSV of one known dataset.
It does not interpret values: staging casts them and validation judges them.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from etl.errors import ExtractError, Rejection
from warehouse.model.datasets import Dataset
from warehouse.model.files import active_model

# Magic numbers of files people save with a .csv name by mistake.
_BINARY_SIGNATURES = {
    b"PK\x03\x04": "an Excel workbook (.xlsx) or another zip file, not CSV text. "
    "Save it from Excel as 'CSV UTF-8', or load an Annex A workbook with --format annex_a",
    b"\xd0\xcf\x11\xe0": "an old Excel workbook (.xls), not CSV text. Save it from Excel as 'CSV UTF-8'",
    b"%PDF": "a PDF document, not CSV text",
    b"\xff\xfe": "UTF-16 text. Save it as 'CSV UTF-8' instead",
    b"\xfe\xff": "UTF-16 text. Save it as 'CSV UTF-8' instead",
}


@dataclass
class RawExtract:
    """The rows of one file as text, before any casting."""

    path: Path
    dataset: Dataset
    table: pa.Table  # one string column per known column of the dataset
    row_numbers: np.ndarray  # the spreadsheet row number of each table row
    encoding: str
    rows_read: int
    rejections: list[Rejection] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    # What the standard-return readers add to a native layout:
    part: str | None = None  # the sheet or section of a file that holds many datasets
    field_labels: dict[str, str] = field(
        default_factory=dict
    )  # column -> its header in the file, for messages
    # Record IDs a reader built from the child's ID (the returns carry none): hashed like it.
    derived_id_columns: tuple[str, ...] = ()
    # A return that lists every record open in its window (the CIN census) carries older referrals too.
    carries_open_records: bool | None = None
    # What the user should be told about the file (a companion used, records ignored): shown, not failed.
    notes: list[str] = field(default_factory=list)
    # A file with no rows loads nothing and replaces nothing, rather than failing (a header-only return).
    empty_is_allowed: bool = False
    # (row number, field as labelled) -> the line the field is on, where a row spans lines (XML).
    field_lines: dict[tuple[int, str], int] = field(default_factory=dict)

    def at_field_lines(self, rejections: list[Rejection]) -> list[Rejection]:
        """The rejections, each pointing at the line of its field where the reader knows it."""
        if not self.field_lines:
            return rejections
        return [
            replace(r, row_number=self.field_lines.get((r.row_number, r.field), r.row_number))
            for r in rejections
        ]

    @property
    def open_records(self) -> bool:
        return (
            self.dataset.carries_open_records
            if self.carries_open_records is None
            else self.carries_open_records
        )

    def label(self, column: str) -> str:
        return self.field_labels.get(column, column)


def normalise_header(name: str) -> str:
    """'Contact Date ' -> 'contact_date', so headers typed by hand still match."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def decode(path: Path, data: bytes, head: int | None = None) -> tuple[str, str]:
    """The file's text and the name of its encoding: UTF-8 (with or without BOM) or cp1252.

    With `head`, a file of ASCII alone (UTF-8 as it stands) gives only its first `head` characters:
    enough for a header, without making text of a file that a CSV reader can read as bytes."""
    if not data or data.isspace():
        raise ExtractError(path, "the file is empty")
    for signature, what in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise ExtractError(path, f"the file is {what}")
    if b"\x00" in data:
        raise ExtractError(path, "the file is binary (it contains NUL bytes), not CSV text")
    if head is not None and data.isascii():
        return data[:head].decode("ascii"), "utf-8"
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ExtractError(
            path,
            f"the file is neither UTF-8 nor Windows-1252 (cp1252) text: byte 0x{data[error.start]:02x} "
            f"on line {line} cannot be read. Save it as 'CSV UTF-8'",
        ) from error


def detect_dataset(path: Path, header: list[str], requested: str | None) -> Dataset:
    """The dataset whose columns the header carries, checked against the one asked for."""
    present = set(header)
    datasets = active_model().datasets
    known = {c for d in datasets.values() for c in d.column_names}
    if not present & known:
        shown = ", ".join(header[:5])
        raise ExtractError(
            path,
            f"no header row: the first line ({shown}) has none of the expected column names. "
            "The first line must name the columns (see docs/extract-formats.md)",
        )

    def fit(d: Dataset) -> tuple[bool, int]:
        return (d.id_column in present and d.event_date in present, len(present & set(d.required_columns)))

    best = max(datasets.values(), key=fit)
    if requested is not None:
        if requested not in datasets:
            raise ExtractError(path, f"unknown dataset '{requested}': use one of {', '.join(datasets)}")
        chosen = datasets[requested]
        if not fit(chosen)[0] and fit(best)[0] and best is not chosen:
            raise ExtractError(
                path,
                f"wrong dataset: this looks like a {best.name} extract (it has {best.id_column} and "
                f"{best.event_date}), not {chosen.name}",
            )
    else:
        chosen = best
    missing = [c for c in chosen.required_columns if c not in present]
    if missing:
        raise ExtractError(
            path,
            f"missing required columns for a {chosen.name} extract: {', '.join(missing)}. "
            f"The header has: {', '.join(header)}",
        )
    return chosen


def csv_rows(path: Path, text: str) -> list[list[str]]:
    """Every row of a CSV text, read with the csv module (the small files: areas, SSDA903 returns)."""
    return [row for _, row in csv_lines(path, text)]


def csv_lines(path: Path, text: str) -> list[tuple[int, list[str]]]:
    """Every row of a CSV text with the line it starts on, as an editor numbers lines.

    Any line ending is taken (a bare CR, Excel for Mac's, among them); a file the csv module cannot
    read, such as one whose unbalanced quote runs the rest of the file into one cell, is refused
    with the line its bad row starts on."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    last_line = 0  # the line the last row read ended on: the next starts on the line after it
    try:
        for row in reader:
            # Blank lines are skipped by the reader, and counted: the row starts after them.
            rows.append((reader.line_num - _line_breaks(row), row))
            last_line = reader.line_num
    except csv.Error as error:
        start = last_line + 1
        raise ExtractError(
            path,
            f"the file is not valid CSV: the row that starts on line {start} cannot be read; a quote may "
            f"be unbalanced (a cell that opens a quote must close it): {error}, at line {reader.line_num}",
        ) from error
    return rows


def _line_breaks(row: list[str]) -> int:
    """Line breaks inside the row's quoted cells: the row spans that many lines more than one."""
    return sum(cell.count("\n") + cell.count("\r") - cell.count("\r\n") for cell in row)


_HEADER_CHARACTERS = 65536  # a header is read from the file's first 64 KB


def _read_header(path: Path, text: str) -> list[str]:
    # The header is in the first few KB; parsing the whole text here would cost a second read.
    # newline="": the csv module then takes every line ending, a bare CR (Excel for Mac's) among them.
    first_line = next(csv.reader(io.StringIO(text[:_HEADER_CHARACTERS], newline="")), [])
    header = [normalise_header(h) for h in first_line]
    if not any(header):
        raise ExtractError(path, "no header row: the first line is blank")
    duplicates = sorted({h for h in header if h and header.count(h) > 1})
    if duplicates:
        raise ExtractError(path, f"the header names a column more than once: {', '.join(duplicates)}")
    return [h or f"unnamed_{i + 1}" for i, h in enumerate(header)]


def _parse(utf8: bytes, header: list[str], wanted: list[str], use_threads: bool) -> tuple[pa.Table, list]:
    invalid: list = []

    def on_invalid_row(row: pacsv.InvalidRow) -> str:
        invalid.append(row)
        return "skip"

    table = pacsv.read_csv(
        io.BytesIO(utf8),
        read_options=pacsv.ReadOptions(skip_rows=1, column_names=header, use_threads=use_threads),
        parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid_row, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(
            include_columns=wanted,
            column_types={c: pa.string() for c in wanted},
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    )
    return table, invalid


def read_native_csv(path: Path, dataset: str | None = None, data: bytes | None = None) -> RawExtract:
    """Read one native extract (from `data`, its bytes, when given); raises ExtractError if the
    file cannot load at all."""
    data = path.read_bytes() if data is None else data
    text, encoding = decode(path, data, head=_HEADER_CHARACTERS)
    header = _read_header(path, text)
    chosen = detect_dataset(path, header, dataset)
    wanted = [c for c in header if c in chosen.column_names]
    ignored = [c for c in header if c not in chosen.column_names]
    utf8 = data if encoding == "utf-8" else text.encode("utf-8")
    try:
        table, invalid = _parse(utf8, header, wanted, use_threads=True)
        if invalid:
            # Only a single-threaded read numbers the bad rows; rare enough to read twice.
            table, invalid = _parse(utf8, header, wanted, use_threads=False)
    except pa.ArrowInvalid as error:
        raise ExtractError(path, f"the file is not valid CSV: {error}") from error

    rejections = [
        Rejection(
            row_number=row.number,
            field="(row)",
            value=row.text[:200],
            rule="wrong_field_count",
            message=f"the row has {row.actual_columns} fields but the header has {row.expected_columns}",
        )
        for row in invalid
    ]
    row_numbers = _row_numbers(table.num_rows, sorted(r.row_number for r in rejections))
    table, row_numbers = _drop_blank_rows(table, row_numbers)
    for name in chosen.column_names:
        if name not in table.column_names:
            table = table.append_column(name, pa.nulls(table.num_rows, pa.string()))
    table = table.select(list(chosen.column_names))
    return RawExtract(
        path=path,
        dataset=chosen,
        table=table,
        row_numbers=row_numbers,
        encoding=encoding,
        rows_read=table.num_rows + len(rejections),
        rejections=rejections,
        ignored_columns=ignored,
    )


def _row_numbers(parsed_rows: int, skipped_lines: list[int]) -> np.ndarray:
    """Spreadsheet row numbers of the parsed rows, stepping over the skipped (invalid) lines."""
    numbers = np.arange(parsed_rows, dtype=np.int64) + 2
    for line in skipped_lines:
        numbers[numbers >= line] += 1
    return numbers


def _drop_blank_rows(table: pa.Table, row_numbers: np.ndarray) -> tuple[pa.Table, np.ndarray]:
    """Blank lines and lines of bare commas (Excel leaves them) are not rows."""
    if table.num_columns == 0 or table.num_rows == 0:
        return table, row_numbers
    blank = None
    for column in table.columns:
        empty = pc.is_null(column)  # the reader reads empty cells as null
        blank = empty if blank is None else pc.and_(blank, empty)
    if not pc.any(blank).as_py():
        return table, row_numbers  # filtering copies every column: skip it when nothing is blank
    keep = pc.invert(blank)
    return table.filter(keep), row_numbers[keep.to_numpy(zero_copy_only=False)]
