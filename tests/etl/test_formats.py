"""Telling a file's format from its bytes, and saying in the words of what it claims to be why it
is not that (etl/readers/formats.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.errors import ExtractError
from etl.readers.formats import detect_format

NOT_A_WORKBOOK = "the file is named {suffix} but is not an Excel workbook: it is "


@pytest.mark.parametrize(
    "data, what",
    [
        (b"child_id,contact_date\nC1,2024-06-01\n", "not a zip file, as every .xlsx workbook is"),
        (b"\x00\x01\x02\x03binary junk" * 20, "not a zip file, as every .xlsx workbook is"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512),
            "an old Excel 97-2003 workbook (.xls) or another Office file",
        ),
        (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "XML or HTML text"),
        (b"\xef\xbb\xbf<?xml version='1.0'?><Workbook/>", "XML or HTML text"),
        (b"", "empty"),
    ],
)
@pytest.mark.parametrize("suffix", [".xlsx", ".XLSX", ".xlsm"])
def test_a_file_named_as_a_workbook_that_is_not_one_says_so_in_words_about_workbooks(
    data, what, suffix, tmp_path
):
    path = tmp_path / f"annex_a{suffix}"
    with pytest.raises(ExtractError) as refused:
        detect_format(path, data)
    assert refused.value.message.startswith(NOT_A_WORKBOOK.format(suffix=suffix) + what)
    assert "CSV" not in refused.value.message


def test_the_load_says_it_too_and_a_real_workbook_under_any_name_is_still_read(tmp_path, load):
    from datetime import datetime

    from tests.helpers import CONTACT_HEADER, contact, workbook

    fake = tmp_path / "annex_a.xlsx"
    fake.write_bytes(b"\x00\x00binary")
    [outcome] = load(fake)
    assert outcome.status == "failed" and outcome.message.startswith(NOT_A_WORKBOOK.format(suffix=".xlsx"))
    real = workbook(tmp_path / "annex_a.csv", {"List 1": [CONTACT_HEADER, contact(1, datetime(2024, 5, 1))]})
    assert detect_format(real, real.read_bytes()) == "annex_a"


@pytest.mark.parametrize(
    "header, told",
    [
        ("CHILD,DOB,MISSING,MIS_START,MIS_END", "ssda903"),
        ("CHILD,DOB,MISSING,MIS_END", "ssda903"),  # the reader then names MIS_START
        ("Child,Mis_Start", "ssda903"),
        ("CHILD,SEX,DOB,ETHNIC", "native_csv"),  # a header file alone is not a missing file
        ("la_code,coverage_start,coverage_end,episode_id,child_id,start_datetime", "native_csv"),
    ],
)
def test_an_ssda903_missing_file_is_told_from_child_and_one_of_its_own_columns(header, told):
    assert detect_format(Path("missing.csv"), (header + "\r\nC1,x\r\n").encode()) == told
