"""The bad-input corpus of every reader: each case a file (built here, so that what is wrong with it
is visible beside the message it must produce) and the message a load of it must give.

The native CSV corpus of tests/data/bad (its expected.csv) is read as it is and joins these cases.
There is no Excel native extract to have a corpus of: a workbook is always read as Annex A
(docs/extract-formats.md), so the Annex A cases are the workbook cases.

A case whose `message` is None is not necessarily bad: the load may take it or refuse it with a
message, but must never crash. A case with `bug` set fails today for the reason given (see the
tests that run them: they are marked xfail, strict, so the fix shows).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tests.etl.test_cin_xml import BILLION_LAUGHS
from tests.etl.test_cin_xml import GOOD as GOOD_CENSUS
from tests.helpers import CONTACT_HEADER, REFERRAL_HEADER, contact, extract_rows, referral, workbook
from tests.reliability.baseline import CITY
from warehouse.model.files import active_model

BAD_NATIVE = Path(__file__).resolve().parents[1] / "data" / "bad"

DATASETS = active_model().datasets


@dataclass(frozen=True)
class Case:
    reader: str
    name: str
    build: Callable[[Path], Path]  # writes the file(s) into an empty folder; returns the file to load
    options: tuple[str, ...] = ()  # the `safeguard load` options it is loaded with
    message: str | None = None  # what the refusal must say (besides naming the file)
    bug: str | None = None  # why it fails today, if it does
    loads: int | None = None  # a valid file in an awkward form (valid_cases): the rows its load must hold

    @property
    def id(self) -> str:
        return f"{self.reader}-{self.name}"


def _bytes(name: str, data: bytes) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        (folder / name).write_bytes(data)
        return folder / name

    return build


def _text(name: str, text: str) -> Callable[[Path], Path]:
    return _bytes(name, text.encode("utf-8"))


def _files(main: str, files: dict[str, str]) -> Callable[[Path], Path]:
    """Several files side by side (a return and the companion files read from its folder)."""

    def build(folder: Path) -> Path:
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        return folder / main

    return build


# --- native CSV extracts ------------------------------------------------------------------


def _native(rows: list[dict[str, str]], dataset: str = "contacts", line_end: str = "\r\n") -> str:
    """A native extract as text (tests/helpers.py's rows), with the line ending asked for."""
    spec = DATASETS[dataset]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(spec.column_names), lineterminator=line_end)
    writer.writeheader()
    writer.writerows(extract_rows(dataset, rows))
    return out.getvalue()


def _tests_data_bad() -> list[Case]:
    cases = []
    with open(BAD_NATIVE / "expected.csv", encoding="utf-8") as expected:
        rows = list(csv.DictReader(expected))
    for row in rows:

        def build(folder: Path, name: str = row["file"]) -> Path:
            (folder / name).write_bytes((BAD_NATIVE / name).read_bytes())
            return folder / name

        options = ("--dataset", row["dataset_option"]) if row["dataset_option"] else ()
        cases.append(Case("native_csv", row["file"].removesuffix(".csv"), build, options, row["message"]))
    return cases


