"""A query's place for a condition made from the model: filled with the condition's SQL, its values
bound as parameters, and refused where the query has no such place."""

from __future__ import annotations

import duckdb
import pytest

from warehouse.kpis.engine import Filters
from warehouse.queries.run import Condition, _with_conditions


def test_a_condition_goes_where_the_query_names_it_and_its_values_are_bound():
    text, bound = _with_conditions(
        "kpi_cube_by_area", {"la_codes": ["E08000021"], "row_filter": Condition("x = $v", {"v": 1}), "m": 2}
    )
    assert "{{row_filter}}" not in text and "AND (x = $v)" in text
    assert bound == {"la_codes": ["E08000021"], "v": 1, "m": 2}


def test_a_condition_the_query_has_no_place_for_is_refused():
    with pytest.raises(KeyError, match="no place for the condition 'where'"):
        _with_conditions("kpi_cube_by_area", {"where": Condition("TRUE")})


def test_the_filters_condition_names_only_the_filtered_columns_and_passes_rows_without_them():
    params = Filters(["E08000021"], agency=["Police", "Health"], gender=["Female"]).cube_params()
    condition = params["row_filter"]
    assert condition.sql == (
        "(agency IS NULL OR list_contains($filter_0::VARCHAR[], agency)) AND "
        "(gender IS NULL OR list_contains($filter_1::VARCHAR[], gender))"
    )
    assert condition.params == {"filter_0": ["Police", "Health"], "filter_1": ["Female"]}
    rows = [
        ("Police", "Female"),
        ("Police", "Male"),
        ("Schools", "Female"),
        (None, "Female"),
        ("Health", None),
    ]
    with duckdb.connect() as con:
        con.execute("CREATE TABLE t (agency VARCHAR, gender VARCHAR)")
        con.executemany("INSERT INTO t VALUES (?, ?)", rows)
        passed = con.execute(
            f"SELECT * FROM t WHERE {condition.sql} ORDER BY ALL", condition.params
        ).fetchall()
    assert passed == [("Health", None), ("Police", "Female"), (None, "Female")]
    assert Filters(["E08000021"]).cube_params()["row_filter"].sql == "TRUE"
