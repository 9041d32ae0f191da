"""How a load that cannot go on says so: a bad --from/--to, a reader that crashes, a full disk."""

from __future__ import annotations

import errno
import os

import duckdb
import pytest
from typer.testing import CliRunner

from etl import pipeline
from etl.cli import app
from etl.load import publish as publishing
from etl.load.publish import BUILDING_SUFFIX, DiskFull
from tests.helpers import write_extract


def _invoke(monkeypatch, *arguments: str):
    monkeypatch.setenv("COLUMNS", "300")
    return CliRunner().invoke(app, list(arguments))


@pytest.mark.parametrize(
    "option, start, end, shown",
    [
        ("--from", "2024/04/01", "2025-03-31", "'2024/04/01'"),
        ("--to", "2024-04-01", "31-03-2025", "'31-03-2025'"),
        ("--to", "2024-04-01", "2025-02-30", "'2025-02-30'"),
    ],
)
def test_a_window_that_is_not_a_date_is_a_usage_error_naming_the_option(
    option, start, end, shown, settings, monkeypatch
):
    result = _invoke(monkeypatch, "load", "--la", "E08000021", "--from", start, "--to", end, "missing.csv")
    assert result.exit_code == 2, result.output
    assert not isinstance(result.exception, ValueError)
    assert f"{option} {shown} is not a date: use YYYY-MM-DD or DD/MM/YYYY" in result.output


def test_a_window_needs_both_ends(settings, monkeypatch):
    result = _invoke(monkeypatch, "load", "--la", "E08000021", "--from", "2024-04-01", "missing.csv")
    assert result.exit_code == 2
    assert "give both --from and --to" in result.output


def test_a_window_that_ends_before_it_starts_is_a_usage_error(settings, monkeypatch):
    result = _invoke(monkeypatch, "load", "--from", "2025-04-01", "--to", "31/03/2025", "missing.csv")
    assert result.exit_code == 2
    assert "--to 2025-03-31 is before --from 2025-04-01" in result.output


def test_a_reader_that_crashes_fails_its_file_and_the_others_still_load(tmp_path, load, query, monkeypatch):
    good = write_extract(tmp_path / "good.csv", "contacts", [{}])
    crashing = write_extract(tmp_path / "crashing.csv", "contacts", [{"contact_id": "C9"}])
    read = pipeline.read_native_csv

    def reader(path, dataset, data=None):
        if path.name == "crashing.csv":
            raise RuntimeError("the reader tripped")
        return read(path, dataset, data)

    monkeypatch.setattr(pipeline, "read_native_csv", reader)
    outcomes = load(crashing, good)
    assert [o.status for o in outcomes] == ["failed", "loaded"]
    assert outcomes[0].message == "unexpected error reading crashing.csv: RuntimeError: the reader tripped"
    assert query("SELECT count(*) FROM contact") == [(1,)]
    assert query("SELECT file_name, status, message FROM etl_load ORDER BY load_id") == [
        ("crashing.csv", "failed", outcomes[0].message),
        ("good.csv", "loaded", None),
    ]


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, SystemExit])
def test_an_interrupted_reader_stops_the_load(interruption, tmp_path, load, settings, monkeypatch):
    def reader(path, dataset, data=None):
        raise interruption()

    monkeypatch.setattr(pipeline, "read_native_csv", reader)
    with pytest.raises(interruption):
        load(write_extract(tmp_path / "c.csv", "contacts", [{}]))
    assert not settings.warehouse_path.exists()


class _AbortedConnection:
    """Refuses to unregister, as DuckDB does once a statement of the transaction has failed."""

    def register(self, name, rows):
        pass

    def unregister(self, name):
        raise duckdb.TransactionException("TransactionContext Error: Current transaction is aborted")


def test_cleaning_up_a_registered_view_does_not_hide_why_the_load_failed():
    with (
        pytest.raises(duckdb.IOException, match="No space left on device"),
        pipeline._registered(_AbortedConnection(), "incoming", None),
    ):
        raise duckdb.IOException("IO Error: Could not write file: No space left on device")


def _loaded(tmp_path, load, query):
    load(write_extract(tmp_path / "first.csv", "contacts", [{}]))
    return query("SELECT count(*), max(load_id) FROM etl_load"), query("SELECT count(*) FROM contact")


def test_a_disk_full_while_duckdb_writes_fails_clearly_and_keeps_the_warehouse(
    tmp_path, load, query, settings, monkeypatch
):
    before = _loaded(tmp_path, load, query)
    run_sql = pipeline._run_load_sql

    def full(con, name, **params):
        if name == "contact":
            raise duckdb.IOException('IO Error: Could not write file "x": No space left on device')
        return run_sql(con, name, **params)

    monkeypatch.setattr(pipeline, "_run_load_sql", full)
    with pytest.raises(DiskFull) as raised:
        load(write_extract(tmp_path / "second.csv", "contacts", [{"contact_id": "C2"}]))
    building = settings.home / f".{settings.warehouse_path.name}{BUILDING_SUFFIX}-{os.getpid()}"
    assert str(raised.value) == (
        f"not loaded: the disk is full (No space left on device) while writing the new warehouse {building}; "
        f"the published warehouse {settings.warehouse_path} is kept as it was"
    )
    assert (
        query("SELECT count(*), max(load_id) FROM etl_load"),
        query("SELECT count(*) FROM contact"),
    ) == before
    assert list(settings.home.glob(f".*{BUILDING_SUFFIX}*")) == []


def test_the_cli_says_the_disk_is_full_without_a_traceback(tmp_path, load, query, settings, monkeypatch):
    before = _loaded(tmp_path, load, query)

    def copy(source, destination):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(publishing.shutil, "copyfile", copy)
    second = write_extract(tmp_path / "second.csv", "contacts", [{"contact_id": "C2"}])
    result = _invoke(monkeypatch, "load", str(second))
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert (
        "not loaded: the disk is full (No space left on device) while writing a copy of the warehouse to "
        f"{settings.home}"
    ) in result.output
    assert (
        query("SELECT count(*), max(load_id) FROM etl_load"),
        query("SELECT count(*) FROM contact"),
    ) == before


def test_a_spill_folder_left_by_a_killed_load_is_removed(tmp_path, load, settings):
    load(write_extract(tmp_path / "first.csv", "contacts", [{}]))
    spill = settings.home / f".{settings.warehouse_path.name}{BUILDING_SUFFIX}-999999.tmp"
    spill.mkdir()
    (spill / "duckdb_temp_storage-0.tmp").write_bytes(bytes(16))
    [outcome] = load(write_extract(tmp_path / "second.csv", "contacts", [{"contact_id": "C2"}]))
    assert outcome.status == "loaded"
    assert not spill.exists()
