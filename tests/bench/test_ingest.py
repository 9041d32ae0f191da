"""The typed raw ingest, the fairer baseline for the load, reads each column as the model types it."""

from __future__ import annotations

import duckdb

from bench.ingest import column_types, ingest_raw
from tests.helpers import write_extract


def test_the_typed_ingest_reads_dates_times_and_numbers_as_such_and_the_rest_as_text(tmp_path):
    rows = [{"start_datetime": "2024-05-01 18:30:00", "end_datetime": "2024-05-02 09:00:00"}]
    missing = write_extract(
        tmp_path / "E08000021_missing_episodes.csv",
        "missing_episodes",
        rows,
        coverage_start="2024-04-01",
        coverage_end="2025-03-31",
    )
    areas = tmp_path / "E08000021_areas.csv"
    areas.write_text("la_code,area_code,area_name\nE08000021,N1,North\n", encoding="utf-8")
    types = column_types("missing_episodes", missing)
    assert types["start_datetime"] == "TIMESTAMP"
    assert types["coverage_end"] == "DATE"
    assert types["child_id"] == types["missing_type"] == "VARCHAR"
    assert column_types("areas", areas) == {
        "la_code": "VARCHAR",
        "area_code": "VARCHAR",
        "area_name": "VARCHAR",
    }

    ingest_raw(tmp_path / "raw.duckdb", [missing, areas], typed=True)
    with duckdb.connect(str(tmp_path / "raw.duckdb"), read_only=True) as con:
        loaded = con.execute("SELECT start_datetime, coverage_end FROM missing_episodes").fetchall()
        assert [(str(a), str(b)) for a, b in loaded] == [("2024-05-01 18:30:00", "2025-03-31")]
        assert con.execute("SELECT area_name FROM areas").fetchall() == [("North",)]
