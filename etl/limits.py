"""How big a file a load takes, so that a hostile or broken file is refused in seconds, with a
message, instead of taking the machine's memory (a 537 kB zip bomb once peaked at 4.2 GB).

Every limit is far above a real return: the largest English LA's year of contacts is about 100,000
rows, an Annex A workbook of that is about 30 MB unzipped, and a child's ID is a dozen characters.
A single file's load stays under 1 GB of memory at these limits (tests/reliability/test_resources.py).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from etl.errors import ExtractError, Rejection

MB = 1 << 20
# A file of any format, as it is on disk.
MAX_FILE_BYTES = 256 * MB
# A workbook (a zip file) unzipped: all its parts together, and its shared strings (read whole).
MAX_WORKBOOK_UNZIPPED_BYTES = 256 * MB
MAX_SHARED_STRINGS_BYTES = 64 * MB
# Rows of one sheet (all of them, blank and title rows too) and columns read of each row.
MAX_SHEET_ROWS = 200_000
MAX_SHEET_COLUMNS = 200
# One value read from a file, and one ID (child IDs and record IDs are short).
MAX_CELL_CHARS = 2_000
MAX_ID_CHARS = 100


def _size(count: int) -> str:
    return f"{count / MB:,.0f} MB" if count >= MB else f"{count:,} bytes"


def check_file_size(path: Path, size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise ExtractError(path, f"the file is {_size(size)}, more than the {_size(MAX_FILE_BYTES)} a load takes "
                                 "(docs/extract-formats.md, Limits): split it, for example by year")


def check_workbook_sizes(path: Path, archive: zipfile.ZipFile) -> None:
    """Refuse a workbook whose parts would unzip past the limits, before any part is opened.

    The sizes are the zip's own: zipfile never unzips more of a part than its stated size, so a
    part that lies about its size is cut short (and then fails its checksum) rather than grow."""
    parts = archive.infolist()
    total = sum(part.file_size for part in parts)
    if total > MAX_WORKBOOK_UNZIPPED_BYTES:
        raise ExtractError(path, f"the workbook unzips to {_size(total)}, more than the "
                                 f"{_size(MAX_WORKBOOK_UNZIPPED_BYTES)} a load takes; it was refused unopened "
                                 "(a real Annex A workbook unzips to tens of MB)")
    for part in parts:
        if part.filename.lower().endswith("sharedstrings.xml") and part.file_size > MAX_SHARED_STRINGS_BYTES:
            raise ExtractError(path, f"the workbook's text table ({part.filename}) unzips to {_size(part.file_size)}, "
                                     f"more than the {_size(MAX_SHARED_STRINGS_BYTES)} a load takes; it was "
                                     "refused unopened")


def too_many_rows(path: Path, sheet: str) -> ExtractError:
    return ExtractError(path, f"sheet '{sheet}' has more than {MAX_SHEET_ROWS:,} rows, the most a load reads from a "
                              "sheet: split the list, for example by year")


def overlong_values(table: pa.Table, row_numbers, label, derived: tuple[str, ...] = ()) -> list[Rejection]:
    """A rejection for each value longer than its limit (IDs: the columns named *_id); the row is
    not loaded. An ID's value is not shown, as a child's ID is never shown. IDs a reader derived
    from the child's ID are not judged again (the child's ID is)."""
    rejections = []
    for column in table.column_names:
        if column in derived:
            continue
        is_id = column.endswith("_id")
        limit = MAX_ID_CHARS if is_id else MAX_CELL_CHARS
        lengths = pc.utf8_length(table[column])
        too_long = pc.fill_null(pc.greater(lengths, limit), False)
        if not pc.any(too_long).as_py():
            continue
        for position in pc.indices_nonzero(too_long).to_pylist():
            value = table[column][position].as_py()
            rejections.append(Rejection(
                row_number=int(row_numbers[position]), field=label(column), value=None if is_id else value[:50] + "...",
                rule="too_long",
                message=f"{label(column)} is {len(value):,} characters long; at most {limit:,} are taken",
            ))
    return rejections
