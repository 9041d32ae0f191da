"""A period that no load of a KPI's dataset covers, for some LA in scope, has no value ("no data") and
says why; a covered month with no events is still a genuine 0. Worked out by hand on a small
warehouse whose datasets were loaded over different windows:

  E08000021 contacts          2023-04-01 to 2025-03-31: 10 May 2023; 10 May and 10 June 2024
  E08000021 missing episodes  2024-04-01 to 2025-03-31: X on 1 June and 1 July 2024, Y on 1 August 2024
  E08000021 CP plans          2024-10-01 to 2025-03-31: A from 1 Nov 2024, B from 1 June 2023 (open)
  E08000022 missing episodes  2023-04-01 to 2025-03-31: P on 1 September 2023, Q on 1 October 2024
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.helpers import write_extract
from warehouse.kpis.coverage import read_coverage
from warehouse.kpis.engine import Filters, evaluate
from warehouse.kpis.formatting import shown_change
from warehouse.kpis.periods import financial_year, month, parse_period

LA, OTHER_LA = "E08000021", "E08000022"
YEAR_BEFORE, YEAR = financial_year(2023), financial_year(2024)
BOTH_YEARS = {"coverage_start": "2023-04-01", "coverage_end": "2025-03-31"}


def _episode(child: str, start: str) -> dict[str, str]:
    return {
        "child_id": child,
        "start_datetime": f"{start} 10:00",
        "end_datetime": f"{start} 20:00",
        "rhi_offered_datetime": "",
        "rhi_accepted": "",
    }


@pytest.fixture(scope="module")
def con(tmp_path_factory, monkeypatch_module):
    from etl.pipeline import run_load
    from warehouse.settings import Settings

    folder = tmp_path_factory.mktemp("coverage")
    monkeypatch_module.setenv("SAFEGUARD_PSEUDONYMISATION_KEY", "test-key")
    files = [
        write_extract(
            folder / "contacts.csv",
            "contacts",
            [{"contact_date": d} for d in ("2023-05-10", "2024-05-10", "2024-06-10")],
            **BOTH_YEARS,
        ),
        write_extract(
            folder / "missing.csv",
            "missing_episodes",
            [_episode("X", "2024-06-01"), _episode("X", "2024-07-01"), _episode("Y", "2024-08-01")],
            coverage_start="2024-04-01",
            coverage_end="2025-03-31",
        ),
        write_extract(
            folder / "cp_plans.csv",
            "cp_plans",
            [
                {"child_id": "A", "start_date": "2024-11-01", "end_date": ""},
                {"child_id": "B", "start_date": "2023-06-01", "end_date": ""},
            ],
            coverage_start="2024-10-01",
            coverage_end="2025-03-31",
        ),
        write_extract(
            folder / "missing_other.csv",
            "missing_episodes",
            [_episode("P", "2023-09-01"), _episode("Q", "2024-10-01")],
            la_code=OTHER_LA,
            **BOTH_YEARS,
        ),
    ]
    home = folder / "home"
    outcomes = run_load(files, Settings(home=home), today=date(2025, 6, 30))
    assert [(o.status, o.rejections) for o in outcomes] == [("loaded", [])] * len(files)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def one(con, kpi_id, period, *la_codes):
    [result] = evaluate(con, [kpi_id], period, Filters(la_codes or (LA,)))
    return result


MISSING_2023_24 = "Missing episodes not loaded for Apr 2023 to Mar 2024"


def test_a_year_before_the_datasets_coverage_has_no_value_and_says_why(con):
    episodes = one(con, "missing_episodes", YEAR_BEFORE).current
    assert (episodes.value, episodes.numerator, episodes.denominator, episodes.no_data) == (
        None,
        None,
        None,
        MISSING_2023_24,
    )
    children = one(con, "children_missing", YEAR_BEFORE).current  # a count of children, not of events
    assert (children.value, children.no_data) == (None, MISSING_2023_24)
    rhi = one(con, "rhi_72h", YEAR_BEFORE).current  # a percentage of two measures of the dataset
    assert (rhi.value, rhi.denominator, rhi.no_data) == (None, None, MISSING_2023_24)


def test_the_covered_year_has_its_value_and_no_comparison_with_the_year_before(con):
    result = one(con, "missing_episodes", YEAR)
    assert (result.current.value, result.current.no_data) == (3.0, None)  # X twice, Y
    assert result.previous.no_data == MISSING_2023_24
    change = shown_change(result.kpi, result.current, result.previous)
    assert (change.absolute, change.percent) == (None, None)
    assert one(con, "children_missing", YEAR).current.value == 2.0  # X and Y


def test_another_dataset_covered_for_both_years_keeps_its_figures(con):
    contacts = one(con, "contacts", YEAR)
    assert (contacts.current.value, contacts.previous.value) == (2.0, 1.0)
    assert (contacts.current.no_data, contacts.previous.no_data) == (None, None)


def test_a_trend_has_gaps_before_the_coverage_and_genuine_zeros_after(con):
    series = one(con, "missing_episodes", YEAR).series  # 25 months: March 2023 to March 2025
    assert [f.period.code for f in series[:2]] == ["2023-03", "2023-04"]
    assert [f.value for f in series] == [None] * 13 + [0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    assert series[0].no_data == "Missing episodes not loaded for Mar 2023"
    assert series[12].no_data == "Missing episodes not loaded for Mar 2024"
    assert {f.no_data for f in series[13:]} == {None}
    contacts = one(con, "contacts", YEAR).series  # loaded from April 2023: only March 2023 is a gap
    assert [f.value for f in contacts[:3]] == [None, 0.0, 1.0]


def test_a_quarter_partly_before_the_coverage_of_a_flow_has_no_value(con):
    q1 = one(con, "missing_episodes", parse_period("2024-25-Q1"))
    assert (q1.current.value, q1.previous.period.code) == (1.0, "2023-24-Q4")  # June 2024: X
    assert q1.previous.no_data == "Missing episodes not loaded for Jan 2024 to Mar 2024"
    rolling = one(con, "missing_episodes", parse_period("R12-2024-09")).current  # October 2023 on
    assert rolling.no_data == "Missing episodes not loaded for Oct 2023 to Mar 2024"


def test_a_stock_reads_the_last_month_only_and_a_flow_every_month(con):
    # CP plans are loaded from October 2024: what is open at the end of March 2025 is known (A, and
    # B open since 2023), the plans started over the whole year are not.
    assert one(con, "cp_open", YEAR).current.value == 2.0
    assert (
        one(con, "cp_starts", YEAR).current.no_data
        == "Child protection plans not loaded for Apr 2024 to Sep 2024"
    )
    q3, q4 = (one(con, "cp_starts", parse_period(p)).current for p in ("2024-25-Q3", "2024-25-Q4"))
    assert (q3.value, q4.value, q4.no_data) == (1.0, 0.0, None)  # A in November; none in Q4: a real 0
    assert (
        one(con, "cp_open", month(2024, 9)).current.no_data
        == "Child protection plans not loaded for Sep 2024"
    )


def test_a_scope_of_several_las_has_no_total_where_one_of_them_is_not_covered(con):
    both = one(con, "missing_episodes", YEAR_BEFORE, LA, OTHER_LA).current
    assert (both.value, both.no_data) == (None, f"{MISSING_2023_24} in {LA}")
    assert one(con, "missing_episodes", YEAR_BEFORE, OTHER_LA).current.value == 1.0  # P alone
    assert one(con, "missing_episodes", YEAR, LA, OTHER_LA).current.value == 4.0  # X twice, Y, Q
    contacts = one(con, "contacts", YEAR, LA, OTHER_LA).current  # the other LA loaded no contacts
    assert contacts.no_data == f"Contacts not loaded for Apr 2024 to Mar 2025 in {OTHER_LA}"


def test_a_share_kpi_with_no_data_lists_no_parts(con):
    share = one(con, "contacts_by_source", YEAR, LA, OTHER_LA)
    assert (share.current.no_data is not None, share.parts) == (True, ())
    assert [p.count for p in one(con, "contacts_by_source", YEAR).parts] == [2]  # the example source


def test_the_cube_and_raw_paths_agree_on_what_has_no_data(con):
    kpis = ["missing_episodes", "children_missing", "rhi_72h", "contacts", "cp_open", "cp_starts"]
    for period in (YEAR_BEFORE, YEAR, parse_period("2024-25-Q1")):
        filters = Filters((LA, OTHER_LA))
        assert evaluate(con, kpis, period, filters) == evaluate(con, kpis, period, filters, source="raw")


# --- The coverage of the load audit: windows joined into runs, failed loads and part months left out ---


def _audit(rows: list[tuple[str, str, str, str]]) -> duckdb.DuckDBPyConnection:
    schema = Path(__file__).resolve().parents[3] / "warehouse" / "schema" / "020_audit.sql"
    con = duckdb.connect()
    con.execute(schema.read_text(encoding="utf-8"))
    for load_id, (dataset, first, last, status) in enumerate(rows, start=1):
        con.execute(
            "INSERT INTO etl_load (load_id, file_name, source_format, dataset, la_code, coverage_start, "
            "coverage_end, status, started_at, finished_at, loaded_by) "
            "VALUES (?, 'f.csv', 'native_csv', ?, ?, ?, ?, ?, now(), now(), 'test')",
            [load_id, dataset, LA, first, last, status],
        )
    return con


def test_windows_that_meet_or_overlap_make_one_run_and_failed_loads_cover_nothing():
    con = _audit(
        [
            ("contacts", "2023-04-01", "2023-06-30", "loaded"),
            ("contacts", "2023-07-01", "2023-09-30", "loaded_with_rejections"),  # meets the first
            ("contacts", "2023-11-01", "2024-01-31", "loaded"),
            ("contacts", "2023-12-01", "2023-12-31", "loaded"),  # a month loaded again, inside
            ("contacts", "2024-02-01", "2024-12-31", "failed"),
            ("referrals", "2023-04-15", "2023-06-20", "loaded"),  # from mid-April to mid-June
        ]
    )
    months = [date(2023, m, 1) for m in range(3, 13)] + [date(2024, 1, 1), date(2024, 2, 1)]
    titles = {"contacts": "Contacts", "referrals": "Referrals"}
    coverage = read_coverage(con, (LA,), titles, months[0], months[-1])
    assert coverage.covered == {
        (LA, "contacts"): {date(2023, m, 1) for m in (4, 5, 6, 7, 8, 9, 11, 12)} | {date(2024, 1, 1)},
        # from the month its first record is in, April, to the last month it holds whole, May
        (LA, "referrals"): {date(2023, 4, 1), date(2023, 5, 1)},
    }
    assert coverage.gap([("contacts", months)]) == "Contacts not loaded for Mar 2023, Oct 2023, Feb 2024"
    assert coverage.gap([("referrals", months[1:4])]) == "Referrals not loaded for Jun 2023"
    assert coverage.gap([("contacts", months[1:7])]) is None


def test_a_month_split_between_two_loads_is_covered():
    con = _audit(
        [
            ("contacts", "2023-04-01", "2023-04-15", "loaded"),
            ("contacts", "2023-04-16", "2023-05-20", "loaded"),
        ]
    )
    coverage = read_coverage(con, (LA,), {"contacts": "Contacts"}, date(2023, 4, 1), date(2023, 5, 1))
    assert coverage.covered == {(LA, "contacts"): {date(2023, 4, 1)}}  # May ends on the 20th
    assert coverage.gap([("contacts", [date(2023, 4, 1)])]) is None
