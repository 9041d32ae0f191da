"""The cube rows of a partnership's own measures, made from their declarations: counted by hand on a
small table of early help assessments, with the children's dimensions from their records. Flows sit in
the month of their date, stocks at each month end they are open, and children once per month."""

from __future__ import annotations

import duckdb
import pytest

from warehouse.db import build_schema
from warehouse.kpis.engine import Filters
from warehouse.model.specs import Measure
from warehouse.model.sql import measures_cube_sql
from warehouse.queries import run

LA = "E08000021"
CHILDREN = [  # child_id, birth month, gender, disabled
    ("c1", "2015-03-01", "F", True),
    ("c2", "2010-06-01", "M", False),
    ("c3", None, "F", None),
]
ASSESSMENTS = [  # id, child, area, lead agency, started, completed, outcome
    ("EH1", "c1", "NCL-E", "Health", "2024-05-20", "2024-06-11", "completed"),  # 15 working days
    # 51 working days: 8 in May (after the 20th, less the bank holiday), 20 in June, 23 in July
    ("EH2", "c2", "NCL-E", "Schools", "2024-05-20", "2024-07-31", "completed"),
    ("EH3", "c3", None, "Health", "2024-06-03", "2024-06-20", "withdrawn"),
    ("EH4", "c1", "NCL-W", "Health", "2024-06-10", None, None),  # still open
]
COVERED_TO = "2024-08-31"  # the last day the loads cover: stocks run to its month
MEASURES = [
    Measure.model_validate(m)
    for m in [
        {
            "id": "eh_started",
            "dataset": "early_help",
            "timing": "flow",
            "description": "s",
            "date": "start_date",
        },
        {
            "id": "eh_completed",
            "dataset": "early_help",
            "timing": "flow",
            "description": "c",
            "date": "completed_date",
            "where": [{"column": "outcome", "in": ["completed"]}],
        },
        {
            "id": "eh_completed_45wd",
            "dataset": "early_help",
            "timing": "flow",
            "description": "c45",
            "date": "completed_date",
            "where": [
                {"column": "outcome", "in": ["completed"]},
                {"between": ["start_date", "completed_date"], "unit": "working_days", "at_most": 45},
            ],
        },
        {
            "id": "eh_open",
            "dataset": "early_help",
            "timing": "stock",
            "description": "o",
            "date": "start_date",
            "end": "completed_date",
        },
        {
            "id": "eh_children",
            "dataset": "early_help",
            "timing": "children",
            "description": "ch",
            "date": "start_date",
        },
    ]
]


@pytest.fixture(scope="module")
def con():
    with duckdb.connect() as connection:
        build_schema(connection)
        connection.executemany(
            "INSERT INTO child VALUES (?, ?, ?, ?, 'WBRI', ?, NULL, NULL, 1)",
            [(child, LA, born, gender, disabled) for child, born, gender, disabled in CHILDREN],
        )
        connection.execute(
            "CREATE TABLE early_help (la_code VARCHAR, assessment_id VARCHAR, child_id VARCHAR, area_code VARCHAR,"
            " lead_agency VARCHAR, start_date DATE, completed_date DATE, outcome VARCHAR)"
        )
        connection.executemany(
            f"INSERT INTO early_help VALUES ('{LA}', ?, ?, ?, ?, ?, ?, ?)",  # LA: this test's constant
            ASSESSMENTS,
        )
        connection.execute(
            "INSERT INTO etl_load (load_id, file_name, source_format, dataset, la_code, coverage_start, "
            "coverage_end, status, started_at, finished_at, loaded_by) VALUES (1, 'eh.csv', 'native_csv', "
            f"'early_help', '{LA}', '2024-04-01', '{COVERED_TO}', 'loaded', now(), now(), 'test')"
        )
        connection.execute(f"CREATE TEMP TABLE child_dims AS SELECT * FROM child_dimensions(['{LA}'])")
        statements = measures_cube_sql(
            "early_help", "assessment_id", MEASURES, {"area_code": "area_code", "agency": "lead_agency"}
        )
        for sql in statements:
            connection.execute(sql, {"la_codes": [LA], "cell_key_salt": "s"})
        yield connection


def rows(con, measure: str, *columns: str) -> list[tuple]:
    listed = ", ".join(columns)
    return con.execute(
        f"SELECT {listed}, sum(n) FROM kpi_cube WHERE measure = ? GROUP BY ALL ORDER BY ALL", [measure]
    ).fetchall()


