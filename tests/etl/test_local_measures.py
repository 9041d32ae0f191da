"""A data team's stock and distinct-children measures on a dataset of its own: the early help dataset
of docs/model.md, the second file of its "flow, stock and distinct children" section and its outcome
filter (a column of the records), applied and loaded with the CLI as a data team would, on a hand-built
extract. The figures are worked out by hand below."""

from __future__ import annotations

import csv

import duckdb
import pytest

from tests.etl.test_local_dataset import HEADER, LA, _run, assert_cube_is_raw
from tests.helpers import model_doc_example
from warehouse.kpis.engine import Filters, evaluate, model_kpi, records
from warehouse.kpis.periods import Period, financial_year, month, quarter
from warehouse.kpis.suppression import NO_SUPPRESSION, Count, SuppressionPolicy
from warehouse.queries import run
from warehouse.settings import Settings

pytestmark = pytest.mark.slow  # it runs the CLI in processes of its own

EARLY_HELP = model_doc_example("[[dataset]]")
TIMINGS = model_doc_example('timing = "stock"')  # the stock and the count of children
OUTCOME = model_doc_example('id = "outcome"')  # a filter read from the records' own column

# Open at a month end: started on or before it, and completed after it or not at all.
#   31 May 2024: EH1, EH2                      -> 2
#   30 Jun 2024: EH2, EH3, EH5 (started that day; EH1 ended the 11th, EH4 on the 30th) -> 3
#   30 Sep 2024 and 31 Mar 2025: EH3, EH5      -> 2 (EH2 closed on 31 July)
# Children with an assessment started: May A, B; June A, C, E; so April to June A, B, C, E: 4 (the
# months add up to 5, as do the assessments). Health (EH1, EH3): A only; Schools: B, C, E.
ROWS = [
    ("EH1", "A", "2024-05-20", "2024-06-11", "completed", "HEA"),
    ("EH2", "B", "2024-05-20", "2024-07-31", "completed", "SCH"),
    ("EH3", "A", "2024-06-15", "", "", "Health"),
    ("EH4", "C", "2024-06-10", "2024-06-30", "W", "SCH"),
    ("EH5", "E", "2024-06-30", "", "", "Schools"),
]
Q1 = quarter(2024, 1)  # April to June 2024


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("local_measures")
    settings = Settings(home=folder / "home")
    (settings.home / "model").mkdir(parents=True)
    (settings.home / "model" / "early_help.toml").write_text(EARLY_HELP, encoding="utf-8")
    (settings.home / "model" / "early_help_caseload.toml").write_text(TIMINGS, encoding="utf-8")
    (settings.home / "model" / "outcome.toml").write_text(OUTCOME, encoding="utf-8")  # a record's own filter
    applied = _run(settings, "model", "apply")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    extract = folder / "early_help.csv"
    with extract.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for eh_id, child, start, completed, outcome, agency in ROWS:
            writer.writerow(
                [LA, "2024-04-01", "2025-03-31", eh_id, child, "2014-07-19", "F", "WBRI", "N", "NCL-E", "NE4 6SB",
                 start, completed, outcome, agency, ""]
            )  # fmt: skip
    loaded = _run(settings, "load", str(extract))
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    return settings.warehouse_path


def values(path, kpi: str, period: Period, **wanted: tuple[str, ...]) -> tuple:
    with duckdb.connect(str(path), read_only=True) as con:
        [result] = evaluate(con, [kpi], period, Filters((LA,), **wanted))
    return result.current.value, {f.period.first_month.isoformat(): f.value for f in result.series[-12:]}


def test_a_stock_is_what_is_open_at_the_month_end_and_a_quarter_shows_its_last_month(loaded):
    may, series = values(loaded, "eh_open", month(2024, 5))
    june, _ = values(loaded, "eh_open", month(2024, 6))
    quarter, _ = values(loaded, "eh_open", Q1)
    year, _ = values(loaded, "eh_open", financial_year(2024))
    assert (may, june, quarter, year) == (2, 3, 3, 2)  # the quarter is June's 3, never 0 + 2 + 3
    assert series["2024-04-01"] == 0 and series["2024-05-01"] == 2


