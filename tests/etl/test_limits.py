"""The limits of etl/limits.py: a file past them is refused whole with a message saying which limit,
before it can take the machine's memory; a value past its length is a rejected row."""

from __future__ import annotations

import csv
import struct
import zipfile
from datetime import date, datetime
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from openpyxl import Workbook

from etl import limits
from etl.pipeline import SourceOptions
from tests.helpers import CONTACT_HEADER, contact, workbook, write_extract

CITY = "E08000021"
ANNEX_A = SourceOptions(la_code=CITY, coverage=(date(2024, 4, 1), date(2025, 3, 31)))


def _contacts_workbook(path: Path, rows: int, child=lambda i: i) -> Path:
    return workbook(
        path,
        {
            "List 1": [CONTACT_HEADER]
            + [contact(child(i), datetime(2024, 5, 1 + i % 28)) for i in range(rows)]
        },
    )


def _rezipped(source: Path, target: Path, extra: dict[str, bytes]) -> Path:
    """The workbook with parts added or replaced."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            if item.filename not in extra:
                new.writestr(item, old.read(item.filename))
        for name, data in extra.items():
            new.writestr(name, data)
    return target


def _unzipped(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        return sum(item.file_size for item in archive.infolist())


# --- workbooks: unzipped size, shared strings, rows per sheet ---------------------------------------


def test_a_workbook_that_unzips_past_the_limit_is_refused_unopened(tmp_path, load, query, monkeypatch):
    good = _contacts_workbook(tmp_path / "good.xlsx", 3)
    load(good, source=ANNEX_A)
    monkeypatch.setattr(limits, "MAX_WORKBOOK_UNZIPPED_BYTES", 2 * limits.MB)
    # Variants: a sheet of repeated rows, and a part of zeros nobody reads: both compress to little.
    rows = "".join(
        f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>junk</t></is></c></row>' for i in range(2, 60_000)
    )
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + rows
        + "</sheetData></worksheet>"
    ).encode()
    for name, extra in (
        ("rows.xlsx", {"xl/worksheets/sheet1.xml": sheet}),
        ("padding.xlsx", {"xl/media/padding.bin": bytes(3 * limits.MB)}),
    ):
        bomb = _rezipped(good, tmp_path / name, extra)
        assert bomb.stat().st_size < 500_000 < 2 * limits.MB < _unzipped(bomb)
        [outcome] = load(bomb, source=ANNEX_A)
        assert outcome.status == "failed"
        assert outcome.message.startswith(
            f"the workbook unzips to {_unzipped(bomb) / limits.MB:,.0f} MB, more than "
            "the 2 MB a load takes; it was refused unopened"
        )
    assert query("SELECT count(*) FROM contact") == [(3,)]


def test_a_workbook_whose_text_table_is_too_big_is_refused(tmp_path, load, monkeypatch):
    monkeypatch.setattr(limits, "MAX_SHARED_STRINGS_BYTES", limits.MB)
    strings = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + "<si><t>x</t></si>" * 100_000
        + "</sst>"
    ).encode()
    bomb = _rezipped(
        _contacts_workbook(tmp_path / "good.xlsx", 3),
        tmp_path / "strings.xlsx",
        {"xl/sharedStrings.xml": strings},
    )
    [outcome] = load(bomb, source=ANNEX_A)
    assert outcome.status == "failed"
    assert outcome.message.startswith(
        "the workbook's text table (xl/sharedStrings.xml) unzips to 2 MB, more than the 1 MB a load takes"
    )


def _lie_about_size(path: Path, part: str, size: int) -> None:
    """Rewrite the zip's stated unzipped size of one part, in its local header and its central entry."""
    data = bytearray(path.read_bytes())
    name = part.encode()
    local = data.find(b"PK\x03\x04" + b"\x00" * 0, 0)
    while local != -1:
        name_length = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30 : local + 30 + name_length] == name:
            struct.pack_into("<I", data, local + 22, size)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == name:
            struct.pack_into("<I", data, central + 24, size)
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))


def test_a_part_that_understates_its_size_is_cut_short_not_unzipped_whole(tmp_path, load, query):
    path = _contacts_workbook(tmp_path / "liar.xlsx", 40)
    _lie_about_size(path, "xl/worksheets/sheet1.xml", 100)
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size == 100
    [outcome] = load(path, source=ANNEX_A)
    assert outcome.status == "failed"
    assert outcome.message.startswith("the file is not a readable Excel workbook (.xlsx)")
    assert not settings_has_contacts(query)


def settings_has_contacts(query) -> bool:
    try:
        return query("SELECT count(*) FROM contact") != [(0,)]
    except duckdb.Error:  # no warehouse was published at all
        return False


@pytest.mark.parametrize("rows, refused", [(49, False), (50, True), (80, True)])
def test_a_sheet_past_the_row_limit_is_refused(rows, refused, tmp_path, load, query, monkeypatch):
    monkeypatch.setattr(limits, "MAX_SHEET_ROWS", 50)
    path = _contacts_workbook(tmp_path / "contacts.xlsx", rows)
    [outcome] = load(path, source=ANNEX_A)
    # the header row counts: 49 contacts make 50 rows
    if refused:
        assert outcome.status == "failed"
        assert outcome.message == (
            "sheet 'List 1' has more than 50 rows, the most a load reads from a sheet: split "
            "the list, for example by year"
        )
    else:
        assert (outcome.status, outcome.rows_loaded) == ("loaded", rows)


