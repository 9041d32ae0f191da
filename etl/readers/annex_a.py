"""Reader for the Ofsted Annex A (ILACS) workbook: lists 1, 3, 4, 5, 7 and 8.

Councils keep Annex A in Excel and it drifts: sheets renamed or reordered, title rows and merged
cells above the headers, codes with or without their "b) " labels, dates as Excel dates or as text,
extra columns, blank and trailing rows. So each list is found by its header row, wherever it is,
and each column by a pattern on its header. Columns we do not read (allocated worker names among
them) are reported as ignored and never leave this module.

The workbook carries no LA code (the load names it with --la) and no record IDs: a record is its
child and its date. Its window is the span of its contacts and referrals unless the load names one.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException

from etl.datasets import ASSESSMENTS, CLA_MISSING_COUNTS, CONTACTS, CP_PLANS, REFERRALS, S47_ENQUIRIES, Dataset, Kind
from etl.errors import ExtractError
from etl import limits
from etl.readers.native_csv import RawExtract
from etl.readers.returns import NativeRows, require_la, span, text_date

# How far down a sheet the header row may sit (title rows, notes and merged cells above it).
HEADER_SEARCH_ROWS = 20
EXCEL_ERRORS = frozenset({"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!"})

CHILD_COLUMNS = {
    "child_id": r"\bchild\b.*\b(id|identifier)\b|\b(id|identifier)\b.*\bchild\b",
    "gender": r"^(gender|sex)\b",
    "ethnicity": r"^ethnic",
    "date_of_birth": r"date of birth|^dob\b",
    "disability": r"disabilit",
}


@dataclass(frozen=True)
class ListLayout:
    """One Annex A list: the dataset it fills and a header pattern per column it reads."""

    number: int
    dataset: Dataset
    columns: dict[str, str]  # column -> regex on the lower-cased header
    signature: tuple[str, ...]  # columns whose headers, all present, say a sheet holds this list
    record_date: str  # with the child, it makes the record's ID
    not_if: str | None = None  # a header that says the sheet is another list with similar headers
    is_flow: bool = False  # its dates set the workbook's window

    def matches(self, headers: list[str]) -> bool:
        if self.not_if and any(re.search(self.not_if, h) for h in headers):
            return False
        return all(any(re.search(self.columns[c], h) for h in headers) for c in self.signature)


LAYOUTS = (
    ListLayout(1, CONTACTS, {**CHILD_COLUMNS, "contact_date": r"date.*contact", "source": r"contact.*source"},
               signature=("contact_date", "source"), record_date="contact_date", is_flow=True),
    ListLayout(3, REFERRALS, {**CHILD_COLUMNS, "referral_date": r"date.*referral", "source": r"referral.*source",
                              "is_nfa": r"\bnfa\b|no further action"},
               signature=("referral_date", "source"), record_date="referral_date", is_flow=True),
    ListLayout(4, ASSESSMENTS, {**CHILD_COLUMNS, "start_date": r"assessment.*start",
                                "authorised_date": r"assessment.*(authoris|completion)"},
               # List 2 (early help assessments) has the same dates and names the organisation.
               signature=("start_date",), record_date="start_date", not_if=r"organisation completing"),
    ListLayout(5, S47_ENQUIRIES, {**CHILD_COLUMNS, "start_date": r"(section 47|s47).*start",
                                  "icpc_not_required": r"(conference|icpc).*(unnecessary|not required)",
                                  "icpc_date": r"^date of (the )?(initial child protection conference|icpc)"},
               signature=("start_date",), record_date="start_date"),
    ListLayout(7, CP_PLANS, {**CHILD_COLUMNS, "start_date": r"(child protection|cp) plan start",
                             "end_date": r"(child protection|cp) plan end", "initial_category": r"initial category",
                             "latest_category": r"latest category",
                             "previous_plans": r"previous (child protection|cp) plans"},
               signature=("start_date", "initial_category"), record_date="start_date"),
    ListLayout(8, CLA_MISSING_COUNTS, {**CHILD_COLUMNS, "looked_after_start": r"started to be looked after",
                                       "missing_episodes": r"episodes.*missing",
                                       "away_episodes": r"episodes.*(absent|away)",
                                       "rhi_offered": r"offered a return interview",
                                       "rhi_accepted": r"accept a return interview"},
               signature=("looked_after_start",), record_date="as_at_date"),
)


def _header_text(value: object) -> str:
    return re.sub(r"\s+", " ", str(value or "").replace("\u2018", "'").replace("\u2019", "'")).strip().lower()


def _cell_text(value: object, kind: Kind | None) -> str | None:
    """A cell as the text a native extract would hold: ISO dates, whole numbers without '.0'."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        if kind is Kind.DATE or value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, (int, float)):
        if kind in (Kind.DATE, Kind.DATETIME) and 1 <= value < 2958466:  # an Excel serial date left unformatted
            return _cell_text(from_excel(value), kind)
        return str(int(value)) if float(value).is_integer() else str(value)
    # Clipped: one shared 30,000-character text, copied for each of 16,000 rows, once filled memory.
    text = limits.clipped(str(value).replace("\u00a0", " ").strip())
    return None if not text or text.upper() in EXCEL_ERRORS else text


