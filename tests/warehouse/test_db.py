"""The warehouse builds from nothing, with its reference data, and refuses other versions."""

from __future__ import annotations

import re

import duckdb
import pytest

from warehouse.db import (
    BASELINE_VERSION,
    SCHEMA_VERSION,
    WarehouseError,
    build_schema,
    get_meta,
    open_readonly,
    set_meta,
)


@pytest.fixture
def built(tmp_path):
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        build_schema(con)
    return path


def test_schema_builds_from_nothing_with_its_version(built):
    with open_readonly(built) as con:
        assert get_meta(con)["schema_version"] == str(SCHEMA_VERSION)
        tables = {t for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {
        "local_authority",
        "area",
        "calendar",
        "population",
        "child",
        "contact",
        "referral",
        "s47_enquiry",
        "cp_plan",
        "missing_episode",
        "etl_load",
        "etl_rejection",
    } <= tables


def test_reference_data_comes_from_the_published_tables(built):
    with open_readonly(built) as con:
        assert con.execute("SELECT count(*) FROM local_authority WHERE is_current").fetchall() == [(153,)]
        assert con.execute(
            "SELECT old_la_code, la_name, region_name FROM local_authority WHERE la_code = 'E08000021'"
        ).fetchall() == [("391", "Newcastle upon Tyne", "North East")]
        # ONS mid-2024 children aged 0 to 17, as published in the DfE file.
        assert con.execute(
            "SELECT population FROM population WHERE la_code = 'E08000021' AND mid_year = 2024"
        ).fetchall() == [(61206,)]
        neighbours = con.execute(
            "SELECT n.la_name FROM la_statistical_neighbour s JOIN local_authority n ON n.la_code = s.neighbour_la_code "
            "WHERE s.la_code = 'E06000057' ORDER BY neighbour_rank"
        ).fetchall()
    assert [n for (n,) in neighbours] == [
        "Norfolk",
        "Derbyshire",
        "Lancashire",
        "Cornwall",
        "Devon",
        "County Durham",
        "Dorset",
        "Kent",
        "Worcestershire",
        "Suffolk",
    ]


def test_calendar_knows_english_bank_holidays_and_financial_years(built):
    with open_readonly(built) as con:
        # 2024/25: Easter Monday 1 Apr, 6 and 27 May, 26 Aug, 25 and 26 Dec, 1 Jan (Good Friday 2025 is in 2025/26).
        assert con.execute(
            "SELECT count(*) FILTER (is_bank_holiday), count(*) FILTER (is_working_day) FROM calendar "
            "WHERE financial_year = '2024/25'"
        ).fetchall() == [(7, 254)]
        assert con.execute(
            "SELECT financial_year, fy_quarter FROM calendar WHERE calendar_date IN ('2025-03-31', '2025-04-01') "
            "ORDER BY calendar_date"
        ).fetchall() == [("2024/25", 4), ("2025/26", 1)]


@pytest.mark.parametrize(
    ("version", "words"),
    [
        ("0", "older than any this program can migrate"),
        ("rubbish", "older than any this program can migrate"),
        (str(SCHEMA_VERSION + 1), "made by a newer release of this program"),
        (str(BASELINE_VERSION), f"this program needs version {SCHEMA_VERSION}: run `safeguard upgrade`"),
    ],
)
def test_a_warehouse_of_another_schema_version_is_refused_with_what_to_do(built, version, words):
    with duckdb.connect(str(built)) as con:
        set_meta(con, schema_version=version)
    with pytest.raises(WarehouseError, match=re.escape(words)):
        open_readonly(built)


def test_no_warehouse_yet_says_what_to_do(tmp_path):
    with pytest.raises(WarehouseError, match="load some extracts first"):
        open_readonly(tmp_path / "none.duckdb")


def test_a_read_connection_keeps_to_the_configured_memory_limit(built, monkeypatch):
    from pydantic import ValidationError

    from warehouse.settings import environment

    # 1 GB is 1e9 bytes: DuckDB reports it in binary units, 1e9 / 2**30 = 0.93 GiB, written 953.6 MiB
    monkeypatch.setenv("SAFEGUARD_DUCKDB_MEMORY_LIMIT", "1GB")
    with open_readonly(built) as con:
        assert con.execute("SELECT current_setting('memory_limit')").fetchone() == ("953.6 MiB",)
    # the default, 384 MB: 384e6 / 2**20 = 366.2 MiB
    monkeypatch.delenv("SAFEGUARD_DUCKDB_MEMORY_LIMIT")
    with open_readonly(built) as con:
        assert con.execute("SELECT current_setting('memory_limit')").fetchone() == ("366.2 MiB",)
    monkeypatch.setenv("SAFEGUARD_DUCKDB_MEMORY_LIMIT", "lots")
    with pytest.raises(ValidationError, match="duckdb_memory_limit"):
        environment()


def test_a_read_connection_keeps_to_the_configured_threads(built, monkeypatch):
    from pydantic import ValidationError

    from warehouse.settings import environment

    monkeypatch.delenv("SAFEGUARD_DUCKDB_THREADS", raising=False)
    with open_readonly(built) as con:  # the default: one thread a query
        assert con.execute("SELECT current_setting('threads')").fetchone() == (1,)
    monkeypatch.setenv("SAFEGUARD_DUCKDB_THREADS", "3")
    with open_readonly(built) as con:
        assert con.execute("SELECT current_setting('threads')").fetchone() == (3,)
    monkeypatch.setenv("SAFEGUARD_DUCKDB_THREADS", "0")
    with pytest.raises(ValidationError, match="duckdb_threads"):
        environment()
