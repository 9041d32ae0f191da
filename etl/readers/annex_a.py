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
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import islice
from pathlib import Path
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from openpyxl import Workbook, load_workbook
from openpyxl.utils.datetime import from_excel, to_excel
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from etl import limits
from etl.errors import ExtractError
from etl.readers.native_csv import RawExtract
from etl.readers.returns import NativeRows, require_la, span, text_date
from warehouse.model.datasets import EARLIEST_DATE, Dataset, Kind
from warehouse.model.files import active_model

# How far down a sheet the header row may sit (title rows, notes and merged cells above it).
HEADER_SEARCH_ROWS = 20
EARLIEST_SERIAL = to_excel(datetime.combine(EARLIEST_DATE, time(0)))
EXCEL_ERRORS = frozenset({"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!"})

CHILD_COLUMNS = {
    "child_id": r"\bchild\b.*\b(id|identifier)\b|\b(id|identifier)\b.*\bchild\b",
    "gender": r"^(gender|sex)\b",
    "ethnicity": r"^ethnic",
    "date_of_birth": r"date of birth|^dob\b",
    "disability": r"disabilit",
}


# The Ofsted template's header of each column a list needs, named when a sheet lacks it.
TEMPLATE_HEADERS = {
    "child_id": "Child Unique ID",
    "contact_date": "Date of Contact",
    "referral_date": "Date of Referral",
    "source": "Contact Source / Referral Source",
    "is_nfa": "Referral NFA?",
    "looked_after_start": "Date Started to be Looked After",
}


@dataclass(frozen=True)
class ListLayout:
    """One Annex A list: the dataset it fills and a header pattern per column it reads."""

    number: int
    dataset: Dataset
    columns: dict[str, str]  # column -> regex on the lower-cased header
    signature: tuple[str, ...]  # columns whose headers, all present, say a sheet holds this list
    record_date: str  # with the child, it makes the record's ID
    # Columns whose header, even alone, says the sheet is this list: a sheet that has one of them but
    # not the whole signature is this list with a header we do not recognise, and is refused.
    identifies: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)  # column -> its header in the Ofsted template
    not_if: str | None = None  # a header that says the sheet is another list with similar headers
    is_flow: bool = False  # its dates set the workbook's window

    def _has(self, column: str, headers: list[str]) -> bool:
        return any(re.search(self.columns[column], h) for h in headers)

    def _excluded(self, headers: list[str]) -> bool:
        if not self.not_if:
            return False
        not_if = self.not_if
        return any(re.search(not_if, h) for h in headers)

    def matches(self, headers: list[str]) -> bool:
        return not self._excluded(headers) and all(self._has(c, headers) for c in self.signature)

    def named_by(self, headers: list[str]) -> int:
        """How many headers say the sheet is this list, whether or not the signature is complete."""
        return 0 if self._excluded(headers) else sum(self._has(c, headers) for c in self.identifies)

    @property
    def needed(self) -> tuple[str, ...]:
        """The columns without which the list cannot load: those of its signature and the dataset's
        required ones that it reads (List 8's date it started to be looked after only tells the list)."""
        wanted = (*self.signature, *self.dataset.required_columns)
        return tuple(dict.fromkeys(c for c in wanted if c in self.columns and c in self.dataset.column_names))

    def header_of(self, column: str) -> str:
        return self.headers.get(column) or TEMPLATE_HEADERS.get(column) or column


