"""CSV downloads never carry a live spreadsheet formula."""

from __future__ import annotations

import csv
import io

import pandas as pd

from etl.spreadsheets import csv_text


def test_formula_like_text_is_neutralised_and_numbers_are_not():
    frame = pd.DataFrame(
        {
            "value": ['=HYPERLINK("http://x")', "+1+2", "-2+3", "@SUM(A1)", "\tcmd", "plain", None],
            "count": [-5, 1, 2, 3, 4, 5, 6],
        }
    )
    lines = csv_text(frame).splitlines()
    assert lines[0] == "value,count"
    assert [line.rsplit(",", 1)[0] for line in lines[1:]] == [
        '"\'=HYPERLINK(""http://x"")"',
        "'+1+2",
        "'-2+3",
        "'@SUM(A1)",
        "'\tcmd",
        "plain",
        "",
    ]
    assert lines[1].endswith(",-5")


def _cells(text: str) -> list[list[str]]:
    """The rows a CSV reader sees: a bare carriage return ends a row, as it does in a spreadsheet."""
    return list(csv.reader(io.StringIO(text, newline="")))


def test_every_formula_start_is_neutralised_and_reads_back_as_text():
    # OWASP's list of what makes a spreadsheet cell a formula: = + - @, tab and carriage return
    # (the carriage return has its own test below).
    starts = ["=", "+", "-", "@", "\t"]
    frame = pd.DataFrame({"value": [f"{start}1+1" for start in starts] + ["1=1", "a-b", "x@y.z"]})
    assert _cells(csv_text(frame)) == [
        ["value"],
        *([f"'{start}1+1"] for start in starts),
        ["1=1"],
        ["a-b"],
        ["x@y.z"],
    ]


def test_a_carriage_return_cannot_start_a_new_row_with_a_formula():
    # A challenge, commentary or rejected value typed with a carriage return before a formula.
    frame = pd.DataFrame({"value": ['\r=HYPERLINK("http://x")', "note\r=1+1"], "count": [1, 2]})
    assert _cells(csv_text(frame)) == [
        ["value", "count"],
        ['\'\r=HYPERLINK("http://x")', "1"],
        ["note\r=1+1", "2"],
    ]
