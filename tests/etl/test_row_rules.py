"""Each row rule on a hand-made extract: the bad row is rejected with its row, field and reason,
and the other rows load."""

from __future__ import annotations

import csv
from datetime import datetime

import pytest

from etl.pipeline import SourceOptions
from tests.helpers import CONTACT_HEADER, workbook, write_extract


def rejected(outcome) -> list[tuple[int, str, str | None, str]]:
    return [(r.row_number, r.field, r.value, r.message) for r in outcome.rejections]


CASES = [
    (
        "contacts",
        {"source": "q) 99: Martians"},
        (
            "source",
            "q) 99: Martians",
            (
                "source 'q) 99: Martians' is not a known code (expected one of 1, 1A, 1B, 1C, 1D, 2A, 2B, 3, 3A, 3B, 3C, "
                "3D, 3E, 3F, 4, 5, 5A, 5B, 5C, 5D, 6, 7, 8, 9, 10)"
            ),
        ),
    ),
    (
        "contacts",
        {"contact_date": "31/02/2024"},
        (
            "contact_date",
            "31/02/2024",
            "contact_date '31/02/2024' is not a date (use YYYY-MM-DD or DD/MM/YYYY)",
        ),
    ),
    (
        "contacts",
        {"contact_date": "2025-07-01", "coverage_end": "2025-12-31"},
        (
            "contact_date",
            "2025-07-01",
            "contact_date 2025-07-01 is in the future (the load ran on 2025-06-30)",
        ),
    ),
    (
        "contacts",
        {"child_id": ""},
        ("child_id", None, "child_id is required but is blank"),
    ),
    (
        "contacts",
        {"contact_date": "2024-03-31"},
        (
            "contact_date",
            "2024-03-31",
            "contact_date 2024-03-31 is outside the coverage window 2024-04-01 to 2025-03-31 of this extract",
        ),
    ),
    (
        "contacts",
        {"date_of_birth": "2014-13-01"},
        (
            "date_of_birth",
            "2014-13-01",
            "date_of_birth '2014-13-01' is not a date (use YYYY-MM-DD or DD/MM/YYYY)",
        ),
    ),
    (
        "s47",
        {"start_date": "2024-06-10", "end_date": "2024-06-09"},
        ("end_date", "2024-06-09", "end_date 2024-06-09 is before start_date 2024-06-10"),
    ),
    (
        "s47",
        {"start_date": "2024-06-10", "icpc_date": "2024-06-01"},
        ("icpc_date", "2024-06-01", "icpc_date 2024-06-01 is before start_date 2024-06-10"),
    ),
    (
        "s47",
        {"start_date": "2025-04-02", "end_date": "", "icpc_date": ""},
        (
            "start_date",
            "2025-04-02",
            "start_date 2025-04-02 is after the end of the coverage window (2025-03-31) of this extract",
        ),
    ),
    (
        "cp_plans",
        {"previous_plans": "-1"},
        ("previous_plans", "-1", "previous_plans -1 cannot be negative"),
    ),
    (
        "cp_plans",
        {"previous_plans": "two"},
        ("previous_plans", "two", "previous_plans 'two' is not a whole number"),
    ),
    (
        "cp_plans",
        {"initial_category": "Bullying"},
        (
            "initial_category",
            "Bullying",
            "initial_category 'Bullying' is not a known code (expected one of NEG, EMO, PHY, SAB, MUL)",
        ),
    ),
    (
        "missing_episodes",
        {"start_datetime": "2024-06-07 21:30", "end_datetime": "2024-06-07 20:00"},
        (
            "end_datetime",
            "2024-06-07 20:00",
            "end_datetime 2024-06-07 20:00 is before start_datetime 2024-06-07 21:30",
        ),
    ),
    (
        "missing_episodes",
        {"start_datetime": "7pm on 7 June"},
        (
            "start_datetime",
            "7pm on 7 June",
            "start_datetime '7pm on 7 June' is not a date and time (use YYYY-MM-DD HH:MM, or a date alone)",
        ),
    ),
    (
        # born on the 20th of the month the episode started in: the day counts, not the month stored
        "missing_episodes",
        {"date_of_birth": "2024-06-20", "start_datetime": "2024-06-07 21:30"},
        (
            "start_datetime",
            "2024-06-07 21:30",
            (
                "start_datetime 2024-06-07 21:30 is before date_of_birth 2024-06-20: "
                "a child cannot go missing before they are born"
            ),
        ),
    ),
    (
        # offered at 09:00, after the child went missing but before they returned at 10:15
        "missing_episodes",
        {"end_datetime": "2024-06-08 10:15", "rhi_offered_datetime": "2024-06-08 09:00"},
        (
            "rhi_offered_datetime",
            "2024-06-08 09:00",
            (
                "rhi_offered_datetime 2024-06-08 09:00 is before end_datetime "
                "2024-06-08 10:15: a return interview is offered after the child has returned"
            ),
        ),
    ),
    (
        "contacts",
        {"date_of_birth": "1900-01-17"},
        (
            "date_of_birth",
            "1900-01-17",
            (
                "date_of_birth 1900-01-17 is before 1910-01-01: no date in a child's record "
                "is so early (was a number, such as an age, read as a date?)"
            ),
        ),
    ),
    (
        "referrals",
        {"is_nfa": "maybe"},
        ("is_nfa", "maybe", "is_nfa 'maybe' is not a known code (expected one of Y, N)"),
    ),
]