# Header patterns take the variants councils write: "Date of Referral" or "Referral Date", "Start
# Date of CP Plan" or "CP Plan Start Date", "referal" spelt with one r.
LAYOUTS = (
    ListLayout(
        1,
        active_model().datasets["contacts"],
        {
            **CHILD_COLUMNS,
            "contact_date": r"date.*contact|contact.*date",
            "source": r"contact.*source|source.*contact",
        },
        signature=("contact_date", "source"),
        record_date="contact_date",
        is_flow=True,
        identifies=("contact_date", "source"),
        headers={"source": "Contact Source"},
        # List 9 (care leavers) has a 'Latest Date of Contact'.
        not_if=r"pathway plan|personal advis|in touch",
    ),
    ListLayout(
        3,
        active_model().datasets["referrals"],
        {
            **CHILD_COLUMNS,
            "referral_date": r"date.*referr?al|referr?al.*date",
            "source": r"referr?al.*source|source.*referr?al",
            "is_nfa": r"\bnfa\b|no further action",
        },
        signature=("referral_date", "source"),
        record_date="referral_date",
        is_flow=True,
        identifies=("referral_date", "source", "is_nfa"),
        headers={"source": "Referral Source"},
    ),
    ListLayout(
        4,
        active_model().datasets["assessments"],
        {
            **CHILD_COLUMNS,
            "start_date": r"assessment.*start|start.*assessment",
            "authorised_date": r"assessment.*(authoris|completion)",
        },
        # List 2 (early help assessments) has the same dates and names the organisation.
        signature=("start_date",),
        record_date="start_date",
        not_if=r"organisation completing",
        identifies=("start_date", "authorised_date"),
        headers={"start_date": "Continuous Assessment Start Date"},
    ),
    ListLayout(
        5,
        active_model().datasets["s47"],
        {
            **CHILD_COLUMNS,
            "start_date": r"(section 47|s47|s\.47).*start|start.*(section 47|s47)",
            "icpc_not_required": r"(conference|icpc).*(unnecessary|not required)",
            "icpc_date": r"^date of (the )?(initial child protection conference|icpc)",
        },
        signature=("start_date",),
        record_date="start_date",
        identifies=("start_date", "icpc_not_required", "icpc_date"),
        headers={"start_date": "Strategy discussion initiating Section 47 Enquiry Start Date"},
    ),
    ListLayout(
        7,
        active_model().datasets["cp_plans"],
        {
            **CHILD_COLUMNS,
            "start_date": r"(child protection|cp) plan.*\bstart|\bstart.*(child protection|cp) plan",
            "end_date": r"(child protection|cp) plan.*\bend|\bend.*(child protection|cp) plan",
            "initial_category": r"initial category",
            "latest_category": r"latest category",
            "previous_plans": r"previous (child protection|cp) plans",
        },
        signature=("start_date", "initial_category"),
        record_date="start_date",
        identifies=("start_date", "end_date", "initial_category", "latest_category", "previous_plans"),
        headers={
            "start_date": "Child Protection Plan Start Date",
            "initial_category": "Initial Category of Abuse",
        },
    ),
    ListLayout(
        8,
        active_model().datasets["cla_missing_counts"],
        {
            **CHILD_COLUMNS,
            "looked_after_start": r"started to be looked after",
            "missing_episodes": r"episodes.*missing",
            "away_episodes": r"episodes.*(absent|away)",
            "rhi_offered": r"offered a return interview",
            "rhi_accepted": r"accept a return interview",
        },
        signature=("looked_after_start",),
        record_date="as_at_date",
        identifies=("looked_after_start", "missing_episodes", "away_episodes", "rhi_offered", "rhi_accepted"),
    ),
)
LIST_NUMBERS = {layout.number: layout for layout in LAYOUTS}
# A sheet named for a list ("List 3", "List 3 - Referrals") is expected to hold it.
_SHEET_NAME = re.compile(r"^\s*list\s*0?(\d+)\b", re.IGNORECASE)


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
        # An Excel serial date left unformatted; a smaller number (an age, a count) is no date and stays a
        # number, for validation to refuse as one.
        if kind in (Kind.DATE, Kind.DATETIME) and EARLIEST_SERIAL <= value < 2958466:
            return _cell_text(from_excel(value), kind)
        return str(int(value)) if float(value).is_integer() else str(value)
    # Clipped: one shared 30,000-character text, copied for each of 16,000 rows, once filled memory.
    text = limits.clipped(str(value).replace("\u00a0", " ").strip())
    return None if not text or text.upper() in EXCEL_ERRORS else text