@dataclass
class _FoundList:
    layout: ListLayout
    sheet: str
    header_row: int
    columns: dict[int, str]  # sheet column index -> our column
    labels: dict[str, str]  # our column -> header as written
    ignored: list[str]
    rows: list[tuple[int, tuple]]  # (sheet row number, cell values)


def _match_columns(layout: ListLayout, headers: list[str], written: list[object]) -> tuple[dict, dict, list]:
    columns: dict[int, str] = {}
    labels: dict[str, str] = {}
    ignored: list[str] = []
    for index, header in enumerate(headers):
        if not header:
            continue
        found = next((c for c, pattern in layout.columns.items() if c not in labels and re.search(pattern, header)),
                     None)
        if found is None:
            ignored.append(str(written[index]).strip())
        else:
            columns[index] = found
            labels[found] = str(written[index]).strip()
    return columns, labels, ignored


class _TooManyRows(Exception):
    pass


def _capped_rows(sheet):
    """The sheet's rows, their first MAX_SHEET_COLUMNS cells; past MAX_SHEET_ROWS, _TooManyRows (etl/limits.py).

    The size the sheet states (its dimension) is not trusted: it may claim 16,384 columns, which
    openpyxl would pad every row to, or fewer rows than it holds, which it would silently drop."""
    sheet.reset_dimensions()
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > limits.MAX_SHEET_ROWS:
            raise _TooManyRows(sheet.title)
        yield row[:limits.MAX_SHEET_COLUMNS]


def _find_list(sheet) -> _FoundList | None:
    rows = _capped_rows(sheet)
    for number, values in enumerate(rows, start=1):
        if number > HEADER_SEARCH_ROWS:
            return None
        headers = [_header_text(v) for v in values]
        layout = next((layout for layout in LAYOUTS if layout.matches(headers)), None)
        if layout is not None:
            columns, labels, ignored = _match_columns(layout, headers, list(values))
            body = [(number + offset, row) for offset, row in enumerate(rows, start=1)]
            return _FoundList(layout, sheet.title, number, columns, labels, ignored, body)
    return None


# What openpyxl raises for a damaged workbook: a broken zip, a missing part, a part whose XML is
# cut short or whose compressed bytes are corrupt. (DefusedXmlException is a ValueError; named for
# the reader.) Sheets are read lazily, so these come from reading the sheets as well as opening.
_UNREADABLE = (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, InvalidFileException, ParseError,
               DefusedXmlException, zlib.error, EOFError, IndexError)  # IndexError: a cell's text is not in the table


def _unreadable(path: Path, error: BaseException) -> ExtractError:
    detail = str(error) or type(error).__name__
    return ExtractError(path, f"the file is not a readable Excel workbook (.xlsx): {detail}")


def _open(path: Path, data: bytes):
    try:
        # From the bytes, so that a workbook saved under another extension (.csv) is still read.
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            limits.check_workbook_sizes(path, archive)  # before openpyxl unzips a part
            limits.check_sheet_rows(path, archive)
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _UNREADABLE as error:
        raise _unreadable(path, error) from error


def _find_lists(path: Path, data: bytes) -> list[_FoundList]:
    workbook = _open(path, data)
    try:
        found: dict[int, _FoundList] = {}
        for sheet in workbook.worksheets:
            try:
                listed = _find_list(sheet)  # reads the sheet's XML: where a damaged sheet shows
            except _UNREADABLE as error:
                raise _unreadable(path, error) from error
            except _TooManyRows as error:
                raise limits.too_many_rows(path, sheet.title) from error
            if listed is None:
                continue
            earlier = found.get(listed.layout.number)
            if earlier is not None:
                raise ExtractError(
                    path, f"sheets '{earlier.sheet}' and '{listed.sheet}' both hold List {listed.layout.number} "
                    f"({listed.layout.dataset.title.lower()}): remove one",
                )
            found[listed.layout.number] = listed
        return [found[n] for n in sorted(found)]
    finally:
        workbook.close()


