"""Duplicate rows in every format: exact copies and records given twice (the same child and date in a
return) load once, each dropped row is a warning with its row number, and the KPIs count each record once
(etl/validate/duplicates.py, docs/extract-formats.md "Duplicate rows")."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import duckdb
from openpyxl import load_workbook
from typer.testing import CliRunner

from etl.cli import app
from etl.pipeline import SourceOptions
from tests.helpers import REFERRAL_HEADER, referral, workbook, write_extract
from warehouse.kpis.engine import Filters, evaluate
from warehouse.kpis.periods import parse_period
from warehouse.queries import run

LA = "E08000021"
FY_2024 = (date(2024, 4, 1), date(2025, 3, 31))
RETURN = SourceOptions(la_code=LA, coverage=FY_2024)
PLAN_HEADER = [
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Child Protection Plan Start Date",
    "Initial Category of Abuse",
    "Latest Category of Abuse",
    "Child Protection Plan End Date",
    "Number of Previous Child Protection Plans",
]
DUPLICATE_RULES = ("duplicate_row", "duplicate_record")


def plan(child: int, day: datetime, category: str = "Neglect", previous: int | None = 0) -> list:
    return [child, "b) Female", "a) WBRI", datetime(2016, 2, 1), day, category, category, None, previous]


def kpi_figure(settings, kpi_id: str, period: str = "2024-25") -> tuple[int, int]:
    """Numerator and denominator of a KPI from the engine, unsuppressed, for the LA."""
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        [result] = evaluate(con, [kpi_id], parse_period(period), Filters((LA,)))
    return result.current.numerator, result.current.denominator


def warnings_of(outcome) -> list[tuple[int, str]]:
    return [(r.row_number, r.rule) for r in outcome.rejections if r.rule in DUPLICATE_RULES]


def distinct_records(path: Path, sheet: str, date_header: str) -> dict[tuple, list[int]]:
    """(child, date) -> the sheet rows that give it, read with openpyxl."""
    rows = list(load_workbook(path, data_only=True)[sheet].iter_rows(values_only=True))
    header = list(rows[0])
    records: dict[tuple, list[int]] = {}
    for number, row in enumerate(rows[1:], start=2):
        records.setdefault((row[0], row[header.index(date_header)].date()), []).append(number)
    return records


def within_12_months_after(earlier: date, later: date) -> bool:
    return earlier < later and earlier >= later.replace(year=later.year - 1)


# --- Annex A: the class of problem that inflated a real workbook's KPIs --------------------------


def _annex_a_with_duplicates(tmp_path: Path) -> Path:
    less_complete = referral(3, datetime(2024, 7, 1))
    less_complete[1] = None  # no gender: the complete row below is kept, though it comes second
    return workbook(
        tmp_path / "duplicates.xlsx",
        {
            "List 3": [
                REFERRAL_HEADER,
                referral(1, datetime(2024, 5, 1)),  # row 2: kept
                referral(1, datetime(2024, 5, 1)),  # row 3: an exact copy of row 2
                referral(
                    1, datetime(2024, 5, 1), nfa="Yes"
                ),  # row 4: same child and day, conflicting; ties row 2
                referral(2, datetime(2024, 6, 3)),  # row 5
                referral(2, datetime(2024, 6, 3)),  # row 6: an exact copy of row 5
                less_complete,  # row 7: same child and day as row 8, less complete
                referral(3, datetime(2024, 7, 1)),  # row 8: kept
                referral(1, datetime(2024, 9, 1)),  # row 9: child 1 again, four months on: a re-referral
                referral(4, datetime(2024, 10, 1)),  # row 10
                referral(4, datetime(2024, 10, 2)),  # row 11: the next day is another referral, kept
            ],
            "List 7": [
                PLAN_HEADER,
                plan(1, datetime(2024, 6, 10)),  # row 2: kept
                plan(1, datetime(2024, 6, 10)),  # row 3: an exact copy
                plan(1, datetime(2024, 6, 10), "Emotional abuse"),  # row 4: conflicting, ties row 2
                plan(2, datetime(2024, 7, 1)),  # row 5
                plan(2, datetime(2024, 11, 1)),  # row 6: a second plan, but the return says 0 before
                plan(3, datetime(2024, 8, 1), "Physical abuse"),  # row 7
            ],
        },
    )


def test_annex_a_duplicates_load_once_and_each_dropped_row_is_a_warning(tmp_path, load, query):
    path = _annex_a_with_duplicates(tmp_path)
    referrals_by_hand = distinct_records(path, "List 3", "Date of Referral")
    plans_by_hand = distinct_records(path, "List 7", "Child Protection Plan Start Date")
    assert (len(referrals_by_hand), len(plans_by_hand)) == (6, 4)

    referrals, plans = load(path, source=RETURN)

    assert (referrals.rows_read, referrals.rows_loaded, referrals.rows_rejected) == (10, 6, 4)
    assert warnings_of(referrals) == [
        (3, "duplicate_row"),
        (4, "duplicate_record"),
        (6, "duplicate_row"),
        (7, "duplicate_record"),
    ]
    assert (plans.rows_read, plans.rows_loaded) == (6, 4)
    assert warnings_of(plans) == [(3, "duplicate_row"), (4, "duplicate_record")]
    assert query("SELECT count(*) FROM referral") == [(len(referrals_by_hand),)]
    assert query("SELECT count(*) FROM cp_plan") == [(len(plans_by_hand),)]
    # the conflicting row 4 said NFA; row 2, kept, did not
    assert query("SELECT count(*) FILTER (is_nfa) FROM referral") == [(0,)]
    # of the two rows of child 3 on 1 July, the complete one (row 8) is kept: its gender is known
    assert query("SELECT count(*) FROM child WHERE gender = 'U'") == [(0,)]
    by_row = {r.row_number: r.message for r in referrals.rejections}
    assert by_row[3] == "Warning, duplicate dropped: the row is an exact copy of row 2, which was kept"
    assert by_row[4] == (
        "Warning, duplicate dropped: the same child and Date of Referral (2024-05-01) as row 2, "
        "a record given twice; row 2 was kept, as the first of the rows with the most fields "
        "filled in"
    )
    assert by_row[7] == (
        "Warning, duplicate dropped: the same child and Date of Referral (2024-07-01) as row 8, "
        "a record given twice; row 8 was kept, as the row with the most fields filled in"
    )
    assert (
        "4 duplicate rows dropped (warnings among the rejections, each naming the row kept)"
        in referrals.notes
    )


def test_annex_a_duplicates_no_longer_inflate_re_referrals_or_repeat_plans(tmp_path, load, settings):
    path = _annex_a_with_duplicates(tmp_path)
    referrals_by_hand = sorted(distinct_records(path, "List 3", "Date of Referral"))
    rereferrals = sum(
        any(c == child and within_12_months_after(d, day) for c, d in referrals_by_hand)
        for child, day in referrals_by_hand
    )
    assert (rereferrals, len(referrals_by_hand)) == (2, 6)  # child 1 on 1 Sep, child 4 on 2 Oct

    load(path, source=RETURN)

    assert kpi_figure(settings, "re_referral_12m") == (rereferrals, len(referrals_by_hand))
    # every plan says 0 previous plans: none is a repeat, though child 2 has two and child 1's was listed thrice
    assert kpi_figure(settings, "cp_repeat") == (0, 4)


def test_dropped_duplicates_show_as_warnings_in_the_rejections_command_and_the_data_page_query(
    tmp_path, load, settings
):
    [outcome, _] = load(_annex_a_with_duplicates(tmp_path), source=RETURN)
    result = CliRunner().invoke(app, ["rejections", str(outcome.load_id)], terminal_width=250)
    assert result.exit_code == 0
    assert result.output.count("Warning, duplicate dropped") == 4
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        shown = run(con, "load_rejections", load_id=outcome.load_id)  # what the Data page lists
    assert list(zip(shown["row_number"], shown["rule"])) == [
        (3, "duplicate_row"),
        (4, "duplicate_record"),
        (6, "duplicate_row"),
        (7, "duplicate_record"),
    ]


def test_a_duplicate_of_a_rejected_row_is_kept_when_it_is_valid(tmp_path, load, query):
    bad = referral(1, datetime(2024, 5, 1))
    bad[1] = "x) Martian"
    path = workbook(
        tmp_path / "bad_then_good.xlsx",
        {
            "List 3": [
                REFERRAL_HEADER,
                bad,
                referral(1, datetime(2024, 5, 1)),
                referral(2, datetime(2024, 5, 2)),
            ]
        },
    )
    [outcome] = load(path, source=RETURN)
    assert [(r.row_number, r.rule) for r in outcome.rejections] == [(2, "unknown_code")]
    assert (outcome.rows_loaded, query("SELECT count(*) FROM referral")) == (2, [(2,)])


def test_an_exact_copy_of_a_bad_row_reports_the_error_once(tmp_path, load):
    bad = referral(1, "31/02/2024")
    path = workbook(
        tmp_path / "bad_twice.xlsx",
        {"List 3": [REFERRAL_HEADER, referral(2, datetime(2024, 5, 2)), bad, list(bad)]},
    )
    [outcome] = load(path, source=RETURN)
    assert [(r.row_number, r.rule) for r in outcome.rejections] == [(3, "unparseable"), (4, "duplicate_row")]
    assert outcome.rows_loaded == 1


# --- native CSV ---------------------------------------------------------------------------------


def test_native_exact_copies_load_once_but_rows_with_their_own_ids_are_separate_records(
    tmp_path, load, query
):
    rows = [
        {"contact_id": "C1", "child_id": "A", "contact_date": "2024-06-03"},
        {"contact_id": "C1", "child_id": "A", "contact_date": "2024-06-03"},  # row 3: an exact copy of row 2
        {
            "contact_id": "C2",
            "child_id": "A",
            "contact_date": "2024-06-03",
            "source": "2A",
        },  # its own ID: a record
        {"contact_id": "C3", "child_id": "B", "contact_date": "2024-06-04"},
        {"contact_id": "C3", "child_id": "B", "contact_date": "2024-06-04"},  # row 6: a copy of row 5
    ]
    path = write_extract(
        tmp_path / "contacts.csv", "contacts", rows, coverage_start="2024-04-01", coverage_end="2025-03-31"
    )
    with open(path, newline="") as handle:
        lines = [tuple(row.values()) for row in csv.DictReader(handle)]
    copies = [number for number, line in enumerate(lines, start=2) if line in lines[: number - 2]]
    assert copies == [3, 6]

    [outcome] = load(path)

    assert [(r.row_number, r.rule, r.message) for r in outcome.rejections] == [
        (
            n,
            "duplicate_row",
            f"Warning, duplicate dropped: the row is an exact copy of row {n - 1}, which was kept",
        )
        for n in copies
    ]
    assert (outcome.status, outcome.rows_loaded, outcome.rows_rejected) == ("loaded_with_rejections", 3, 2)
    assert query("SELECT contact_id FROM contact ORDER BY 1") == [("C1",), ("C2",), ("C3",)]


# --- SSDA903 ------------------------------------------------------------------------------------


def test_ssda903_copies_and_episodes_of_the_same_child_and_start_load_once(tmp_path, load, query):
    path = tmp_path / "missing.csv"
    lines = [
        ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"],
        ["101", "01/02/2010", "M", "03/06/2024", "04/06/2024"],  # line 2
        ["101", "01/02/2010", "M", "03/06/2024", "04/06/2024"],  # line 3: an exact copy
        ["102", "01/03/2011", "M", "05/06/2024", ""],  # line 4: same child and start as line 5, no end
        ["102", "01/03/2011", "M", "05/06/2024", "06/06/2024"],  # line 5: kept, the more complete
        ["102", "01/03/2011", "A", "07/06/2024", "07/06/2024"],  # line 6: another day, kept
    ]
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows(lines)
    episodes = {(line[0], line[3]) for line in lines[1:]}

    [outcome] = load(path, source=SourceOptions("ssda903", la_code=LA))

    assert outcome.rows_loaded == len(episodes) == 3
    assert warnings_of(outcome) == [(3, "duplicate_row"), (4, "duplicate_record")]
    assert query("SELECT count(*), count(end_datetime) FROM missing_episode") == [(3, 3)]


# --- CIN census ---------------------------------------------------------------------------------

CIN = """<?xml version="1.0" encoding="UTF-8"?>
<Message>
  <Header>
    <CollectionDetails><Collection>CIN</Collection><Year>2025</Year><ReferenceDate>2025-03-31</ReferenceDate></CollectionDetails>
    <Source><LEA>391</LEA></Source>
  </Header>
  <Children>
{children}
  </Children>