@pytest.mark.parametrize("dataset, bad_row, expected", CASES, ids=[f"{c[0]}-{c[2][0]}" for c in CASES])
def test_a_row_that_breaks_a_rule_is_rejected_and_the_others_load(
    dataset, bad_row, expected, tmp_path, load, query
):
    coverage = {k: bad_row.pop(k) for k in ("coverage_end",) if k in bad_row}
    path = write_extract(tmp_path / f"{dataset}.csv", dataset, [{}, bad_row, {}], **coverage)

    [outcome] = load(path)

    assert rejected(outcome) == [(3, *expected)]
    assert (outcome.status, outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected) == (
        "loaded_with_rejections",
        3,
        2,
        1,
    )
    stored = query(
        "SELECT row_number, field, value, message FROM etl_rejection WHERE load_id = ?", [outcome.load_id]
    )
    assert stored == [(3, *expected)]


def test_duplicate_id_names_the_first_row(tmp_path, load):
    # Two different rows under one ID: an error in the extract (an exact copy is dropped with a warning instead,
    # tests/etl/test_duplicates.py).
    path = write_extract(
        tmp_path / "contacts.csv",
        "contacts",
        [{"contact_id": "A"}, {}, {"contact_id": "A", "child_id": "LCS0099999"}],
    )
    [outcome] = load(path)
    assert rejected(outcome) == [
        (4, "contact_id", "A", "contact_id 'A' appears more than once in the file (first on row 2)")
    ]
    assert outcome.rows_loaded == 2


def test_a_row_with_the_wrong_number_of_fields_is_rejected(tmp_path, load):
    path = write_extract(tmp_path / "contacts.csv", "contacts", [{}, {}])
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], lines[1], "E08000021,2024-04-01,2025-03-31,X9", lines[2]]) + "\n")
    [outcome] = load(path)
    assert rejected(outcome) == [
        (3, "(row)", "E08000021,2024-04-01,2025-03-31,X9", "the row has 4 fields but the header has 14")
    ]
    assert outcome.rows_loaded == 2


def test_blank_rows_are_not_rows(tmp_path, load):
    path = write_extract(tmp_path / "contacts.csv", "contacts", [{}, {}])
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], lines[1], "", ",,,,,,,,,,,,,", lines[2], ""]) + "\n")
    [outcome] = load(path)
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rejections) == (2, 2, [])


def test_every_failure_of_a_row_is_listed(tmp_path, load):
    path = write_extract(
        tmp_path / "contacts.csv", "contacts", [{"source": "ZZ", "outcome": "??", "child_id": " "}]
    )
    [outcome] = load(path)
    assert [(r.row_number, r.field) for r in outcome.rejections] == [
        (2, "child_id"),
        (2, "outcome"),
        (2, "source"),
    ]
    assert outcome.rows_loaded == 0


def test_formula_like_values_are_stored_as_plain_text(tmp_path, load, query):
    path = write_extract(
        tmp_path / "contacts.csv", "contacts", [{"contact_id": '=HYPERLINK("http://x")', "area_code": "+1+2"}]
    )
    [outcome] = load(path)
    assert outcome.status == "loaded"
    assert query("SELECT contact_id, area_code FROM contact") == [('=HYPERLINK("http://x")', "+1+2")]


def test_impossible_values_in_the_returns_are_rejected_with_the_returns_own_field_names(tmp_path, load):
    # SSDA903: an episode that starts before the child's date of birth (line 3)
    path = tmp_path / "missing.csv"
    lines = [
        ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"],
        ["101", "01/02/2010", "M", "03/06/2024", "04/06/2024"],
        ["102", "15/06/2024", "M", "05/06/2024", "06/06/2024"],
    ]
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows(lines)
    [outcome] = load(path, source=SourceOptions("ssda903", la_code="E08000021"))
    assert rejected(outcome) == [
        (
            3,
            "MIS_START",
            "05/06/2024",
            "MIS_START 05/06/2024 is before DOB 15/06/2024: a child cannot go missing before they are born",
        )
    ]
    assert outcome.rows_loaded == 1

    # Annex A: a number in a date-of-birth cell (an age, 17.5) is no date, nor is a date-formatted 17/01/1900
    path = workbook(
        tmp_path / "dob.xlsx",
        {
            "List 1": [
                CONTACT_HEADER,
                [1, "b) Female", "a) WBRI", 17.5, 6, datetime(2024, 6, 2), "q) 6: Police"],
                [
                    2,
                    "b) Female",
                    "a) WBRI",
                    datetime(1900, 1, 17, 12),
                    6,
                    datetime(2024, 6, 2),
                    "q) 6: Police",
                ],
                [3, "b) Female", "a) WBRI", datetime(2015, 1, 25), 6, datetime(2024, 6, 2), "q) 6: Police"],
            ]
        },
    )
    [outcome] = load(path, source=SourceOptions(la_code="E08000021"))
    assert rejected(outcome) == [
        (2, "Date of Birth", "17.5", "Date of Birth '17.5' is not a date (use YYYY-MM-DD or DD/MM/YYYY)"),
        (
            3,
            "Date of Birth",
            "1900-01-17",
            (
                "Date of Birth 1900-01-17 is before 1910-01-01: no date in a child's "
                "record is so early (was a number, such as an age, read as a date?)"
            ),
        ),
    ]
    assert outcome.rows_loaded == 1
