"""Ofsted Annex A workbooks load into the same facts as native extracts: the shared samples, and
workbooks built here for each awkward case councils produce."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from etl.cli import app
from etl.pipeline import SourceOptions
from tests.helpers import CONTACT_HEADER, REFERRAL_HEADER, contact, referral, workbook

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "annex_a"
CITY = SourceOptions(la_code="E08000021")
FACTS = ("contact", "referral", "assessment", "s47_enquiry", "cp_plan", "cla_missing_count")
EMPTY = dict.fromkeys(FACTS, 0)


def fact_counts(query) -> dict[str, int]:
    return {table: query(f"SELECT count(*) FROM {table}")[0][0] for table in FACTS}


def rows_by_hand(path: Path, sheet: str) -> list[dict]:
    """A list's rows read with openpyxl directly: header on row 1, a row per child ID."""
    sheet = load_workbook(path, data_only=True)[sheet]
    header, *rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(header, row)) for row in rows if row[0] is not None]


@pytest.mark.parametrize("sample", ["Annex_A_2024_Jan.xlsx", "Annex_A_sample_liia_tools.xlsx"])
def test_each_sample_puts_every_listed_row_into_its_fact(sample, load, query):
    path = SAMPLES / sample
    by_hand = {n: rows_by_hand(path, f"List {n}") for n in (1, 3, 4, 5, 7, 8)}
    assert [len(by_hand[n]) for n in (1, 3, 4, 5, 7, 8)] == [5, 6, 5, 5, 7, 5]

    outcomes = load(path, source=CITY)

    assert [(o.dataset, o.status, o.rows_loaded) for o in outcomes] == [
        ("contacts", "loaded", 5),
        ("referrals", "loaded", 6),
        ("assessments", "loaded", 5),
        ("s47", "loaded", 5),
        ("cp_plans", "loaded", 7),
        ("cla_missing_counts", "loaded", 5),
    ]
    assert fact_counts(query) == dict(zip(FACTS, (5, 6, 5, 5, 7, 5)))
    assert {o.source_format for o in outcomes} == {"annex_a"}  # told from the file, not named
    police = sum(r["Contact Source"] == "q) 6: Police" for r in by_hand[1])
    assert query("SELECT count(*) FROM contact WHERE source = '6'") == [(police,)] and police == 3
    plans_by_category = {}
    for row in by_hand[7]:
        plans_by_category[row["Initial Category of Abuse"]] = (
            plans_by_category.get(row["Initial Category of Abuse"], 0) + 1
        )
    assert dict(query("SELECT initial_category, count(*) FROM cp_plan GROUP BY 1")) == {
        {"Physical abuse": "PHY", "Emotional abuse": "EMO", "Neglect": "NEG", "Sexual abuse": "SAB"}[k]: v
        for k, v in plans_by_category.items()
    }
    icpcs = sum(r["Date of Initial Child Protection Conference"] is not None for r in by_hand[5])
    assert query("SELECT count(icpc_date), count(*) FILTER (outcome = 'ICPC') FROM s47_enquiry") == [
        (icpcs, icpcs)
    ]


def test_the_window_is_the_span_of_the_returns_dates(load):
    outcomes = load(SAMPLES / "Annex_A_2024_Jan.xlsx", source=CITY)
    # the earliest contact or referral is 16 Sep 2020; the latest date in a list is a plan ending on 16 Feb 2021
    assert {(o.coverage_start, o.coverage_end) for o in outcomes} == {(date(2020, 9, 16), date(2021, 2, 16))}


def test_no_child_id_or_worker_name_reaches_the_warehouse(load, query):
    path = SAMPLES / "Annex_A_2024_Jan.xlsx"
    load(path, source=CITY)
    secrets = set()
    for n in (1, 3, 4, 5, 7, 8):
        for row in rows_by_hand(path, f"List {n}"):
            secrets.add(str(row["Child Unique ID"]))
            if row.get("Allocated Worker"):
                secrets.add(str(row["Allocated Worker"]))
    stored = set()
    for table in (*FACTS, "child"):
        columns = [
            c
            for c, t in query(
                f"SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '{table}'"
            )
            if t == "VARCHAR"
        ]
        for row in query(f"SELECT {', '.join(columns)} FROM {table}"):
            stored |= {str(v) for v in row if v is not None}
    assert len(secrets) > 30
    assert not any(secret in value for secret in secrets for value in stored)