@dataclass
class _FoundList:
    layout: ListLayout
    sheet: str
    header_row: int | None  # None: the sheet is named for the list, but no row of it is the list's header
    columns: dict[int, str]  # sheet column index -> our column
    labels: dict[str, str]  # our column -> header as written
    ignored: list[str]
    rows: list[tuple[int, tuple]]  # (sheet row number, cell values)
    blank: bool = False  # the sheet has no cell filled in at all
    written: list[str] = field(default_factory=list)  # the header row's cells, as written

    @property
    def lacking(self) -> list[str]:
        return [c for c in self.layout.needed if c not in self.labels]


def _match_columns(layout: ListLayout, headers: list[str], written: list[object]) -> tuple[dict, dict, list]:
    columns: dict[int, str] = {}
    labels: dict[str, str] = {}
    ignored: list[str] = []
    for index, header in enumerate(headers):
        if not header:
            continue
        found = next(
            (c for c, pattern in layout.columns.items() if c not in labels and re.search(pattern, header)),
            None,
        )
        if found is None:
            ignored.append(str(written[index]).strip())
        else:
            columns[index] = found
            labels[found] = str(written[index]).strip()
    return columns, labels, ignored


class _TooManyRows(Exception):
    pass


def _capped_rows(sheet: ReadOnlyWorksheet) -> Iterator[tuple[object, ...]]:
    """The sheet's rows, their first MAX_SHEET_COLUMNS cells; past MAX_SHEET_ROWS, _TooManyRows (etl/limits.py).

    The size the sheet states (its dimension) is not trusted: it may claim 16,384 columns, which
    openpyxl would pad every row to, or fewer rows than it holds, which it would silently drop."""
    sheet.reset_dimensions()
    # types-openpyxl declares ReadOnlyWorksheet.iter_rows (Worksheet's, shared) as taking a Worksheet
    rows = sheet.iter_rows(values_only=True)  # type: ignore[misc]
    for number, row in enumerate(rows, start=1):
        if number > limits.MAX_SHEET_ROWS:
            raise _TooManyRows(sheet.title)
        yield row[: limits.MAX_SHEET_COLUMNS]


def _found(
    sheet: ReadOnlyWorksheet, layout: ListLayout, index: int, top: list[tuple], rest: Iterator[tuple]
) -> _FoundList:
    """The list whose header row is top[index]; its rows follow, to the end of the sheet."""
    values = top[index]
    columns, labels, ignored = _match_columns(layout, [_header_text(v) for v in values], list(values))
    body = [(number, row) for number, row in enumerate(top[index + 1 :], start=index + 2)]
    body += [(number, row) for number, row in enumerate(rest, start=len(top) + 1)]
    written = [str(v).strip() for v in values if _cell_text(v, None) is not None]
    return _FoundList(layout, sheet.title, index + 1, columns, labels, ignored, body, written=written)


def _find_list(sheet: ReadOnlyWorksheet) -> _FoundList | None:
    """The list a sheet holds, found by its header row: a row with the whole signature of a list, or
    failing that a row with the child's ID and a header that only that list has (its other headers
    unrecognised), or failing that the sheet's name ("List 3"). None if it holds no list we read."""
    rows = _capped_rows(sheet)
    top = list(islice(rows, HEADER_SEARCH_ROWS))
    named: tuple[int, ListLayout] | None = None
    for index, values in enumerate(top):
        headers = [_header_text(v) for v in values]
        layout = next((layout for layout in LAYOUTS if layout.matches(headers)), None)
        if layout is not None:
            return _found(sheet, layout, index, top, rows)
        # A header row of a list (not a title, a note, or a native extract's header) names the child.
        if named is None and any(re.search(CHILD_COLUMNS["child_id"], h) for h in headers):
            partly = max(LAYOUTS, key=lambda layout: layout.named_by(headers))  # the list most of them name
            named = (index, partly) if partly.named_by(headers) else None
    if named is not None:
        return _found(sheet, named[1], named[0], top, rows)
    by_name = _SHEET_NAME.match(sheet.title)
    layout = LIST_NUMBERS.get(int(by_name[1])) if by_name else None
    if layout is None:
        return None
    blank = not any(_cell_text(v, None) is not None for values in top for v in values)
    return _FoundList(layout, sheet.title, None, {}, {}, [], [], blank=blank)