NATIVE = [
    Case(
        "native_csv",
        "pdf_saved_as_csv",
        _bytes("report.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"),
        message="the file is a PDF document, not CSV text",
    ),
    Case(
        "native_csv",
        "old_excel_saved_as_csv",
        _bytes("book.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)),
        message="the file is an old Excel workbook (.xls), not CSV text",
    ),
    Case(
        "native_csv",
        "html_saved_as_csv",
        _text("page.csv", "<html><body>Export</body></html>\n"),
        message="the file is XML but not a CIN census",
    ),
    Case(
        "native_csv",
        "blank_first_line",
        _text("blank.csv", "\n" + _native([{}])),
        message="no header row: the first line is blank",
    ),
    Case(
        "native_csv",
        "two_windows",
        _text("windows.csv", _native([{}, {"coverage_start": "2024-05-01"}])),
        message="coverage_start must hold the same single value on every row; found 2024-04-01, 2024-05-01",
    ),
    Case(
        "native_csv",
        "blank_la_code",
        _text("no_la.csv", _native([{"la_code": ""}, {"la_code": " "}])),
        message="la_code must hold the same single value on every row; found nothing",
    ),
    Case(
        "native_csv",
        "impossible_window_date",
        _text("feb.csv", _native([{"coverage_end": "31/02/2025"}])),
        message="coverage_end '31/02/2025' is not a date",
    ),
    Case(
        "native_csv",
        "areas_blank_area_code",
        _text("areas.csv", f"la_code,area_code,area_name\n{CITY},NCL-E,East\n{CITY},,West\n"),
        message="row 3: area_code is required but is blank",
    ),
    Case(
        "native_csv",
        "areas_two_las",
        _text("areas.csv", f"la_code,area_code,area_name\n{CITY},NCL-E,East\nE06000057,NLD-W,West\n"),
        message="la_code must hold the same single value on every row",
    ),
    Case(
        "native_csv",
        "areas_code_twice",
        _text("areas.csv", f"la_code,area_code,area_name\n{CITY},NCL-E,East\n{CITY},NCL-E,Also east\n"),
        message="area_code 'NCL-E' is listed more than once",
    ),
    Case(
        "native_csv",
        "areas_header_only",
        _text("areas.csv", "la_code,area_code,area_name\n"),
        message="the file has a header but no rows",
    ),
    # An unbalanced quote makes the rest of the file one cell: over the csv module's 128 KiB a cell.
    Case(
        "native_csv",
        "areas_stray_quote",
        _text(
            "areas.csv",
            f'la_code,area_code,area_name\n{CITY},NCL-E,"East\n'
            + "".join(f"{CITY},A{i},Area {i}\n" for i in range(6000)),
        ),
        message="the file is not valid CSV: the row that starts on line 2 cannot be read; a quote may be "
        "unbalanced",
    ),
]


# --- SSDA903: the missing file, with its header and episodes files beside it ---------------

MISSING_HEADER = "CHILD,DOB,MISSING,MIS_START,MIS_END\n"
MISSING_ROW = "C1,01/03/2010,M,01/06/2024,02/06/2024\n"
SSDA903 = ("--format", "ssda903", "--la", CITY)

SSDA903_CASES = [
    Case(
        "ssda903",
        "no_la",
        _text("missing.csv", MISSING_HEADER + MISSING_ROW),
        ("--format", "ssda903"),
        message="an SSDA903 return carries no LA code: name it with --la",
    ),
    Case(
        "ssda903",
        "missing_column",
        _text("missing.csv", "CHILD,DOB,MISSING,MIS_END\nC1,01/03/2010,M,\n"),
        SSDA903,
        message="missing required columns for an SSDA903 missing file: MIS_START",
    ),
    Case("ssda903", "empty", _text("missing.csv", ""), SSDA903, message="the file is empty"),
    Case(
        "ssda903",
        "binary",
        _bytes("missing.csv", b"CHILD,DOB\x00\x00\x01"),
        SSDA903,
        message="the file is binary (it contains NUL bytes)",
    ),
    Case(
        "ssda903",
        "not_text",
        _bytes("missing.csv", MISSING_HEADER.encode() + b"C\x81,x,M,01/06/2024,\n"),
        SSDA903,
        message="neither UTF-8 nor Windows-1252 (cp1252) text: byte 0x81 on line 2",
    ),
    # Without --format: a file with CHILD and the missing file's own columns is told to be SSDA903.
    Case(
        "ssda903",
        "missing_column_told_from_header",
        _text("missing.csv", "CHILD,DOB,MISSING,MIS_END\nC1,01/03/2010,M,\n"),
        ("--la", CITY),
        message="missing required columns for an SSDA903 missing file: MIS_START",
    ),
    Case(
        "ssda903",
        "header_file_without_child",
        _files(
            "missing.csv",
            {"missing.csv": MISSING_HEADER + MISSING_ROW, "header.csv": "ID,SEX,ETHNIC\nC1,1,WBRI\n"},
        ),
        SSDA903,
        message="the header file beside it, header.csv, has no CHILD column. Its header has: ID, SEX, ETHNIC",
    ),
    Case(
        "ssda903",
        "episodes_file_without_child",
        _files(
            "missing.csv",
            {"missing.csv": MISSING_HEADER + MISSING_ROW, "episodes.csv": "ID,DECOM,DEC\nC1,01/01/2020,\n"},
        ),
        SSDA903,
        message="the episodes file beside it, episodes.csv, has no CHILD column. Its header has: ID, "
        "DECOM, DEC",
    ),
    Case(
        "ssda903",
        "stray_quote",
        _text(
            "missing.csv",
            MISSING_HEADER
            + 'C1,01/03/2010,M,"01/06/2024,\n'
            + "".join(f"C{i},01/03/2010,M,01/06/2024,\n" for i in range(5000)),
        ),
        SSDA903,
        message="the file is not valid CSV: the row that starts on line 2 cannot be read; a quote may be "
        "unbalanced",
    ),
]


# --- CIN census XML --------------------------------------------------------------------------


def _census(name: str, text: str) -> Callable[[Path], Path]:
    return _text(f"{name}.xml", text)


CIN = [
    Case(
        "cin_xml",
        "not_well_formed",
        _census("cut", GOOD_CENSUS.replace("</Message>", "")),
        message="the file is not well-formed XML: no element found on line 7",
    ),
    Case(
        "cin_xml",
        "declares_a_dtd",
        _census("laughs", BILLION_LAUGHS),
        message="the XML declares a DTD or entities, which a CIN census file never does; it was refused "
        "unread",
    ),
    Case(
        "cin_xml",
        "another_collection",
        _census("school", GOOD_CENSUS.replace("<Collection>CIN</", "<Collection>SCHOOLCENSUS</")),
        message="the file is XML but not a CIN census",
    ),
    Case(
        "cin_xml",
        "lea_not_english",
        _census("lea", GOOD_CENSUS.replace("<LEA>391<", "<LEA>999<")),
        message="LEA '999' in the header is not an English LA's 3-digit DfE code",
    ),
    Case(
        "cin_xml",
        "lea_contradicts_la",
        _census("other_la", GOOD_CENSUS),
        ("--la", "E06000057"),
        message="the header's LEA 391 is E08000021, but the load named E06000057",
    ),
    Case(
        "cin_xml",
        "no_lea_and_no_la",
        _census("no_lea", GOOD_CENSUS.replace("<LEA>391</LEA>", "")),
        message="the header has no LEA: name the LA with --la",
    ),
    Case(
        "cin_xml",
        "no_reference_date",
        _census("no_date", GOOD_CENSUS.replace("<ReferenceDate>2024-03-31</ReferenceDate>", "")),
        message="the header has no ReferenceDate (the census date): name the window with --from and --to",
    ),
    Case(
        "cin_xml",
        "no_children",
        _census("none", GOOD_CENSUS.split("<Children>")[0] + "<Children/></Message>"),
        message="the census has no Child elements",
    ),
    Case(
        "cin_xml",
        "no_referrals",
        _census("no_ref", GOOD_CENSUS.split("<CINdetails>")[0] + "</Child></Children></Message>"),
        message="the census has children but no referrals (CINdetails) in it",
    ),
    Case("cin_xml", "empty_file", _census("empty", ""), message="the file is empty"),
    Case(
        "cin_xml",
        "dtd_without_format",
        _census(
            "doctype",
            GOOD_CENSUS.replace("<Message>", '<!DOCTYPE Message [<!ENTITY c "CIN">]>\n<Message>').replace(
                ">CIN<", ">&c;<"
            ),
        ),
        message="the XML declares a DTD or entities, which a CIN census file never does",
    ),
    Case(
        "cin_xml",
        "unreadable_reference_date",
        _census("typo", GOOD_CENSUS.replace("<ReferenceDate>2024-03-31", "<ReferenceDate>2024-13-31")),
        message="ReferenceDate '2024-13-31' in the header is not a date (the census date, as YYYY-MM-DD)",
    ),
    Case(
        "cin_xml",
        "unknown_encoding",
        _census("enc", GOOD_CENSUS.replace('version="1.0"?>', 'version="1.0" encoding="x-unheard-of"?>')),
        message="the XML declares an encoding ('x-unheard-of') that is not known",
    ),
]


# --- Ofsted Annex A workbooks -----------------------------------------------------------------

ANNEX_A = ("--la", CITY)
GOOD_SHEETS = {"List 1": [CONTACT_HEADER, contact(1, datetime(2024, 6, 2)), contact(2, datetime(2024, 6, 3))]}


def _workbook(name: str, sheets: dict[str, list[list]]) -> Callable[[Path], Path]:
    return lambda folder: workbook(folder / f"{name}.xlsx", sheets)


def _damaged_workbook(name: str, damage: Callable[[str, bytes], bytes]) -> Callable[[Path], Path]:
    """A good workbook with each member of its zip passed through `damage(member name, bytes)`, the
    zip itself left valid, as a save interrupted or a file corrupted in transit can leave it."""

    def build(folder: Path) -> Path:
        good = workbook(folder / "good.xlsx", GOOD_SHEETS)
        damaged = io.BytesIO()
        with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w", zipfile.ZIP_DEFLATED) as out:
            for member in source.infolist():
                out.writestr(member, damage(member.filename, source.read(member.filename)))
        good.unlink()
        (folder / f"{name}.xlsx").write_bytes(damaged.getvalue())
        return folder / f"{name}.xlsx"

    return build


def _truncated_sheet(member: str, data: bytes) -> bytes:
    return data[: len(data) // 2] if member.startswith("xl/worksheets/") else data


def _missing_shared_string(member: str, data: bytes) -> bytes:
    """The header's first cell made a reference to text 7 of a text table the workbook lacks."""
    if not member.startswith("xl/worksheets/"):
        return data
    return data.replace(b't="inlineStr"><is><t>Child Unique ID</t></is>', b't="s"><v>7</v>', 1)


def _flipped_compressed_bytes(folder: Path) -> Path:
    """A workbook whose compressed sheet data has bits flipped (the zip directory is intact)."""
    good = workbook(folder / "flipped.xlsx", GOOD_SHEETS)
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as book:
        sheet = book.getinfo("xl/worksheets/sheet1.xml")
    start = sheet.header_offset + 30 + len(sheet.filename.encode()) + len(sheet.extra)
    for offset in range(start + 8, start + sheet.compress_size - 8, 7):
        data[offset] ^= 0x5A
    good.write_bytes(bytes(data))
    return good


def _not_a_workbook_zip(folder: Path) -> Path:
    with zipfile.ZipFile(folder / "photos.xlsx", "w") as archive:
        archive.writestr("holiday.txt", "not a workbook")
    return folder / "photos.xlsx"


def _truncated_zip(folder: Path) -> Path:
    good = workbook(folder / "cut.xlsx", GOOD_SHEETS)
    good.write_bytes(good.read_bytes()[:1500])
    return good


ANNEX_A_CASES = [
    Case(
        "annex_a",
        "no_la",
        _workbook("no_la", GOOD_SHEETS),
        message="an Annex A workbook carries no LA code: name it with --la",
    ),
    Case(
        "annex_a",
        "no_lists",
        _workbook("totals", {"Sheet1": [["Name", "Total"], ["a", 1]]}),
        ANNEX_A,
        message="the file is an Excel workbook, but no Annex A list was found in it",
    ),
    Case(
        "annex_a",
        "missing_column",
        _workbook("short", {"List 3": [REFERRAL_HEADER[:7], referral(1, datetime(2024, 6, 3))[:7]]}),
        ANNEX_A,
        message="sheet 'List 3' (List 3, referrals) has no column headed 'Referral NFA?' (or a known variant)",
    ),
    Case(
        "annex_a",
        "header_typo",
        _workbook(
            "typo",
            {
                "Referrals": [
                    [h.replace("Date of Referral", "Date of Refferal") for h in REFERRAL_HEADER],
                    referral(1, datetime(2024, 6, 3)),
                ],
                **GOOD_SHEETS,
            },
        ),
        ANNEX_A,
        message="sheet 'Referrals' (List 3, referrals) has no column headed 'Date of Referral' (or a known variant)",
    ),
    Case(
        "annex_a",
        "same_list_twice",
        _workbook("twice", {"Contacts": GOOD_SHEETS["List 1"], "Contacts (copy)": GOOD_SHEETS["List 1"]}),
        ANNEX_A,
        message="sheets 'Contacts' and 'Contacts (copy)' both hold List 1 (contacts): remove one",
    ),
    Case(
        "annex_a",
        "headers_only",
        _workbook("headers", {"List 1": [CONTACT_HEADER]}),
        ANNEX_A,
        message="the Annex A lists in the workbook have headers but no rows",
    ),
    Case(
        "annex_a",
        "text_named_xlsx",
        _text("text.xlsx", "this is not a workbook\n"),
        ("--format", "annex_a", *ANNEX_A),
        message="the file is not a readable Excel workbook (.xlsx)",
    ),
    Case(
        "annex_a",
        "truncated_zip",
        _truncated_zip,
        ("--format", "annex_a", *ANNEX_A),
        message="the file is not a readable Excel workbook (.xlsx)",
    ),
    Case(
        "annex_a",
        "zip_of_something_else",
        _not_a_workbook_zip,
        ANNEX_A,
        message="the file is not a readable Excel workbook (.xlsx)",
    ),
    # openpyxl reads sheets lazily (read_only=True): a damaged sheet shows only when it is read.
    Case(
        "annex_a",
        "missing_shared_string",
        _damaged_workbook("no_text", _missing_shared_string),
        ANNEX_A,
        message="the file is not a readable Excel workbook (.xlsx)",
    ),
    Case(
        "annex_a",
        "truncated_sheet_xml",
        _damaged_workbook("half_sheet", _truncated_sheet),
        ANNEX_A,
        message="the file is not a readable Excel workbook (.xlsx)",
    ),
    Case(
        "annex_a",
        "corrupt_compressed_data",
        _flipped_compressed_bytes,
        ANNEX_A,
        message="the file is not a readable Excel workbook (.xlsx)",
    ),
    # Named .xlsx but not a workbook, loaded without --format: told in words about workbooks.
    Case(
        "annex_a",
        "csv_named_xlsx",
        _text("annex_a.xlsx", "child_id,contact_date\nC1,2024-06-01\n"),
        ("--la", CITY),
        message="the file is named .xlsx but is not an Excel workbook: it is not a zip file",
    ),
    Case(
        "annex_a",
        "old_xls_named_xlsx",
        _bytes("annex_a.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)),
        ("--la", CITY),
        message="the file is named .xlsx but is not an Excel workbook: it is an old Excel 97-2003",
    ),
]


def every_case() -> list[Case]:
    return [*_tests_data_bad(), *NATIVE, *SSDA903_CASES, *CIN, *ANNEX_A_CASES]


# --- valid files in awkward forms: each must load, and hold the rows it carries ----------------

VALID = [
    # Excel for Mac's "CSV (Macintosh)" ends lines with a bare carriage return.
    Case("native_csv", "classic_mac_line_endings", _text("mac.csv", _native([{}], line_end="\r")), loads=1),
    Case(
        "native_csv",
        "areas_classic_mac_line_endings",
        _text("areas.csv", f"la_code,area_code,area_name\r{CITY},NCL-E,East\r"),
        loads=1,
    ),
    # A return with nothing in its period: 0 rows with a note, not a failure.
    Case("ssda903", "header_only", _text("missing.csv", MISSING_HEADER), SSDA903, loads=0),
    Case(
        "ssda903",
        "classic_mac_line_endings",
        _text("missing.csv", (MISSING_HEADER + MISSING_ROW).replace("\n", "\r")),
        SSDA903,
        loads=1,
    ),
    # A census dated 29 February: its year starts on 1 March of the year before (which has no 29th).
    Case(
        "cin_xml",
        "leap_day_reference_date",
        _census("leap", GOOD_CENSUS.replace("2024-03-31", "2024-02-29")),
        loads=1,
    ),
]


def valid_cases() -> list[Case]:
    return VALID