def test_a_count_of_children_counts_a_child_once_in_a_quarter(loaded):
    quarter, series = values(loaded, "eh_children", Q1)
    assert quarter == 4  # A started in May and in June
    assert (series["2024-05-01"], series["2024-06-01"]) == (2, 3)
    assert values(loaded, "eh_children", Q1, agency=("Health",))[0] == 1
    assert values(loaded, "eh_children", Q1, agency=("Schools",))[0] == 3


def test_a_count_of_children_is_rounded_by_the_childrens_cell_keys(loaded):
    policy = SuppressionPolicy(threshold=1)
    with duckdb.connect(str(loaded), read_only=True) as con:
        [result] = evaluate(con, ["eh_children"], Q1, Filters((LA,)), policy)
        salt = con.execute("SELECT value FROM meta WHERE key = 'cell_key_salt'").fetchone()[0]
        key = con.execute(
            "SELECT sum(record_key(?, la_code, child_id)) FROM (SELECT DISTINCT la_code, child_id "
            "FROM early_help_assessment WHERE start_date BETWEEN '2024-04-01' AND '2024-06-30')",
            [salt],
        ).fetchone()[0]
        counted = run(
            con, "measure_children", measures=["eh_children"], firsts=[Q1.first_month], lasts=[Q1.last_month],
            **Filters([LA]).cube_params(),
        )  # fmt: skip
    assert (counted["n"].tolist(), counted["key_sum"].tolist()) == ([4], [key])
    assert result.current.numerator == policy.protect(Count(4, int(key)))


def test_the_raw_facts_give_the_cubes_figures_for_the_stock_and_the_children(loaded):
    kpis = ["eh_open", "eh_children"]
    with duckdb.connect(str(loaded), read_only=True) as con:
        assert_cube_is_raw(con, kpis)
        raw_open, raw_children = evaluate(con, kpis, Q1, Filters((LA,)), source="raw")
    assert (raw_open.current.value, raw_children.current.value) == (3, 4)


def test_the_records_behind_a_stock_are_those_open_at_the_period_end(loaded):
    with duckdb.connect(str(loaded), read_only=True) as con:
        found = records(con, model_kpi(con, "eh_open"), Q1, Filters((LA,)), NO_SUPPRESSION)
        stored = dict(con.execute("SELECT eh_id, child_id FROM early_help_assessment").fetchall())
    assert sorted((row.subject_id, str(row.event_date.date())) for row in found.rows.itertuples()) == sorted(
        (stored[eh_id], "2024-06-30") for eh_id in ("EH2", "EH3", "EH5")
    )


def test_a_filter_of_the_records_own_column_reaches_the_stock_and_the_children(loaded, monkeypatch):
    from warehouse.kpis import engine
    from warehouse.model.files import published_model

    # The engine serving the warehouse's model (with the outcome filter), as a process started after
    # the apply does.
    monkeypatch.setattr(engine, "active_model", lambda: published_model(loaded))
    # Outcomes: EH1 and EH2 completed, EH4 withdrawn, EH3 and EH5 blank (Unknown: still open).
    #   open at 30 June: EH2 completed; EH3, EH5 Unknown.
    #   children of April to June: completed A (EH1), B; Unknown A (EH3), E; both: A, B, E (A once).
    expected = {
        ("completed",): (1, 2),
        ("Unknown",): (2, 2),
        ("withdrawn",): (0, 1),
        ("completed", "Unknown"): (3, 3),
    }
    with duckdb.connect(str(loaded), read_only=True) as con:
        for outcomes, figures in expected.items():
            filters = Filters((LA,), outcome=outcomes)
            cube = evaluate(con, ["eh_open", "eh_children"], Q1, filters)
            assert cube == evaluate(con, ["eh_open", "eh_children"], Q1, filters, source="raw")
            assert tuple(r.current.value for r in cube) == figures, outcomes