def test_loading_the_same_workbook_again_changes_nothing(load, query):
    load(SAMPLES / "Annex_A_2024_Jan.xlsx", source=CITY)
    again = load(SAMPLES / "Annex_A_2024_Jan.xlsx", source=CITY)
    assert {o.status for o in again} == {"unchanged"} and len(again) == 6
    forced = load(SAMPLES / "Annex_A_2024_Jan.xlsx", source=CITY, force=True)
    assert [o.rows_replaced for o in forced] == [5, 6, 5, 5, 7, 5]
    assert fact_counts(query) == dict(zip(FACTS, (5, 6, 5, 5, 7, 5)))


# --- awkward workbooks, built here -------------------------------------------------------


def test_lists_are_found_by_header_whatever_the_sheets_are_called_or_their_order(tmp_path, load, query):
    path = workbook(
        tmp_path / "renamed.xlsx",
        {
            "Referrals Q3": [
                REFERRAL_HEADER,
                referral(1, datetime(2024, 6, 3)),
                referral(2, datetime(2024, 7, 1)),
            ],
            "Notes": [["This workbook was produced for the inspection."]],
            "Contacts (all)": [CONTACT_HEADER, contact(1, datetime(2024, 6, 2))],
        },
    )
    outcomes = load(path, source=CITY)
    assert [(o.part, o.dataset, o.rows_loaded) for o in outcomes] == [
        ("List 1, sheet 'Contacts (all)'", "contacts", 1),
        ("List 3, sheet 'Referrals Q3'", "referrals", 2),
    ]
    assert fact_counts(query) == {**EMPTY, "contact": 1, "referral": 2}


def test_a_title_row_merged_across_the_columns_and_an_extra_row_above_the_header(tmp_path, load, query):
    path = workbook(
        tmp_path / "titled.xlsx",
        {
            "List 1": [
                ["Annex A - List 1: Contacts in the last six months"],
                [],
                ["Run on 1 August 2024", None, None],
                CONTACT_HEADER,
                contact(1, datetime(2024, 6, 2)),
                contact(2, datetime(2024, 6, 3)),
            ],
        },
        merge={"List 1": "A1:G1"},
    )
    [outcome] = load(path, source=CITY)
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 2)
    assert query("SELECT contact_date FROM contact ORDER BY 1") == [(date(2024, 6, 2),), (date(2024, 6, 3),)]


def test_codes_without_labels_and_labels_without_codes_give_the_same_codes(tmp_path, load, query):
    path = workbook(
        tmp_path / "codes.xlsx",
        {
            "List 1": [
                CONTACT_HEADER,
                contact(1, datetime(2024, 6, 2), source="6", gender="F"),
                contact(2, datetime(2024, 6, 3), source="q) 6: Police", gender="b) Female"),
                contact(3, datetime(2024, 6, 4), source="2A", gender="Male"),
                contact(4, datetime(2024, 6, 5), source="e) 2A: Schools", gender="c) Not stated/recorded"),
            ],
        },
    )
    [outcome] = load(path, source=CITY)
    assert outcome.rows_loaded == 4
    assert query("SELECT source, count(*) FROM contact GROUP BY 1 ORDER BY 1") == [("2A", 2), ("6", 2)]
    assert query("SELECT gender, count(*) FROM child GROUP BY 1 ORDER BY 1") == [("F", 2), ("M", 1), ("U", 1)]


def test_dates_as_text_as_excel_serials_and_as_datetimes_all_read(tmp_path, load, query):
    path = workbook(
        tmp_path / "dates.xlsx",
        {
            "List 1": [
                CONTACT_HEADER,
                contact(1, "02/06/2024"),
                contact(2, "2024-06-03"),
                contact(3, 45447),  # the serial Excel shows as 04/06/2024
                contact(4, datetime(2024, 6, 5, 14, 30)),
            ],
        },
    )
    [outcome] = load(path, source=CITY)
    assert (outcome.rows_loaded, outcome.rejections) == (4, [])
    assert [d for (d,) in query("SELECT contact_date FROM contact ORDER BY 1")] == [
        date(2024, 6, 2),
        date(2024, 6, 3),
        date(2024, 6, 4),
        date(2024, 6, 5),
    ]