def test_a_sheet_with_a_far_away_row_is_refused_at_the_real_limit(tmp_path, load):
    book = Workbook()
    sheet = book.active
    sheet.title = "List 1"
    sheet.append(CONTACT_HEADER)
    sheet.append(contact(1, datetime(2024, 5, 1)))
    sheet.cell(row=limits.MAX_SHEET_ROWS + 10, column=1, value="note")
    book.save(tmp_path / "far.xlsx")
    [outcome] = load(tmp_path / "far.xlsx", source=ANNEX_A)
    assert outcome.status == "failed"
    assert outcome.message.startswith(f"sheet 'List 1' has more than {limits.MAX_SHEET_ROWS:,} rows")


# --- values: an ID or a cell past its length is a rejected row -----------------------------------


def test_overlong_child_ids_in_a_workbook_are_rejected_and_a_file_of_only_those_refused(
    tmp_path, load, query
):
    long_id = "X" * 30_000
    mixed = _contacts_workbook(tmp_path / "mixed.xlsx", 6, child=lambda i: long_id + str(i) if i % 2 else i)
    [outcome] = load(mixed, source=ANNEX_A)
    assert (outcome.status, outcome.rows_read, outcome.rows_loaded) == ("loaded_with_rejections", 6, 3)
    assert {(r.rule, r.field, r.value) for r in outcome.rejections} == {("too_long", "Child Unique ID", None)}
    assert [r.row_number for r in outcome.rejections] == [3, 5, 7]  # the header is row 1
    assert (
        outcome.rejections[0].message
        == "Child Unique ID is longer than 100 characters, the most that are taken"
    )
    junk = _contacts_workbook(tmp_path / "junk.xlsx", 5, child=lambda i: long_id + str(i))
    [refused] = load(junk, source=ANNEX_A)
    assert refused.status == "failed" and "every one of its 5 rows was rejected" in refused.message
    assert query("SELECT count(*), max(length(child_id)) FROM contact") == [(3, 32)]  # hashed IDs


def test_overlong_values_in_a_csv_or_census_are_rejected(tmp_path, load, query):
    rows = [
        {},
        {"contact_id": "C2", "child_id": "L" * 101},
        {"contact_id": "C3", "outcome": "R" * 2_001},
        {"contact_id": "C4", "child_id": "L" * 100},
    ]
    path = write_extract(tmp_path / "contacts.csv", "contacts", rows)
    with open(path, newline="", encoding="utf-8") as handle:
        written = list(csv.DictReader(handle))
    too_long = [
        n
        for n, row in enumerate(written, start=2)
        if len(row["child_id"]) > limits.MAX_ID_CHARS or len(row["outcome"]) > limits.MAX_CELL_CHARS
    ]
    [outcome] = load(path)
    assert [(r.row_number, r.rule) for r in outcome.rejections if r.rule == "too_long"] == [
        (n, "too_long") for n in too_long
    ]
    assert outcome.rows_loaded == len(written) - len(too_long) == 2

    from tests.etl.test_cin_xml import GOOD  # the census of one referral, with a long LAchildID

    text = GOOD.replace("<LAchildID>C1</LAchildID>", f"<LAchildID>{'C' * 500}</LAchildID>")
    (tmp_path / "census.xml").write_text(text, encoding="utf-8")
    [cin] = load(tmp_path / "census.xml")
    assert cin.status == "failed" and "every one of its 1 rows was rejected" in cin.message
    assert [(r.field, r.rule) for r in cin.rejections] == [("LAchildID", "too_long")]


# --- any file: its size on disk --------------------------------------------------------------------


def test_a_file_past_the_size_limit_is_refused_before_it_is_read(tmp_path, load, monkeypatch):
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1000)
    path = write_extract(tmp_path / "contacts.csv", "contacts", [{"contact_id": f"C{i}"} for i in range(40)])
    assert path.stat().st_size > 1000
    [outcome] = load(path)
    assert outcome.status == "failed"
    assert outcome.message == (
        f"the file is {path.stat().st_size:,} bytes, more than the 1,000 bytes a load takes "
        "(docs/extract-formats.md, Limits): split it, for example by year"
    )


def test_an_ssda903_companion_past_the_returns_limit_is_refused(tmp_path, load, monkeypatch):
    monkeypatch.setitem(limits.MAX_BYTES_BY_FORMAT, "ssda903", 2_000)
    folder = tmp_path / "return"
    folder.mkdir()
    (folder / "missing.csv").write_text("CHILD,DOB,MISSING,MIS_START,MIS_END\nA1,01/03/2010,M,10/06/2024,\n")
    episodes = "CHILD,DECOM,DEC\n" + "".join(f"A{i},01/01/2024,\n" for i in range(200))
    (folder / "episodes.csv").write_text(episodes)
    assert len(episodes) > 2_000
    [outcome] = load(folder / "missing.csv", source=SourceOptions(la_code=CITY))
    assert outcome.status == "failed"
    assert outcome.message == (
        f"the episodes file episodes.csv cannot be read: the file is {len(episodes):,} bytes, "
        "more than the 2,000 bytes a load takes of this format (ssda903) "
        "(docs/extract-formats.md, Limits): split it, for example by year"
    )


def test_a_value_is_judged_by_its_characters_not_its_bytes():
    # 'é' is two bytes in UTF-8: the limit in such characters is more bytes than the limit, and kept.
    cell, id_chars = limits.MAX_CELL_CHARS, limits.MAX_ID_CHARS
    table = pa.table(
        {
            "note": ["é" * cell, "é" * (cell + 1), None],
            "child_id": ["é" * id_chars, None, "x" * (id_chars + 1)],
        }
    )
    found = limits.overlong_values(table, np.array([2, 3, 4]), str)
    assert [(r.row_number, r.field, r.rule) for r in found] == [
        (3, "note", "too_long"),
        (4, "child_id", "too_long"),
    ]