</Message>
"""
CHILD = """    <Child>
      <ChildIdentifiers><LAchildID>{child}</LAchildID><PersonBirthDate>2012-01-05</PersonBirthDate><GenderCurrent>1</GenderCurrent></ChildIdentifiers>
      <ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>
{episodes}
    </Child>"""
EPISODE = """      <CINdetails>
        <CINreferralDate>{day}</CINreferralDate><ReferralSource>{source}</ReferralSource><ReferralNFA>false</ReferralNFA>
        <ChildProtectionPlans><CPPstartDate>{plan_day}</CPPstartDate><InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse><NumberOfPreviousCPP>0</NumberOfPreviousCPP></ChildProtectionPlans>{assessment}
      </CINdetails>"""
ASSESSMENT = (
    "\n        <Assessments><AssessmentActualStartDate>{day}</AssessmentActualStartDate></Assessments>"
)


def test_cin_records_given_twice_load_once_and_count_once(tmp_path, load, query, settings):
    children = [
        (
            "C1",
            [
                ("2024-05-01", "1A", "2024-06-01"),
                ("2024-05-01", "1A", "2024-06-01"),  # the episode twice
                ("2024-09-01", "6", "2024-10-01"),
            ],
        ),  # another day: kept
        (
            "C2",
            [("2024-07-01", "2A", "2024-08-01"), ("2024-07-01", "6", "2024-08-01")],
        ),  # same day, conflicting
    ]
    # the assessment sits under C2's second referral, the one dropped: it must still find its referral
    assessment_under = {("C2", 1): ASSESSMENT.format(day="2024-07-05")}
    text = CIN.format(
        children="\n".join(
            CHILD.format(
                child=child,
                episodes="\n".join(
                    EPISODE.format(
                        day=day,
                        source=source,
                        plan_day=plan_day,
                        assessment=assessment_under.get((child, n), ""),
                    )
                    for n, (day, source, plan_day) in enumerate(episodes)
                ),
            )
            for child, episodes in children
        )
    )
    path = tmp_path / "cin.xml"
    path.write_text(text, encoding="utf-8")
    referrals_by_hand = {(child, day) for child, episodes in children for day, _, _ in episodes}
    plans_by_hand = {(child, plan_day) for child, episodes in children for _, _, plan_day in episodes}
    assert (len(referrals_by_hand), len(plans_by_hand)) == (3, 3)

    referrals, assessments, plans = load(path, source=SourceOptions(la_code=LA))

    assert (referrals.rows_read, referrals.rows_loaded, len(warnings_of(referrals))) == (5, 3, 2)
    # C1's episode is repeated exactly; C2's two referrals of one day differ in their source
    assert [rule for _, rule in warnings_of(referrals)] == ["duplicate_row", "duplicate_record"]
    assert (plans.rows_read, plans.rows_loaded, len(warnings_of(plans))) == (5, 3, 2)
    assert query("SELECT count(*) FROM referral") == [(3,)]
    assert assessments.rows_loaded == 1
    assert query("SELECT count(*) FROM assessment JOIN referral USING (la_code, referral_id)") == [(1,)]
    assert kpi_figure(settings, "re_referral_12m") == (1, 3)  # C1 on 1 September
    assert kpi_figure(settings, "cp_repeat") == (0, 3)