# What openpyxl raises for a damaged workbook: a broken zip, a missing part, a part whose XML is
# cut short or whose compressed bytes are corrupt. (DefusedXmlException is a ValueError; named for
# the reader.) Sheets are read lazily, so these come from reading the sheets as well as opening.
UNREADABLE_WORKBOOK = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    KeyError,
    ValueError,
    InvalidFileException,
    ParseError,
    DefusedXmlException,
    zlib.error,
    EOFError,
    IndexError,
)  # IndexError: a cell's text is not in the table


def unreadable_workbook(path: Path, error: BaseException) -> ExtractError:
    detail = str(error) or type(error).__name__
    return ExtractError(path, f"the file is not a readable Excel workbook (.xlsx): {detail}")


def open_workbook(path: Path, data: bytes) -> Workbook:
    """A workbook opened read-only for its values, after the limits' checks; a damaged one is refused."""
    try:
        # From the bytes, so that a workbook saved under another extension (.csv) is still read.
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            limits.check_workbook_sizes(path, archive)  # before openpyxl unzips a part
            limits.check_sheet_rows(path, archive)
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except UNREADABLE_WORKBOOK as error:
        raise unreadable_workbook(path, error) from error


def _find_lists(path: Path, data: bytes) -> list[_FoundList]:
    workbook = open_workbook(path, data)
    try:
        found: dict[int, _FoundList] = {}
        for sheet in workbook.worksheets:
            try:
                listed = _find_list(sheet)  # reads the sheet's XML: where a damaged sheet shows
            except UNREADABLE_WORKBOOK as error:
                raise unreadable_workbook(path, error) from error
            except _TooManyRows as error:
                raise limits.too_many_rows(path, sheet.title) from error
            if listed is None:
                continue
            earlier = found.get(listed.layout.number)
            if earlier is not None and (earlier.header_row is None or listed.header_row is None):
                # a sheet named for the list beside the sheet that holds it: the one that holds it counts
                listed = listed if earlier.header_row is None else earlier
            elif earlier is not None:
                raise ExtractError(
                    path,
                    f"sheets '{earlier.sheet}' and '{listed.sheet}' both hold List {listed.layout.number} "
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
            for index, column in listed.columns.items()
            if index < len(values)
        }
        if sum(v is not None for v in record.values()) >= 2:
            records.append((number, record))
    return records


def _part_name(layout: ListLayout, sheet: str) -> str:
    name = f"List {layout.number}"
    return name if _header_text(sheet) == name.lower() else f"{name}, sheet '{sheet}'"


def _has_own_columns(listed: _FoundList) -> bool:
    """List 8 is read for its missing and away counts only: without them it holds nothing for us."""
    if listed.layout.dataset.name != "cla_missing_counts":
        return True
    return bool({"missing_episodes", "away_episodes"} & listed.labels.keys())


def _title(layout: ListLayout) -> str:
    return f"List {layout.number}, {layout.dataset.title.lower()}"


def _refuse_unrecognised(path: Path, listed: _FoundList) -> None:
    """A list whose header row lacks a column it needs is refused, never loaded without it or skipped."""
    layout = listed.layout
    if listed.header_row is None:
        needed = ", ".join(f"'{layout.header_of(c)}'" for c in layout.needed)
        raise ExtractError(
            path,
            f"sheet '{listed.sheet}' is named for {_title(layout)}, but none of its first {HEADER_SEARCH_ROWS} "
            f"rows is a header row with its columns: it needs {needed}. Correct the headers, or rename the sheet "
            "if it holds something else",
        )
    lacking = listed.lacking
    if lacking:
        headers = ", ".join(f"'{h}'" for h in listed.written)
        raise ExtractError(
            path,
            f"sheet '{listed.sheet}' ({_title(layout)}) has no column headed "
            f"{', '.join(repr(layout.header_of(c)) for c in lacking)} (or a known variant), so the list cannot be "
            f"read; its header row is row {listed.header_row}, with {headers}",
        )