def _records(listed: _FoundList) -> list[tuple[int, dict[str, str | None]]]:
    """The list's data rows as text; blank rows and trailing notes (one cell or none) are skipped."""
    kinds = {c.name: c.kind for c in listed.layout.dataset.columns}
    records = []
    for number, values in listed.rows:
        record = {
            column: _cell_text(values[index], kinds.get(column, Kind.DATE))  # a column only we use is a date
            for index, column in listed.columns.items() if index < len(values)
        }
        if sum(v is not None for v in record.values()) >= 2:
            records.append((number, record))
    return records


def _part_name(layout: ListLayout, sheet: str) -> str:
    name = f"List {layout.number}"
    return name if _header_text(sheet) == name.lower() else f"{name}, sheet '{sheet}'"


def _has_own_columns(listed: _FoundList) -> bool:
    """List 8 is read for its missing and away counts only: without them it holds nothing for us."""
    if listed.layout.dataset is not CLA_MISSING_COUNTS:
        return True
    return bool({"missing_episodes", "away_episodes"} & listed.labels.keys())


def _missing_signature(listed: _FoundList) -> list[str]:
    return [c for c in listed.layout.dataset.required_columns if c in listed.layout.columns and c not in listed.labels]


def _window(path: Path, found: list[tuple[_FoundList, list]], coverage: tuple[date, date] | None) -> tuple[date, date]:
    if coverage:
        return coverage
    dated = [(listed.layout, text_date(r.get(listed.layout.record_date))) for listed, records in found for _, r in records]
    flows = span(d for layout, d in dated if layout.is_flow and d)
    if flows is None:
        raise ExtractError(path, "the workbook has no contacts (List 1) or referrals (List 3) to date the period it "
                                 "covers: name it with --from and --to")
    end = max(flows[1], max(_latest_dates(found)))
    # Annex A covers a year at most: an older date is a typing error, to be rejected as outside
    # the window, not a reason to replace years of what the warehouse holds.
    return max(flows[0], end - timedelta(days=365)), end


def _latest_dates(found: list[tuple[_FoundList, list]]) -> list[date]:
    """The latest date in each list's dated columns but the date of birth: the return's as-at date."""
    latest = []
    for listed, records in found:
        dated = [c.name for c in listed.layout.dataset.columns if c.kind is Kind.DATE and c.name != "date_of_birth"]
        days = [d for _, r in records for d in (text_date(r.get(c)) for c in dated) if d]
        latest += [max(days)] if days else []
    return latest


def read_annex_a(path: Path, la_code: str | None, coverage: tuple[date, date] | None = None,
                 data: bytes | None = None) -> list[RawExtract]:
    """One native extract per list the workbook holds (lists with no rows are left out)."""
    lists = _find_lists(path, path.read_bytes() if data is None else data)
    if not lists:
        raise ExtractError(
            path, "the file is an Excel workbook, but no Annex A list was found in it: no sheet has a header row "
            f"(within its first {HEADER_SEARCH_ROWS} rows) with the columns of List 1, 3, 4, 5, 7 or 8. A native "
            "extract must be saved from Excel as 'CSV UTF-8'",
        )
    la_code = require_la(path, la_code, "an Annex A workbook")
    for listed in lists:
        absent = _missing_signature(listed)
        if absent:
            raise ExtractError(path, f"sheet '{listed.sheet}' (List {listed.layout.number}) has no column for "
                                     f"{', '.join(absent)}; its header row is row {listed.header_row}")
    found = [(listed, _records(listed)) for listed in lists if _has_own_columns(listed)]
    found = [(listed, records) for listed, records in found if records]
    if not found:
        raise ExtractError(path, "the Annex A lists in the workbook have headers but no rows")
    window = _window(path, found, coverage)
    extracts = []
    for listed, records in found:
        layout = listed.layout
        out = NativeRows(
            path, layout.dataset, part=_part_name(layout, listed.sheet), field_labels=listed.labels,
            derived_id_columns=(layout.dataset.id_column,),
        )
        out.ignored_columns = listed.ignored
        for number, record in records:
            if layout.dataset is CLA_MISSING_COUNTS:
                record["as_at_date"] = window[1].isoformat()
            if layout.dataset is S47_ENQUIRIES and record.get("icpc_date"):
                record["outcome"] = "ICPC"  # the only outcome Annex A tells us
            record[layout.dataset.id_column] = out.record_id(record.get("child_id"), record.get(layout.record_date))
            out.add(number, record)
        extracts.append(out.extract(la_code, window))
    return extracts