def test_blank_rows_and_trailing_notes_are_skipped_and_extra_columns_reported(tmp_path, load, query):
    path = workbook(
        tmp_path / "blanks.xlsx",
        {
            "List 3": [
                REFERRAL_HEADER,
                referral(1, datetime(2024, 6, 3)),
                [],
                [None] * 9,
                referral(2, datetime(2024, 6, 4)),
                [],
                ["Source: case management system, 1 August 2024"],
            ],
        },
    )
    [outcome] = load(path, source=CITY)
    assert (outcome.rows_read, outcome.rows_loaded) == (2, 2)
    assert outcome.ignored_columns == ["Age", "Allocated Worker"]


def test_a_bad_value_rejects_its_row_naming_the_sheet_row_and_column(tmp_path, load, query):
    path = workbook(
        tmp_path / "bad_values.xlsx",
        {
            "List 1": [
                CONTACT_HEADER,
                contact(1, datetime(2024, 6, 2)),
                contact(2, "31/02/2024"),
                contact(3, datetime(2024, 6, 4), gender="x) Martian"),
            ],
        },
    )
    [outcome] = load(path, source=CITY)
    assert (outcome.status, outcome.rows_loaded, outcome.rows_rejected) == ("loaded_with_rejections", 1, 2)
    assert [(r.row_number, r.field, r.value) for r in outcome.rejections] == [
        (3, "Date of Contact", "31/02/2024"),
        (4, "Gender", "x) Martian"),
    ]
    assert outcome.rejections[0].message == (
        "Date of Contact '31/02/2024' is not a date (use YYYY-MM-DD or DD/MM/YYYY)"
    )
    assert query("SELECT DISTINCT file_name FROM etl_rejection") == [("bad_values.xlsx (List 1)",)]


@pytest.mark.parametrize(
    "case, sheets, message",
    [
        (
            "missing_column",
            {
                "List 3": [REFERRAL_HEADER[:7], referral(1, datetime(2024, 6, 3))[:7]],
                "List 1": [CONTACT_HEADER, contact(1, datetime(2024, 6, 2))],
            },
            (
                "sheet 'List 3' (List 3, referrals) has no column headed 'Referral NFA?' (or a known variant), so the list "
                "cannot be read; its header row is row 1, with 'Child Unique ID', 'Gender', 'Ethnicity', 'Date of Birth', "
                "'Age', 'Date of Referral', 'Referral Source'"
            ),
        ),
        (
            "same_list_twice",
            {
                "Contacts": [CONTACT_HEADER, contact(1, datetime(2024, 6, 2))],
                "Contacts (copy)": [CONTACT_HEADER, contact(1, datetime(2024, 6, 2))],
            },
            "sheets 'Contacts' and 'Contacts (copy)' both hold List 1 (contacts): remove one",
        ),
        (
            "no_lists",
            {"Sheet1": [["Name", "Total"], ["a", 1]]},
            "the file is an Excel workbook, but no Annex A list was found in it",
        ),
        (
            "headers_only",
            {"List 1": [CONTACT_HEADER]},
            "the Annex A lists in the workbook have headers but no rows",
        ),
        (
            "no_flow_list",
            {
                "List 5": [
                    ["Child Unique ID", "Strategy discussion initiating Section 47 Enquiry Start Date"],
                    [1, datetime(2024, 6, 2)],
                ]
            },
            "no contacts (List 1) or referrals (List 3) to date the period it covers: name it with --from and --to",
        ),
    ],
)
def test_a_structurally_wrong_workbook_loads_nothing_and_says_why(
    case, sheets, message, tmp_path, load, query
):
    load(
        workbook(tmp_path / "earlier.xlsx", {"List 3": [REFERRAL_HEADER, referral(9, datetime(2024, 5, 1))]}),
        source=CITY,
    )
    before = fact_counts(query)
    [outcome] = load(workbook(tmp_path / f"{case}.xlsx", sheets), source=CITY)
    assert outcome.status == "failed" and message in outcome.message
    assert fact_counts(query) == before == {**EMPTY, "referral": 1}


