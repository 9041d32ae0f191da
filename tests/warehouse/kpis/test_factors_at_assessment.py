"""Factors at assessment: a measure counts the completed assessments whose `factors` (several codes in
one cell) contain a factor, as a % of those with factors recorded, worked out by hand on small
extracts; the CIN census's FactorsIdentifiedAtAssessment reaches the same column."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import duckdb

from tests.helpers import write_extract
from warehouse.kpis.engine import Filters, evaluate
from warehouse.kpis.periods import parse_period

LA = "E08000021"
FY = {"coverage_start": "2024-04-01", "coverage_end": "2025-03-31"}
CIN_SAMPLE = Path(__file__).resolve().parents[2] / "data" / "cin" / "cin_2022_pipeline.xml"

ROWS = [
    # completed in May 2024 with neglect and domestic abuse of a parent
    {"assessment_id": "A1", "child_id": "C1", "start_date": "2024-05-01", "authorised_date": "2024-05-20", "factors": "3B;16A"},
    # completed in May, written with a comma and a label: read as 4B;16A
    {"assessment_id": "A2", "child_id": "C2", "start_date": "2024-05-02", "authorised_date": "2024-05-25", "factors": "Neglect, 4B"},
    # completed in May with no factors recorded: in neither count
    {"assessment_id": "A3", "child_id": "C3", "start_date": "2024-05-03", "authorised_date": "2024-05-26", "factors": ""},
    # completed in June: not in May
    {"assessment_id": "A4", "child_id": "C4", "start_date": "2024-05-04", "authorised_date": "2024-06-10", "factors": "3B"},
    # still open: not completed, so in neither count
    {"assessment_id": "A5", "child_id": "C5", "start_date": "2024-05-05", "authorised_date": "", "factors": ""},
    # completed in May, "no factors identified" recorded: in the denominator only
    {"assessment_id": "A6", "child_id": "C6", "start_date": "2024-05-06", "authorised_date": "2024-05-30", "factors": "21"},
]  # fmt: skip


def figures(settings, kpi_ids, period: str, source: str = "cube") -> dict:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        results = evaluate(con, kpi_ids, parse_period(period), Filters((LA,)), source=source)
    return {r.kpi.id: r.current for r in results}


def test_factor_shares_of_assessments_completed_with_factors(tmp_path, load, settings, query):
    [outcome] = load(write_extract(tmp_path / "assessments.csv", "assessments", ROWS, la_code=LA, **FY))
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 6)
    # Each cell's codes are stored once, in the code list's order, joined by ';'.
    assert dict(query("SELECT assessment_id, factors FROM assessment")) == {
        "A1": "3B;16A", "A2": "4B;16A", "A3": None, "A4": "3B", "A5": None, "A6": "21",
    }  # fmt: skip
    kpis = ["factor_neglect", "factor_domestic_abuse_parent", "factor_mental_health_parent", "factor_cce"]
    for source in ("cube", "raw"):
        may = figures(settings, kpis, "2024-05", source)
        # completed in May with factors recorded: A1, A2, A6 = 3
        assert (may["factor_neglect"].numerator, may["factor_neglect"].denominator) == (2, 3)  # A1, A2
        assert may["factor_neglect"].value == 2 / 3 * 100
        domestic_abuse = may["factor_domestic_abuse_parent"]
        assert (domestic_abuse.numerator, domestic_abuse.value) == (1, 1 / 3 * 100)  # A1 of 3
        assert may["factor_mental_health_parent"].numerator == 1  # A2
        assert (may["factor_cce"].numerator, may["factor_cce"].value) == (0, 0.0)
        # The year: A1, A2, A4, A6 completed with factors; domestic abuse of a parent in A1 and A4.
        year = figures(settings, ["factor_domestic_abuse_parent"], "2024-25", source)
        assert (
            year["factor_domestic_abuse_parent"].numerator,
            year["factor_domestic_abuse_parent"].denominator,
        ) == (2, 4)


def test_a_code_that_is_not_a_factor_is_rejected_with_its_row_and_field(tmp_path, load, query):
    rows = [*ROWS[:2], {**ROWS[3], "factors": "3B;99Z"}]
    [outcome] = load(write_extract(tmp_path / "assessments.csv", "assessments", rows, la_code=LA, **FY))
    assert outcome.rows_loaded == 2
    [(row, field, message)] = query("SELECT row_number, field, message FROM etl_rejection")
    assert (row, field) == (4, "factors")  # the header is row 1
    assert "factors '3B;99Z' is not a known code" in message


def test_the_cin_census_factors_reach_the_assessment(load, query):
    # ElementTree, independently: the sample's one assessment lists its factors one element each.
    root = ElementTree.parse(CIN_SAMPLE).getroot()
    codes = [e.text for e in root.iter("AssessmentFactors")]
    assert codes == ["2A", "2B"]
    load(CIN_SAMPLE)
    assert query("SELECT factors FROM assessment") == [("2A;2B",)]


def test_assessments_carry_no_agency_so_an_agency_filter_leaves_the_share_whole(tmp_path, load, settings):
    load(write_extract(tmp_path / "assessments.csv", "assessments", ROWS, la_code=LA, **FY))
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        [whole] = evaluate(con, ["factor_neglect"], parse_period("2024-05"), Filters((LA,)))
        [police] = evaluate(
            con, ["factor_neglect"], parse_period("2024-05"), Filters((LA,), agency=("Police",))
        )
    assert police.ignored_filters == ("agency",)  # the card says "Not split by agency"
    assert (police.current.numerator, police.current.denominator) == (whole.current.numerator, 3) == (2, 3)
