"""Resource limits, as `safeguard load` meets them in a process of its own: hostile workbooks (a zip
bomb, an oversized sheet) are refused within seconds, saying why, and a load's peak memory stays
under 1 GB, measured on the process (its peak resident set size) rather than estimated.

Each load runs in a small parent process that runs `python -m etl.cli load` and reports the load's
wall time and the peak RSS of its children: the test's own process, and any load run before, do not
count. The fast mode (inside `make test`) builds a smaller zip bomb and loads every hostile file in
one process; the full mode (`make reliability`) loads each on its own, at the size of the issue that
found this (a 537 kB workbook that unzipped to 16,000 contacts with 30,000-character child IDs), and
loads the largest file of each format that a load takes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from etl import limits
from tests.helpers import CONTACT_HEADER, contact, workbook
from tests.reliability.baseline import TEST_KEY
from tests.reliability.modes import FULL

pytestmark = pytest.mark.reliability

GB_KB = 1 << 20  # ru_maxrss is in kB on Linux
SECONDS = 10
CITY = "E08000021"
# Rows of junk contacts in the zip bomb, each with a child ID of ID_CHARS characters.
BOMB_ROWS = 16_000 if FULL else 9_000
ID_CHARS = 30_000

_MEASURE = """
import json, resource, subprocess, sys, time
started = time.monotonic()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"code": done.returncode, "output": done.stdout + done.stderr,
                  "seconds": time.monotonic() - started,
                  "peak_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


@dataclass(frozen=True)
class Measured:
    code: int
    output: str
    seconds: float
    peak_kb: int


def _load(home: Path, *arguments: str) -> Measured:
    env = {
        **os.environ,
        "SAFEGUARD_HOME": str(home),
        "SAFEGUARD_PSEUDONYMISATION_KEY": TEST_KEY,
        "COLUMNS": "400",
    }
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, sys.executable, "-m", "etl.cli", "load", *arguments],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=True,
    )
    measured = Measured(**json.loads(done.stdout))
    print(
        f"{arguments[-1]}: exit {measured.code}, {measured.seconds:.1f} s, "
        f"peak RSS {measured.peak_kb / 1024:,.0f} MB"
    )
    return measured


SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHARED_STRINGS_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)


def _template(folder: Path) -> Path:
    return workbook(folder / "template.xlsx", {"List 1": [CONTACT_HEADER, contact(1, datetime(2024, 5, 1))]})


def _with_sheet(template: Path, target: Path, rows, text: str | None = None) -> Path:
    """The template workbook with its sheet's rows replaced by `rows` (chunks of <row> XML), zipped
    as it is written so that a sheet of any size costs no memory to build; `text` is added to the
    end of its text table (shared strings)."""
    with (
        zipfile.ZipFile(template) as old,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as new,
    ):
        if text is not None:  # openpyxl writes its text inline: the table is added, with its content type
            new.writestr("xl/sharedStrings.xml", f'<sst xmlns="{SHEET_NS}"><si><t>{text}</t></si></sst>')
        for item in old.infolist():
            if item.filename == "[Content_Types].xml" and text is not None:
                types = old.read(item.filename).decode().replace("</Types>", SHARED_STRINGS_TYPE + "</Types>")
                new.writestr(item, types.encode())
                continue
            if item.filename != "xl/worksheets/sheet1.xml":
                new.writestr(item, old.read(item.filename))
                continue
            sheet = old.read(item.filename).decode()
            head, rest = sheet.split("<sheetData>")
            header_row = rest.split("</row>")[0] + "</row>"
            tail = rest.split("</sheetData>")[1]
            with new.open(item.filename, "w") as out:
                out.write(f"{head}<sheetData>{header_row}".encode())
                for chunk in rows:
                    out.write(chunk)
                out.write(f"</sheetData>{tail}".encode())
    return target


def _contact_rows(first: int, count: int, child_id=lambda i: f"C{i}"):
    """Contacts (child, gender, date, source) as sheet XML, in chunks of 2,000 rows."""

    def row(i: int) -> str:
        return (
            f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>{child_id(i)}</t></is></c>'
            f'<c r="B{i}" t="inlineStr"><is><t>b) Female</t></is></c><c r="F{i}"><v>45413</v></c>'
            f'<c r="G{i}" t="inlineStr"><is><t>q) 6: Police</t></is></c></row>'
        )

    for start in range(first, first + count, 2_000):
        yield "".join(row(i) for i in range(start, min(start + 2_000, first + count))).encode()