def test_a_workbook_needs_its_la_named(tmp_path, load):
    [outcome] = load(
        workbook(tmp_path / "no_la.xlsx", {"List 1": [CONTACT_HEADER, contact(1, datetime(2024, 6, 2))]})
    )
    assert (
        outcome.status == "failed"
        and "an Annex A workbook carries no LA code: name it with --la" in outcome.message
    )


def test_a_named_window_is_used_instead_of_the_dates_span(tmp_path, load):
    path = workbook(tmp_path / "window.xlsx", {"List 1": [CONTACT_HEADER, contact(1, datetime(2024, 6, 2))]})
    [outcome] = load(
        path, source=SourceOptions(la_code="E08000021", coverage=(date(2024, 4, 1), date(2024, 9, 30)))
    )
    assert (outcome.coverage_start, outcome.coverage_end) == (date(2024, 4, 1), date(2024, 9, 30))


# --- headers: known variants are read, an unrecognised header is refused, an empty list is said ---

S47_HEADER = [
    "Child Unique ID",
    "Gender",
    "Strategy discussion initiating Section 47 Enquiry Start Date",
    "Date of Initial Child Protection Conference",
]


def _with_headers(header: list, renamed: dict[str, str]) -> list:
    return [renamed.get(h, h) for h in header]


@pytest.mark.parametrize(
    "renamed",
    [
        {"Date of Referral": "Referral Date"},
        {"Date of Referral": "Date Of Referral Received"},
        {"Date of Referral": "Date of referal"},  # spelt with one r, as councils often do
        {"Referral Source": "Source of Referral"},
    ],
)
def test_known_variants_of_a_list_3_header_are_read(renamed, tmp_path, load, query):
    rows = [
        _with_headers(REFERRAL_HEADER, renamed),
        referral(1, datetime(2024, 6, 3)),
        referral(2, datetime(2024, 6, 4)),
    ]
    path = workbook(tmp_path / "variant.xlsx", {"Referrals": rows})
    by_hand = len(rows_by_hand(path, "Referrals"))
    [outcome] = load(path, source=CITY)
    assert (outcome.dataset, outcome.status, outcome.rows_loaded) == ("referrals", "loaded", by_hand)
    assert query("SELECT count(*) FROM referral") == [(by_hand,)]


def test_known_variants_of_a_list_7_and_list_1_header_are_read(tmp_path, load, query):
    plans = [
        [
            "Child Unique ID",
            "Gender",
            "Ethnicity",
            "Date of Birth",
            "Start Date of CP Plan",
            "Initial Category of Abuse",
            "CP Plan End Date",
        ],
        [1, "b) Female", "a) WBRI", datetime(2016, 2, 1), datetime(2024, 6, 10), "Neglect", None],
    ]
    contacts = [
        _with_headers(
            CONTACT_HEADER, {"Date of Contact": "Contact Date", "Contact Source": "Source of Contact"}
        ),
        contact(1, datetime(2024, 6, 2)),
    ]
    path = workbook(tmp_path / "variants.xlsx", {"Plans": plans, "Contacts": contacts})
    outcomes = load(path, source=CITY)
    assert [(o.dataset, o.rows_loaded) for o in outcomes] == [("contacts", 1), ("cp_plans", 1)]
    assert fact_counts(query) == {**EMPTY, "contact": 1, "cp_plan": 1}


