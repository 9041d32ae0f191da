"""The audit results template and reading it back: the Excel template opened with openpyxl (its
instructions, header, checks and the criteria offered), filled in and read back; the CSV twin; and
every refusal, naming the sheet or file, the row and the field, with nothing returned."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from appstate.audit_results_file import (
    INSTRUCTIONS,
    ResultsFileError,
    read_results,
    template_csv,
    template_xlsx,
)
from appstate.reviews import ResultRow

HEADER = ["Criterion", "Cases audited", "Cases meeting it"]


def _filled(rows: list[list[object]], template: bytes | None = None) -> bytes:
    book = load_workbook(io.BytesIO(template or template_xlsx([])))
    for row in rows:
        book["Results"].append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv(rows: list[list[object]], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode("utf-8")


def test_the_excel_template_has_instructions_the_checks_and_the_criteria_used():
    book = load_workbook(io.BytesIO(template_xlsx(["Thresholds appropriate", "=HYPERLINK(1)"])))
    assert book.sheetnames == ["Instructions", "Results", "Criteria"]
    assert [row[0] for row in book["Instructions"].iter_rows(values_only=True)] == list(INSTRUCTIONS)
    assert [c.value for c in book["Results"][1]] == HEADER
    assert [c.value for c in book["Criteria"]["A"]] == [
        "Thresholds appropriate",
        "'=HYPERLINK(1)",
    ]  # never run
    checks = {str(v.sqref): (v.type, v.formula1) for v in book["Results"].data_validations.dataValidation}
    assert checks == {
        "B2:B201": ("whole", "1"),
        "C2:C201": ("custom", "AND(ISNUMBER(C2),C2=INT(C2),C2>=0,C2<=B2)"),
        "A2:A201": ("list", "=Criteria!$A$1:$A$2"),
    }


def test_a_filled_template_reads_back_row_by_row():
    content = _filled(
        [["Thresholds appropriate", 50, 43], [None, None, None], ["Voice of the child recorded", 20, 15]],
        template_xlsx(["Thresholds appropriate"]),
    )
    assert read_results(content, "Audit May.XLSX") == [
        ResultRow("Thresholds appropriate", 50, 43, "sheet 'Results', row 2"),  # the blank row 3 skipped
        ResultRow("Voice of the child recorded", 20, 15, "sheet 'Results', row 4"),
    ]


def test_the_csv_twin_is_the_header_and_reads_back_the_same():
    assert next(csv.reader(io.StringIO(template_csv()))) == HEADER
    content = (template_csv() + "Thresholds appropriate,50,43\r\n").encode("utf-8-sig")  # Excel's BOM
    assert read_results(content, "audit.csv") == [
        ResultRow("Thresholds appropriate", 50, 43, "file 'audit.csv', row 2")
    ]


def test_every_bad_row_is_named_and_nothing_is_returned():
    content = _filled(
        [
            ["Thresholds appropriate", 50, 43],
            ["", 50, 43],
            ["Voice recorded", 0, 0],
            ["Plans on time", 20, 21],
            ["Consent", "ten", 5],
            ["Strategy", 10, 4.5],
        ]
    )
    with pytest.raises(ResultsFileError) as refused:
        read_results(content, "audit.xlsx")
    assert refused.value.problems == [
        "sheet 'Results', row 3, field 'Criterion' is required",
        "sheet 'Results', row 4, field 'Cases audited' is at least 1; not 0",
        "sheet 'Results', row 5, field 'Cases meeting it' (21) is more than the cases audited (20)",
        "sheet 'Results', row 6, field 'Cases audited' is a whole number; not 'ten'",
        "sheet 'Results', row 7, field 'Cases meeting it' is a whole number; not 4.5",
    ]


def test_a_csv_row_error_names_the_file():
    with pytest.raises(
        ResultsFileError, match=r"^file 'a.csv', row 2, field 'Cases meeting it' is required$"
    ):
        read_results(_csv([["Thresholds", "50", ""]]), "a.csv")


def test_at_most_ten_problems_are_listed():
    with pytest.raises(ResultsFileError) as refused:
        read_results(_csv([["", "1", "1"]] * 12), "a.csv")
    assert len(refused.value.problems) == 10 and refused.value.problems[-1].startswith(
        "file 'a.csv', row 11,"
    )


def _no_results_sheet() -> bytes:
    book = Workbook()
    book.active.title = "Sheet1"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (_no_results_sheet(), "audit.xlsx", "file 'audit.xlsx' has no sheet 'Results'"),
        (b"not a zip", "audit.xlsx", "file 'audit.xlsx' is not an Excel workbook"),
        (
            b"",
            "audit.csv",
            "file 'audit.csv' is empty: it needs the header row Criterion, Cases audited, Cases meeting it",
        ),
        (
            _csv([["x", "1", "1"]], header=["Criterion", "Cases", "Met"]),
            "audit.csv",
            "file 'audit.csv', row 1: the header is Criterion, Cases, Met; it should be Criterion, Cases audited, Cases meeting it",
        ),
        (_csv([]), "audit.csv", "file 'audit.csv' has no results below its header"),
        (_filled([]), "audit.xlsx", "sheet 'Results' has no results below its header"),
        ("Criterion\n".encode("utf-16"), "audit.csv", "file 'audit.csv' is not UTF-8 text"),
        (b"Criterion", "audit.ods", "file 'audit.ods' is neither .xlsx nor .csv"),
        (
            b"x" * 2_000_001,
            "audit.csv",
            "file 'audit.csv' is 2,000,001 bytes; a results file is at most 2,000,000",
        ),
        (
            _csv([["x", "1", "1"]] * 1001),
            "audit.csv",
            "file 'audit.csv' has 1,001 rows below its header; at most 1,000",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(content, filename, message):
    with pytest.raises(ResultsFileError) as refused:
        read_results(content, filename)
    assert refused.value.problems[0].startswith(message)
