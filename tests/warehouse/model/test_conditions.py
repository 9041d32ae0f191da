"""A measure's conditions, written as small tables in a model file, become SQL that counts the right
records: worked out by hand on a few rows, on the warehouse's own calendar."""

from __future__ import annotations

import duckdb
import pytest

from warehouse.db import build_schema
from warehouse.model.specs import Measure
from warehouse.model.sql import measure_condition_sql

# Four early help assessments. Working days count after the start, up to and including the end, on
# the English calendar: 20 May to 11 June 2024 is 15 (over the 27 May bank holiday), to 12 June 16.
ROWS = [
    ("A", "2024-05-20", "2024-06-11", "completed", 3),
    ("B", "2024-05-20", "2024-06-12", "completed", 5),
    ("C", "2024-05-24", "2024-05-28", "withdrawn", None),  # Friday to Tuesday over the bank holiday: 1
    ("D", "2024-06-03", None, None, 1),
]


@pytest.fixture(scope="module")
def con():
    with duckdb.connect() as connection:
        build_schema(connection)
        connection.execute(
            "CREATE TABLE assessment_rows (id VARCHAR, start_date DATE, completed_date DATE, outcome VARCHAR, score INTEGER)"
        )
        connection.executemany("INSERT INTO assessment_rows VALUES (?, ?, ?, ?, ?)", ROWS)
        yield connection


def counted(con, *where: dict) -> list[str]:
    measure = Measure.model_validate(
        {"id": "m", "dataset": "early_help", "timing": "flow", "description": "m", "where": list(where)}
    )
    sql = f"SELECT id FROM assessment_rows AS f WHERE {measure_condition_sql(measure)} ORDER BY id"
    return [row[0] for row in con.execute(sql).fetchall()]


@pytest.mark.parametrize(
    "where, expected",
    [
        ([], ["A", "B", "C", "D"]),
        ([{"column": "outcome", "in": ["completed"]}], ["A", "B"]),
        ([{"column": "outcome", "in": ["completed", "withdrawn"]}], ["A", "B", "C"]),
        ([{"column": "completed_date", "set": True}], ["A", "B", "C"]),
        ([{"column": "completed_date", "set": False}], ["D"]),
        ([{"column": "score", "at_least": 3}], ["A", "B"]),  # C's blank score is not counted
        ([{"column": "score", "at_most": 3}], ["A", "D"]),
        ([{"between": ["start_date", "completed_date"], "unit": "working_days", "at_most": 15}], ["A", "C"]),
        ([{"between": ["start_date", "completed_date"], "unit": "days", "at_most": 4}], ["C"]),
        (
            [
                {"column": "outcome", "in": ["completed"]},
                {"between": ["start_date", "completed_date"], "unit": "working_days", "at_most": 15},
            ],
            ["A"],
        ),
    ],
)
def test_each_kind_of_condition_counts_the_records_worked_out_by_hand(con, where, expected):
    assert counted(con, *where) == expected


def test_a_value_with_a_quote_is_a_value_not_sql(con):
    assert counted(con, {"column": "outcome", "in": ["x') OR TRUE OR ('"]}) == []


@pytest.mark.parametrize(
    "condition, says",
    [
        ({"column": "outcome"}, "a column is tested one way"),
        ({"column": "outcome", "in": ["a"], "set": True}, "a column is tested one way"),
        ({"between": ["a", "b"], "at_most": 3}, "needs a `unit`"),
        ({"column": "a", "between": ["a", "b"], "unit": "days", "at_most": 3}, "either a `column`"),
        ({"column": "a; DROP TABLE child", "set": True}, "String should match pattern"),
    ],
)
def test_a_condition_that_does_not_say_one_thing_is_refused(condition, says):
    with pytest.raises(ValueError, match=says):
        Measure.model_validate(
            {"id": "m", "dataset": "d", "timing": "flow", "description": "m", "where": [condition]}
        )