def test_starts_by_month_and_agency(con):
    assert rows(con, "eh_started", "strftime(month, '%Y-%m')", "agency") == [
        ("2024-05", "Health", 1),
        ("2024-05", "Schools", 1),
        ("2024-06", "Health", 2),
    ]


def test_completions_count_in_the_month_completed_and_only_completed_outcomes(con):
    assert rows(con, "eh_completed", "strftime(month, '%Y-%m')") == [("2024-06", 1), ("2024-07", 1)]
    assert rows(con, "eh_completed_45wd", "strftime(month, '%Y-%m')") == [("2024-06", 1)]  # EH2 took 51


def test_the_childs_dimensions_and_a_blank_area_are_filled_in(con):
    assert rows(con, "eh_started", "gender", "disability", "age_band", "area_code") == [
        ("F", "Disabled", "5-9", "NCL-E", 1),  # c1 was 9 in May 2024
        ("F", "Disabled", "5-9", "NCL-W", 1),
        ("F", "Not known", "Unknown", "Unknown", 1),  # c3: no date of birth, no area
        ("M", "Not disabled", "10-15", "NCL-E", 1),  # c2 was 13
    ]


def test_every_cube_row_has_its_cell_key(con):
    assert con.execute("SELECT count(*) FROM kpi_cube WHERE key_sum IS NULL").fetchone()[0] == 0


def test_a_stock_counts_the_records_open_at_each_month_end_until_the_loads_cover_no_more(con):
    # 31 May: EH1, EH2. 30 Jun: EH2, EH4 (EH1 closed on the 11th, EH3 on the 20th). 31 Jul: EH4 (EH2
    # closed that day, so is not open at its end). 31 Aug: EH4, and no month after the loads' cover.
    assert rows(con, "eh_open", "strftime(month, '%Y-%m')") == [
        ("2024-05", 2),
        ("2024-06", 2),
        ("2024-07", 1),
        ("2024-08", 1),
    ]
    assert rows(con, "eh_open", "strftime(month, '%Y-%m')", "agency", "age_band")[:2] == [
        ("2024-05", "Health", "5-9", 1),  # EH1: c1 was 9 on 31 May 2024
        ("2024-05", "Schools", "10-15", 1),
    ]


def test_a_count_of_children_holds_each_child_once_a_month(con):
    held = con.execute(
        "SELECT strftime(month, '%Y-%m'), child_id, agency FROM measure_child_month "
        "WHERE measure = 'eh_children' ORDER BY ALL"
    ).fetchall()
    assert held == [("2024-05", "c1", "Health"), ("2024-05", "c2", "Schools"), ("2024-06", "c1", "Health"),
                    ("2024-06", "c3", "Health")]  # fmt: skip


def test_a_run_of_months_counts_a_child_once_with_the_childrens_cell_keys(con):
    # May and June: c1 (in both), c2 and c3: 3 children, where the months' counts add up to 4.
    counted = run(
        con,
        "measure_children",
        measures=["eh_children"],
        firsts=["2024-05-01", "2024-06-01", "2024-05-01"],
        lasts=["2024-05-01", "2024-06-01", "2024-06-01"],
        **Filters([LA]).cube_params(),
    ).sort_values(["first_month", "last_month"])
    assert [
        (str(f.date()), str(t.date()), n) for f, t, n in counted[["first_month", "last_month", "n"]].values
    ] == [
        ("2024-05-01", "2024-05-01", 2),
        ("2024-05-01", "2024-06-01", 3),
        ("2024-06-01", "2024-06-01", 2),
    ]
    keys = con.execute(
        "SELECT sum(record_key('s', ?, c)) FROM (VALUES ('c1'), ('c2'), ('c3')) AS t(c)", [LA]
    ).fetchone()[0]
    assert counted["key_sum"].iloc[1] == keys


def test_a_filtered_count_of_children_counts_those_with_a_record_that_passes(con):
    [schools, health] = [
        run(
            con,
            "measure_children",
            measures=["eh_children"],
            firsts=["2024-05-01"],
            lasts=["2024-06-01"],
            **Filters([LA], agency=[agency]).cube_params(),
        )["n"].tolist()
        for agency in ("Schools", "Health")
    ]
    assert (schools, health) == ([1], [2])  # c2; c1 and c3


def test_a_dataset_with_no_measures_adds_nothing():
    assert measures_cube_sql("t", "id", [], {}) == []