def _unzipped(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        return sum(item.file_size for item in archive.infolist())


def _refused(measured: Measured, path: Path, says: str) -> None:
    assert measured.code == 1, measured.output
    assert f"{path}: not loaded: " in measured.output and says in measured.output, measured.output
    assert measured.seconds < SECONDS, measured
    assert measured.peak_kb < GB_KB, measured


def _bomb(folder: Path) -> tuple[Path, str]:
    """Junk contacts whose 30,000-character child IDs are written in every row: it unzips to far more
    than the limit, and is refused unopened."""
    junk_id = "J" * ID_CHARS
    bomb = _with_sheet(
        _template(folder), folder / "bomb.xlsx", _contact_rows(3, BOMB_ROWS, lambda i: junk_id)
    )
    unzipped = _unzipped(bomb)
    assert unzipped > BOMB_ROWS * ID_CHARS > limits.MAX_WORKBOOK_UNZIPPED_BYTES
    assert bomb.stat().st_size * 200 < unzipped  # a bomb: it unzips to hundreds of times its size
    return bomb, (
        f"the workbook unzips to {unzipped / limits.MB:,.0f} MB, more than the "
        f"{limits.MAX_WORKBOOK_UNZIPPED_BYTES / limits.MB:,.0f} MB a load takes"
    )


def _shared_junk(folder: Path) -> tuple[Path, str]:
    """The same junk through the workbook's text table: small unzipped, so it is read, and each
    30,000-character ID is a rejected row; every row rejected, the file is refused."""
    junk = 0  # the junk text's index in the text table, the only text in it

    def rows():
        for start in range(3, 3 + BOMB_ROWS, 2_000):
            yield "".join(
                f'<row r="{i}"><c r="A{i}" t="s"><v>{junk}</v></c><c r="F{i}"><v>45413</v></c>'
                f'<c r="G{i}" t="inlineStr"><is><t>q) 6: Police</t></is></c></row>'
                for i in range(start, min(start + 2_000, 3 + BOMB_ROWS))
            ).encode()

    path = _with_sheet(_template(folder), folder / "shared.xlsx", rows(), text="J" * ID_CHARS)
    assert _unzipped(path) < limits.MAX_SHARED_STRINGS_BYTES
    return path, f"every one of its {BOMB_ROWS:,} rows was rejected"


def _every_row_written(folder: Path) -> tuple[Path, str]:
    path = _with_sheet(_template(folder), folder / "rows.xlsx", _contact_rows(3, limits.MAX_SHEET_ROWS))
    return path, f"sheet 'List 1' has more than {limits.MAX_SHEET_ROWS:,} rows"


def _far_row(folder: Path) -> tuple[Path, str]:
    """Two rows, the second far down: the rows between are read as blank."""
    far = limits.MAX_SHEET_ROWS + 5
    far_row = f'<row r="{far}"><c r="A{far}" t="inlineStr"><is><t>x</t></is></c></row>'
    path = _with_sheet(_template(folder), folder / "far_row.xlsx", [far_row.encode()])
    return path, f"sheet 'List 1' has more than {limits.MAX_SHEET_ROWS:,} rows"


HOSTILE = {
    "zip_bomb": _bomb,
    "shared_junk_ids": _shared_junk,
    "oversized_sheet": _every_row_written,
    "far_away_row": _far_row,
}


@pytest.mark.skipif(not FULL, reason="one load of them all in the fast mode (the next test)")
@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_workbook_is_refused_within_seconds_and_under_1_gb(kind, tmp_path):
    path, says = HOSTILE[kind](tmp_path)
    _refused(_load(tmp_path / "home", "--la", CITY, str(path)), path, says)


@pytest.mark.skipif(FULL, reason="the full mode loads each on its own (the test before)")
def test_hostile_workbooks_in_one_load_are_each_refused_quickly_and_under_1_gb(tmp_path):
    """The cheap version, inside `make test`: one process (its start-up is most of the cost) for all."""
    built = {}
    for kind, build in HOSTILE.items():
        folder = tmp_path / kind
        folder.mkdir()
        built[kind] = build(folder)
    measured = _load(tmp_path / "home", "--la", CITY, *(str(path) for path, _ in built.values()))
    assert measured.code == 1, measured.output
    for path, says in built.values():
        refusal = next(
            line for line in measured.output.splitlines() if line.startswith(f"{path}: not loaded: ")
        )
        assert says in refusal, measured.output
    assert measured.seconds < SECONDS * len(built), measured
    assert measured.peak_kb < GB_KB, measured


@pytest.mark.skipif(not FULL, reason="a full-size load takes a minute: make reliability only")
def test_a_workbook_at_the_row_limit_loads_in_under_1_gb(tmp_path):
    rows = limits.MAX_SHEET_ROWS - 1  # with the header row, the most a sheet may hold
    path = _with_sheet(_template(tmp_path), tmp_path / "largest.xlsx", _contact_rows(2, rows))
    measured = _load(tmp_path / "home", "--la", CITY, "--from", "2024-04-01", "--to", "2025-03-31", str(path))
    assert measured.code == 0, measured.output
    assert measured.peak_kb < GB_KB, measured


# --- the largest file of each format that a load takes, in under 1 GB -----------------------------


def _native_contacts(path: Path, size: int) -> Path:
    from warehouse.model.files import active_model

    DATASETS = active_model().datasets
    from tests.helpers import extract_rows

    [example] = extract_rows("contacts", [{}])
    with open(path, "w", newline="", encoding="utf-8") as handle:
        handle.write(",".join(DATASETS["contacts"].column_names) + "\n")
        i = 0
        while handle.tell() < size:
            row = example | {
                "contact_id": f"BIG{i}",
                "child_id": f"K{i % 50_000}",
                "contact_date": f"2024-{4 + i % 9:02d}-{1 + i % 28:02d}",
            }
            handle.write(",".join(row[c] for c in DATASETS["contacts"].column_names) + "\n")
            i += 1
    return path


def _missing_return(path: Path, size: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("CHILD,DOB,MISSING,MIS_START,MIS_END\n")
        i = 0
        while handle.tell() < size:
            handle.write(f"C{i % 90_000},01/03/2010,M,{1 + i % 28:02d}/06/2024,{1 + i % 28:02d}/07/2024\n")
            i += 1
    return path


CENSUS_CHILD = (
    "<Child><ChildIdentifiers><LAchildID>C{i}</LAchildID><PersonBirthDate>2010-01-01</PersonBirthDate>"
    "<GenderCurrent>1</GenderCurrent></ChildIdentifiers><ChildCharacteristics><Ethnicity>WBRI</Ethnicity>"
    "</ChildCharacteristics>\n<CINdetails><CINreferralDate>2023-06-01</CINreferralDate><ReferralSource>6"
    "</ReferralSource><ReferralNFA>false</ReferralNFA>\n<Assessments><AssessmentActualStartDate>2023-06-02"
    "</AssessmentActualStartDate></Assessments>\n<Section47><S47ActualStartDate>2023-06-03</S47ActualStartDate>"
    "<DateOfInitialCPC>2023-06-10</DateOfInitialCPC></Section47>\n<ChildProtectionPlans><CPPstartDate>2023-06-10"
    "</CPPstartDate><InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse><NumberOfPreviousCPP>0"
    "</NumberOfPreviousCPP></ChildProtectionPlans>\n</CINdetails></Child>\n"
)


def _census(path: Path, size: int) -> Path:
    """A census as dense in records as one can be (four per child, few other elements): the most
    memory per byte."""
    closing = "</Children></Message>\n"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(
            '<?xml version="1.0"?>\n<Message><Header><CollectionDetails><Collection>CIN</Collection>'
            "<Year>2024</Year><ReferenceDate>2024-03-31</ReferenceDate></CollectionDetails><Source>"
            "<LEA>391</LEA></Source></Header>\n<Children>\n"
        )
        i = 0
        while handle.tell() + len(CENSUS_CHILD) + len(closing) + 20 < size:
            handle.write(CENSUS_CHILD.format(i=i))
            i += 1
        handle.write(closing)
    return path


@pytest.mark.skipif(not FULL, reason="loads of the largest files take minutes: make reliability only")
@pytest.mark.parametrize("kind", ["native_csv", "ssda903", "cin_xml"])
def test_a_file_at_its_size_limit_loads_in_under_1_gb(kind, tmp_path):
    limit = limits.MAX_BYTES_BY_FORMAT.get(kind, limits.MAX_FILE_BYTES)
    build = {
        "native_csv": lambda: _native_contacts(tmp_path / "contacts.csv", limit - limits.MB),
        "ssda903": lambda: _missing_return(tmp_path / "return" / "missing.csv", limit - limits.MB),
        "cin_xml": lambda: _census(tmp_path / "census.xml", limit - limits.MB),
    }[kind]
    path = build()
    assert limit - 2 * limits.MB < path.stat().st_size < limit
    measured = _load(tmp_path / "home", "--la", CITY, str(path))
    assert measured.code == 0, measured.output
    assert measured.peak_kb < GB_KB, measured
    # one byte past the limit is refused, saying so
    with open(path, "ab") as handle:
        handle.write(b" " * (limit - path.stat().st_size + 1))
    refused = _load(tmp_path / "again", "--la", CITY, str(path))
    _refused(refused, path, f"more than the {limit // limits.MB} MB a load takes")
