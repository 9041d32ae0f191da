"""An audit's results as a file: the template the audit's lead fills in (Excel, with instructions
and data validation, or its CSV twin) and reading a filled-in one back.

Reading checks every row with the same rule the page's form uses (`checked_result`), and an error
names the sheet (or file), the row and the field. A file with any bad row loads nothing: the rows
come back only when every one is good, and appstate/reviews.py `record_results` stores them in one
transaction.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from appstate.reviews import CASES, CRITERION, MET, ResultRow, checked_result
from etl.spreadsheets import neutralise

RESULTS_SHEET = "Results"
INSTRUCTIONS_SHEET = "Instructions"
CRITERIA_SHEET = "Criteria"
HEADER = (CRITERION, CASES, MET)
TEMPLATE_ROWS = 200  # the rows the template's validation covers
MAX_ERRORS = 10  # a file's first errors, so the message stays readable
MAX_BYTES = 2_000_000  # an audit's results are a few hundred rows at most: far under this
MAX_ROWS = 1000

INSTRUCTIONS = (
    "Audit results: one row per criterion on the 'Results' sheet.",
    (
        f"{CRITERION}: what the audit checked, e.g. 'Thresholds appropriate'. Word a criterion the "
        "audits used before as it was worded then (the 'Criteria' sheet lists them; the drop-down "
        "offers them) so that this audit is compared with the last; case and punctuation do not matter."
    ),
    f"{CASES}: how many cases the audit looked at, a whole number of at least 1.",
    f"{MET}: how many of those cases met the criterion, a whole number no more than the cases audited.",
    "Do not type a percentage: the dashboard works it out from the two numbers.",
    "Write about the system, never about a child: no names, no case details.",
    (
        "Leave the header row as it is. A file with any bad row is refused whole, and the message "
        "names the sheet, the row and the field to correct."
    ),
)


class ResultsFileError(ValueError):
    """A results file that cannot be loaded, with every problem found (up to MAX_ERRORS)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def template_xlsx(criteria: list[str]) -> bytes:
    """The Excel template: instructions, the results sheet with its checks, and the criteria used."""
    book = Workbook()
    instructions = book.worksheets[0]
    instructions.title = INSTRUCTIONS_SHEET
    for line in INSTRUCTIONS:
        instructions.append([line])
    instructions.column_dimensions["A"].width = 110
    results = book.create_sheet(RESULTS_SHEET)
    results.append(list(HEADER))
    for cell in results[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABC", (60, 16, 18), strict=True):
        results.column_dimensions[letter].width = width
    used = book.create_sheet(CRITERIA_SHEET)
    for criterion in criteria:
        used.append([neutralise(criterion)])
    last = TEMPLATE_ROWS + 1
    counts = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="1",
        showErrorMessage=True,
        errorTitle=CASES,
        error=f"{CASES} is a whole number of at least 1.",
    )
    counts.add(f"B2:B{last}")
    meeting = DataValidation(
        type="custom",
        formula1="AND(ISNUMBER(C2),C2=INT(C2),C2>=0,C2<=B2)",
        showErrorMessage=True,
        errorTitle=MET,
        error=f"{MET} is a whole number from 0 to the cases audited.",
    )
    meeting.add(f"C2:C{last}")
    results.add_data_validation(counts)
    results.add_data_validation(meeting)
    if criteria:  # offered, not imposed: a new criterion is typed in the same cell
        offered = DataValidation(
            type="list", formula1=f"={CRITERIA_SHEET}!$A$1:$A${len(criteria)}", showErrorMessage=False
        )
        offered.add(f"A2:A{last}")
        results.add_data_validation(offered)
    content = io.BytesIO()
    book.save(content)
    return content.getvalue()


def template_csv() -> str:
    """The CSV twin: the header row only (instructions live in the Excel template and the page)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(HEADER)
    return out.getvalue()


def _rows(cells: Sequence[Sequence[object]], where: str) -> list[ResultRow]:
    """Rows after the header checked; every problem is collected before any row is returned."""
    if not cells:
        raise ResultsFileError([f"{where} is empty: it needs the header row {', '.join(HEADER)}"])
    header = tuple(str(c).strip() if c is not None else "" for c in cells[0][: len(HEADER)])
    if header != HEADER:
        raise ResultsFileError(
            [
                f"{where}, row 1: the header is {', '.join(header) or 'empty'}; it should be {', '.join(HEADER)}"
            ]
        )
    if len(cells) - 1 > MAX_ROWS:
        raise ResultsFileError(
            [f"{where} has {len(cells) - 1:,} rows below its header; at most {MAX_ROWS:,}"]
        )
    problems: list[str] = []
    rows: list[ResultRow] = []
    for number, values in enumerate(cells[1:], start=2):
        criterion, cases, met = (list(values) + [None] * len(HEADER))[: len(HEADER)]
        if all(v is None or str(v).strip() == "" for v in (criterion, cases, met)):
            continue  # a blank row, as a spreadsheet leaves
        try:
            rows.append(checked_result(criterion, cases, met, where=f"{where}, row {number}"))
        except ValueError as error:
            problems.append(str(error))
    if problems:
        raise ResultsFileError(problems[:MAX_ERRORS])
    if not rows:
        raise ResultsFileError([f"{where} has no results below its header"])
    return rows


def read_results(content: bytes, filename: str) -> list[ResultRow]:
    """The results in an uploaded .xlsx or .csv, all checked; ResultsFileError otherwise."""
    if len(content) > MAX_BYTES:
        raise ResultsFileError(
            [f"file '{filename}' is {len(content):,} bytes; a results file is at most {MAX_BYTES:,}"]
        )
    if filename.lower().endswith(".xlsx"):
        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (BadZipFile, OSError, KeyError, ValueError) as error:
            raise ResultsFileError([f"file '{filename}' is not an Excel workbook ({error})"]) from None
        if RESULTS_SHEET not in book.sheetnames:
            raise ResultsFileError([f"file '{filename}' has no sheet '{RESULTS_SHEET}'"])
        cells = [list(row) for row in book[RESULTS_SHEET].iter_rows(values_only=True)]
        book.close()
        return _rows(cells, f"sheet '{RESULTS_SHEET}'")
    if filename.lower().endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ResultsFileError([f"file '{filename}' is not UTF-8 text"]) from None
        return _rows([list(row) for row in csv.reader(io.StringIO(text))], f"file '{filename}'")
    raise ResultsFileError([f"file '{filename}' is neither .xlsx nor .csv"])