def _window(
    path: Path, found: list[tuple[_FoundList, list]], coverage: tuple[date, date] | None
) -> tuple[date, date]:
    if coverage:
        return coverage
    dated = [
        (listed.layout, text_date(r.get(listed.layout.record_date)))
        for listed, records in found
        for _, r in records
    ]
    flows = span(d for layout, d in dated if layout.is_flow and d)
    if flows is None:
        raise ExtractError(
            path,
            "the workbook has no contacts (List 1) or referrals (List 3) to date the period it "
            "covers: name it with --from and --to",
        )
    end = max(flows[1], max(_latest_dates(found)))
    # Annex A covers a year at most: an older date is a typing error, to be rejected as outside
    # the window, not a reason to replace years of what the warehouse holds.
    return max(flows[0], end - timedelta(days=365)), end


def _latest_dates(found: list[tuple[_FoundList, list]]) -> list[date]:
    """The latest date in each list's dated columns but the date of birth: the return's as-at date."""
    latest = []
    for listed, records in found:
        dated = [
            c.name for c in listed.layout.dataset.columns if c.kind is Kind.DATE and c.name != "date_of_birth"
        ]
        days = [d for _, r in records for d in (text_date(r.get(c)) for c in dated) if d]
        latest += [max(days)] if days else []
    return latest


def read_annex_a(
    path: Path, la_code: str | None, coverage: tuple[date, date] | None = None, data: bytes | None = None
) -> list[RawExtract]:
    """One native extract per list the workbook holds. A list with no rows is left out, and said in
    the notes; a list whose headers lack a column it needs is refused with the whole workbook."""
    lists = _find_lists(path, path.read_bytes() if data is None else data)
    if not lists:
        raise ExtractError(
            path,
            "the file is an Excel workbook, but no Annex A list was found in it: no sheet has a header row "
            f"(within its first {HEADER_SEARCH_ROWS} rows) with the columns of List 1, 3, 4, 5, 7 or 8. A native "
            "extract must be saved from Excel as 'CSV UTF-8'",
        )
    la_code = require_la(path, la_code, "an Annex A workbook")
    notes = []
    for listed in lists:
        if listed.blank:
            notes.append(f"sheet '{listed.sheet}' ({_title(listed.layout)}) is empty: no rows")
        else:
            _refuse_unrecognised(path, listed)
    found = []
    for listed in lists:
        if listed.blank:
            continue
        if not _has_own_columns(listed):
            notes.append(
                f"sheet '{listed.sheet}' ({_title(listed.layout)}) has no column of missing or away "
                "episodes: nothing read from it"
            )
            continue
        records = _records(listed)
        if records:
            found.append((listed, records))
        else:
            notes.append(
                f"sheet '{listed.sheet}' ({_title(listed.layout)}) has a header row but no rows: no rows"
            )
    if not found:
        raise ExtractError(path, "the Annex A lists in the workbook have headers but no rows")
    window = _window(path, found, coverage)
    extracts = []
    for listed, records in found:
        layout = listed.layout
        out = NativeRows(
            path,
            layout.dataset,
            part=_part_name(layout, listed.sheet),
            field_labels=listed.labels,
            derived_id_columns=(layout.dataset.id_column,),
        )
        out.ignored_columns = listed.ignored
        for number, record in records:
            if layout.dataset.name == "cla_missing_counts":
                record["as_at_date"] = window[1].isoformat()
            if layout.dataset.name == "s47" and record.get("icpc_date"):
                record["outcome"] = "ICPC"  # the only outcome Annex A tells us
            record[layout.dataset.id_column] = out.record_id(
                record.get("child_id"), record.get(layout.record_date)
            )
            out.add(number, record)
        extracts.append(out.extract(la_code, window))
    extracts[0].notes = notes  # said once, with the workbook's first list
    return extracts
