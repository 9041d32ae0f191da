"""A published KPI's figure is the LA's own published one, for the latest year up to the period,
labelled with its publisher and year, beside England, the region and the neighbours of the same table.

Expected figures are read from the shipped CSVs here with csv (PARTNER-MEASURES.md: Newcastle's social
worker caseload 2025 is 18.4 beside England's 15.2; CPPO persistent absence 2024/25 60.9; hospital
admissions for injuries 2023/24 117.0).
"""

from __future__ import annotations

import csv

import duckdb
import pytest

from app.components.kpi_card import kpi_card
from tests.app.test_kpi_card import text_of
from warehouse.benchmarks import REAL_DATA_DIR
from warehouse.db import build_schema
from warehouse.kpis.assessment import assess
from warehouse.kpis.engine import Filters, evaluate
from warehouse.kpis.formatting import shown_change
from warehouse.kpis.periods import financial_year, quarter

NEWCASTLE, GATESHEAD = "E08000021", "E08000037"


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("published") / "w.duckdb"
    with duckdb.connect(str(path)) as build:
        build_schema(build)
    with duckdb.connect(str(path), read_only=True) as connection:
        yield connection


def csww(time_period: str, **wanted: str) -> dict[str, str]:
    with (REAL_DATA_DIR / "csww_indicators_2017_to_2025.csv").open(encoding="utf-8-sig", newline="") as file:
        found = [
            r for r in csv.DictReader(file)
            if r["time_period"] == time_period and all(r[k] == v for k, v in wanted.items())
        ]  # fmt: skip
    assert len(found) == 1
    return found[0]


def test_caseload_is_newcastles_published_figure_for_the_latest_year_with_its_benchmarks(con):
    # The year ending in 2025 (2024/25): the caseload published for 2025 (at 30 September 2025).
    (judged,) = assess(con, ["sw_caseload"], financial_year(2024), Filters([NEWCASTLE]))
    result = judged.result
    assert result.current.value == float(csww("2025", new_la_code=NEWCASTLE)["caseload_fte"]) == 18.4
    assert result.period_note == "Published by DfE for 2025"
    # The year before is the previous figure, and the series is every published year, oldest first.
    assert result.previous.value == float(csww("2024", new_la_code=NEWCASTLE)["caseload_fte"])
    years = [f.period.financial_year_start + 1 for f in result.series]
    assert years == list(range(2017, 2026))
    assert (
        judged.benchmark.england == float(csww("2025", geographic_level="National")["caseload_fte"]) == 15.2
    )
    region = csww("2025", geographic_level="Regional", region_name="North East")
    assert judged.benchmark.region == float(region["caseload_fte"])

    text = text_of(kpi_card(judged))
    assert "18.4" in text and "Published by DfE for 2025" in text
    assert "England 15.2" in text
    # 18.4 against 17.8 for 2024 (csww 2024 row): +0.6, +3.4%, worse for a lower-is-better KPI.
    assert "+0.6 (+3.4%) (worse) on 2024" in text
    assert "View the records" not in text  # a published figure has no records behind it here


def test_an_earlier_period_gets_the_year_it_ends_in_and_a_later_one_the_latest_published(con):
    # Quarter 3 of 2023/24 ends in the school year 2023/24 (time_period 202324 -> 2024).
    (earlier,) = evaluate(con, ["pa_cp"], quarter(2023, 3), Filters([NEWCASTLE]))
    assert earlier.period_note == "Published by DfE for 2023/24"
    (latest,) = evaluate(con, ["pa_cp"], financial_year(2026), Filters([NEWCASTLE]))
    assert latest.current.value == 60.9
    assert latest.period_note == "Published by DfE for 2024/25, the latest published"
    (injuries,) = evaluate(con, ["injury_admissions"], financial_year(2024), Filters([NEWCASTLE]))
    assert round(injuries.current.value, 1) == 117.0
    assert injuries.period_note == "Published by OHID for 2023/24, the latest published"


def test_a_change_on_the_year_before_is_worked_out_from_the_two_published_years(con):
    (result,) = evaluate(con, ["sw_caseload"], financial_year(2024), Filters([NEWCASTLE]))
    change = shown_change(result.kpi, result.current, result.previous)
    # 18.4 at 30 September 2025 against 17.8 a year earlier (csww 2024 row), each to one decimal.
    before = round(float(csww("2024", new_la_code=NEWCASTLE)["caseload_fte"]), 1)
    assert change.absolute == pytest.approx(18.4 - before)


def test_a_marker_is_no_figure_with_the_reason_never_0(con):
    # Find, with csv, an LA whose CPPO persistent absence is a marker in some school year.
    with (REAL_DATA_DIR / "absence_la.csv").open(encoding="utf-8-sig", newline="") as file:
        row = next(
            r for r in csv.DictReader(file)
            if r["social_care_group"] == "CPPO at 31 March" and r["phase_type_grouping"] == "Total"
            and r["geographic_level"] == "Local authority" and r["pt_pupils_pa_10_exact"] in {"c", "x", "z", "u", "k"}
        )  # fmt: skip
    ends = int(row["time_period"][:4]) + 1
    (result,) = evaluate(con, ["pa_cp"], financial_year(ends - 1), Filters([row["new_la_code"]]))
    assert result.current.value is None
    label = f"{ends - 1}/{ends % 100:02d}"
    assert result.current.no_data.startswith(
        f"Not published by DfE for {label} ({row['pt_pupils_pa_10_exact']}:"
    )


def test_a_scope_of_several_las_has_no_single_published_figure(con):
    (result,) = evaluate(con, ["cla_rate"], financial_year(2024), Filters([NEWCASTLE, GATESHEAD]))
    assert result.current.value is None
    assert "publishes it for each local authority" in result.current.no_data


def test_a_filter_does_not_split_a_published_figure_and_says_so(con):
    (whole,) = evaluate(con, ["cla_rate"], financial_year(2024), Filters([NEWCASTLE]))
    (filtered,) = evaluate(con, ["cla_rate"], financial_year(2024), Filters([NEWCASTLE], gender=["F"]))
    assert filtered.current.value == whole.current.value
    assert filtered.ignored_filters == ("gender",)
