"""How big a file a load takes, so that a hostile or broken file is refused in seconds, with a
message, instead of taking the machine's memory (a 537 kB zip bomb once peaked at 4.2 GB).

Every limit is far above a real return: the largest English LA's year of contacts is about 100,000
rows, an Annex A workbook of that is about 30 MB unzipped, and a child's ID is a dozen characters.
A single file's load stays under 1 GB of memory at these limits (tests/reliability/test_resources.py).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from defusedxml import ElementTree

from etl.errors import ExtractError, Rejection

MB = 1 << 20
# A file of any format, as it is on disk.
MAX_FILE_BYTES = 128 * MB
# The returns read into Python objects row by row take several times their size in memory.
MAX_BYTES_BY_FORMAT = {"ssda903": 16 * MB, "cin_xml": 40 * MB}
# A workbook (a zip file) unzipped: all its parts together, and its shared strings (read whole).
MAX_WORKBOOK_UNZIPPED_BYTES = 256 * MB
MAX_SHARED_STRINGS_BYTES = 64 * MB
# Rows of one sheet (all of them, blank and title rows too) and columns read of each row.
MAX_SHEET_ROWS = 200_000
MAX_SHEET_COLUMNS = 64
# One value read from a file, and one ID (child IDs and record IDs are short).
MAX_CELL_CHARS = 2_000
MAX_ID_CHARS = 100


def _size(count: int) -> str:
    return f"{count / MB:,.0f} MB" if count >= MB else f"{count:,} bytes"


def check_file_size(path: Path, size: int, source_format: str | None = None) -> None:
    """Refuse a file bigger than a load takes (of its format, once the format is known)."""
    limit = (
        MAX_FILE_BYTES if source_format is None else MAX_BYTES_BY_FORMAT.get(source_format, MAX_FILE_BYTES)
    )
    if size > limit:
        kind = "" if source_format not in MAX_BYTES_BY_FORMAT else f" of this format ({source_format})"
        raise ExtractError(
            path,
            f"the file is {_size(size)}, more than the {_size(limit)} a load takes{kind} "
            "(docs/extract-formats.md, Limits): split it, for example by year",
        )


def check_workbook_sizes(path: Path, archive: zipfile.ZipFile) -> None:
    """Refuse a workbook whose parts would unzip past the limits, before any part is opened.

    The sizes are the zip's own: zipfile never unzips more of a part than its stated size, so a
    part that lies about its size is cut short (and then fails its checksum) rather than grow."""
    parts = archive.infolist()
    total = sum(part.file_size for part in parts)
    if total > MAX_WORKBOOK_UNZIPPED_BYTES:
        raise ExtractError(
            path,
            f"the workbook unzips to {_size(total)}, more than the "
            f"{_size(MAX_WORKBOOK_UNZIPPED_BYTES)} a load takes; it was refused unopened "
            "(a real Annex A workbook unzips to tens of MB)",
        )
    for part in parts:
        if part.filename.lower().endswith("sharedstrings.xml") and part.file_size > MAX_SHARED_STRINGS_BYTES:
            raise ExtractError(
                path,
                f"the workbook's text table ({part.filename}) unzips to {_size(part.file_size)}, "
                f"more than the {_size(MAX_SHARED_STRINGS_BYTES)} a load takes; it was "
                "refused unopened",
            )


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_OVERLAP = 64  # longer than any row tag's start, so a tag split between two chunks is still seen


def _rows_in_part(archive: zipfile.ZipFile, name: str) -> int:
    """The <row> elements of a sheet's XML, counted as it unzips: far faster than parsing it."""
    count, tail = 0, b""
    with archive.open(name) as part:
        for chunk in iter(lambda: part.read(1 << 20), b""):
            buffer = tail + chunk
            keep = max(len(buffer) - _OVERLAP, 0)
            count += sum(1 for match in _ROW.finditer(buffer) if match.start() < keep)
            tail = buffer[keep:]
            if count > MAX_SHEET_ROWS:
                break
    return count + len(_ROW.findall(tail))


def _sheet_titles(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each worksheet part's sheet title, from the workbook's own index; {} if it cannot be read
    (openpyxl then says what is wrong with the workbook)."""
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError, ValueError):
        return {}
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    titles = {}
    for sheet in book.iter(f"{{{_MAIN}}}sheet"):
        target = targets.get(sheet.get(f"{{{_RELATIONSHIPS}}}id"), "")
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        titles[part] = sheet.get("name", "")
    return titles


def sheet_names(archive: zipfile.ZipFile) -> list[str]:
    """The workbook's sheet names, read from its index without opening a sheet ([] if unreadable)."""
    return list(_sheet_titles(archive).values())


def check_sheet_rows(path: Path, archive: zipfile.ZipFile) -> None:
    """Refuse a workbook with a sheet of more than MAX_SHEET_ROWS rows before openpyxl parses it
    (parsing 200,000 rows takes it 15 seconds). Rows it leaves out and fills in (a far-away row)
    are caught as the sheet is read."""
    titles = None
    for part in archive.infolist():
        name = part.filename
        is_sheet = name.lower().startswith("xl/worksheets/") and name.lower().endswith(".xml")
        if is_sheet and _rows_in_part(archive, name) > MAX_SHEET_ROWS:
            titles = _sheet_titles(archive) if titles is None else titles
            raise too_many_rows(path, titles.get(name, name))


def too_many_rows(path: Path, sheet: str) -> ExtractError:
    return ExtractError(
        path,
        f"sheet '{sheet}' has more than {MAX_SHEET_ROWS:,} rows, the most a load reads from a "
        "sheet: split the list, for example by year",
    )


def clipped(value: str | None, is_id: bool = False) -> str | None:
    """A value cut to one character past its limit: still too long, so still rejected, but a
    30,000-character ID in every row no longer costs its length in memory at each step after."""
    limit = MAX_ID_CHARS if is_id else MAX_CELL_CHARS
    return value[: limit + 1] if value is not None and len(value) > limit else value


def overlong_values(
    table: pa.Table, row_numbers: np.ndarray, label: Callable[[str], str], derived: tuple[str, ...] = ()
) -> list[Rejection]:
    """A rejection for each value longer than its limit (IDs: the columns named *_id); the row is
    not loaded. An ID's value is not shown, as a child's ID is never shown. IDs a reader derived
    from the child's ID are not judged again (the child's ID is)."""
    rejections = []
    for column in table.column_names:
        if column in derived:
            continue
        is_id = column.endswith("_id")
        limit = MAX_ID_CHARS if is_id else MAX_CELL_CHARS
        # A value has no more characters than bytes, and its bytes are read off the column's
        # offsets: only a column with a value of more bytes than the limit is counted in characters.
        if not pc.any(pc.fill_null(pc.greater(pc.binary_length(table[column]), limit), False)).as_py():
            continue
        lengths = pc.utf8_length(table[column])
        too_long = pc.fill_null(pc.greater(lengths, limit), False)
        if not pc.any(too_long).as_py():
            continue
        for position in pc.indices_nonzero(too_long).to_pylist():
            value = table[column][position].as_py()
            rejections.append(
                Rejection(
                    row_number=int(row_numbers[position]),
                    field=label(column),
                    value=None if is_id else value[:50] + "...",
                    rule="too_long",
                    message=f"{label(column)} is longer than {limit:,} characters, the most that are taken",
                )
            )
    return rejections