@pytest.mark.parametrize(
    "sheet, header, lacking",
    [
        (
            "List 3",
            _with_headers(REFERRAL_HEADER, {"Date of Referral": "Date of Refferal"}),
            "'Date of Referral'",
        ),
        (
            "Referrals",
            _with_headers(REFERRAL_HEADER, {"Date of Referral": "Dat of Referral"}),
            "'Date of Referral'",
        ),
        (
            "Referrals",
            _with_headers(REFERRAL_HEADER, {"Referral Source": "Refferal Sourse"}),
            "'Referral Source'",
        ),
        ("Contacts", _with_headers(CONTACT_HEADER, {"Contact Source": "Contact Sauce"}), "'Contact Source'"),
        ("List 3", _with_headers(REFERRAL_HEADER, {"Child Unique ID": "Child"}), "'Child Unique ID'"),
    ],
)
def test_a_list_whose_needed_header_is_not_recognised_is_refused_naming_sheet_and_header(
    sheet, header, lacking, tmp_path, load, query, settings
):
    load(
        workbook(tmp_path / "earlier.xlsx", {"List 3": [REFERRAL_HEADER, referral(9, datetime(2024, 5, 1))]}),
        source=CITY,
    )
    row = (
        referral(1, datetime(2024, 6, 3))
        if "Referral" in " ".join(header) or sheet == "List 3"
        else contact(1, datetime(2024, 6, 3))
    )
    path = workbook(
        tmp_path / "typo.xlsx",
        {sheet: [header, row], "Other": [S47_HEADER, [2, "a) Male", datetime(2024, 6, 2), None]]},
    )
    [outcome] = load(path, source=CITY)
    assert outcome.status == "failed"
    assert f"sheet '{sheet}'" in outcome.message and f"has no column headed {lacking}" in outcome.message
    assert fact_counts(query) == {**EMPTY, "referral": 1}  # nothing of the workbook loaded, not even its S47s
    result = CliRunner().invoke(app, ["load", "--la", "E08000021", str(path), "--force"], terminal_width=250)
    assert result.exit_code == 1 and lacking in " ".join(result.output.split())


def test_a_sheet_named_for_a_list_without_its_header_row_is_refused(tmp_path, load):
    path = workbook(
        tmp_path / "named.xlsx",
        {
            "List 3": [["ID", "When", "Who", "What"], [1, "03/06/2024", "x", "y"]],
            "List 1": [CONTACT_HEADER, contact(1, datetime(2024, 6, 2))],
        },
    )
    [outcome] = load(path, source=CITY)
    assert outcome.status == "failed"
    assert (
        "sheet 'List 3' is named for List 3, referrals, but none of its first 20 rows is a header row with "
        "its columns: it needs 'Date of Referral', 'Referral Source', 'Child Unique ID', 'Referral NFA?'"
        in outcome.message
    )


def test_a_list_with_a_header_and_no_rows_or_an_empty_sheet_is_said_as_no_rows(tmp_path, load, query):
    path = workbook(
        tmp_path / "empty_lists.xlsx",
        {
            "List 1": [CONTACT_HEADER, contact(1, datetime(2024, 6, 2))],
            "List 4": [],
            "List 5": [S47_HEADER, [], [None, None, None, None]],
        },
    )
    [outcome] = load(path, source=CITY)
    assert (outcome.dataset, outcome.rows_loaded) == ("contacts", 1)
    said = (
        "sheet 'List 4' (List 4, assessments) is empty: no rows; sheet 'List 5' (List 5, section 47 enquiries "
        "and icpcs) has a header row but no rows: no rows"
    )
    assert "; ".join(outcome.notes) == said
    assert query("SELECT message FROM etl_load") == [(said,)]
    result = CliRunner().invoke(app, ["load", "--la", "E08000021", "--force", str(path)], terminal_width=300)
    assert result.exit_code == 0 and "has a header row but no rows: no rows" in result.output


def test_list_8_loads_without_the_column_that_only_tells_the_list(tmp_path, load, query):
    header = [
        "Child Unique ID",
        "Gender",
        "Date Strted to be Looked After",  # a typo in a column not loaded
        "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months",
        "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months",
    ]
    rows = [[1, "a) Male", datetime(2023, 1, 5), 2, 0], [2, "b) Female", datetime(2022, 3, 1), 0, 1]]
    path = workbook(
        tmp_path / "list8.xlsx",
        {"List 1": [CONTACT_HEADER, contact(9, datetime(2024, 6, 2))], "Children in care": [header, *rows]},
    )
    outcomes = load(path, source=CITY)
    assert [(o.dataset, o.rows_loaded) for o in outcomes] == [
        ("contacts", 1),
        ("cla_missing_counts", len(rows)),
    ]
    assert query("SELECT sum(missing_episodes), sum(away_episodes) FROM cla_missing_count") == [
        (sum(r[3] for r in rows), sum(r[4] for r in rows))
    ]
