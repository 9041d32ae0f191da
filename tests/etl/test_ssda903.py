"""The SSDA903 missing file loads as missing episodes of children in care, through the same
staging, validation and load as a native extract."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

from etl.pipeline import SourceOptions

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "ssda903"


def _episodes_by_hand() -> tuple[int, int, int]:
    """Rows, missing (M) rows and rows in care on the day they went missing, counted with csv."""
    rows = list(csv.DictReader(open(SAMPLE / "missing.csv")))
    spells = [(r["CHILD"], datetime.strptime(r["DECOM"], "%d/%m/%Y").date(),
               datetime.strptime(r["DEC"], "%d/%m/%Y").date() if r["DEC"] else None)
              for r in csv.DictReader(open(SAMPLE / "episodes.csv")) if r["DECOM"]]
    in_care = 0
    for row in rows:
        start = datetime.strptime(row["MIS_START"], "%d/%m/%Y").date()
        in_care += any(c == row["CHILD"] and s <= start and (e is None or e >= start) for c, s, e in spells)
    return len(rows), sum(r["MISSING"] == "M" for r in rows), in_care


def test_the_sample_return_loads_every_episode(load, query):
    rows, missing, in_care = _episodes_by_hand()
    assert rows == 43  # the sample's 44 lines less the header
    [outcome] = load(SAMPLE / "missing.csv", source=SourceOptions("ssda903", la_code="E08000021"))
    assert (outcome.status, outcome.rows_loaded, outcome.rejections) == ("loaded", rows, [])
    # episodes start from 9 March 2017 (2016/17) to 18 February 2018 (2017/18): both years are covered
    assert (outcome.coverage_start, outcome.coverage_end) == (date(2016, 4, 1), date(2018, 3, 31))
    assert query("SELECT count(*), count(*) FILTER (missing_type = 'M'), count(*) FILTER (is_in_care) "
                 "FROM missing_episode") == [(rows, missing, in_care)]
    assert query("SELECT DISTINCT source_format FROM etl_load") == [("ssda903",)]
    # the episode's ID is built from the child's ID and is hashed like it
    children = {r["CHILD"] for r in csv.DictReader(open(SAMPLE / "missing.csv"))}
    stored = {value for row in query("SELECT episode_id, child_id FROM missing_episode") for value in row}
    assert not any(child in value for child in children for value in stored)


def test_the_return_is_told_from_its_header_without_naming_the_format(load):
    [outcome] = load(SAMPLE / "missing.csv", source=SourceOptions(la_code="E08000021"))
    assert (outcome.source_format, outcome.dataset, outcome.rows_loaded) == ("ssda903", "missing_episodes", 43)


def test_an_ssda903_return_needs_its_la_named(load):
    [outcome] = load(SAMPLE / "missing.csv", source=SourceOptions("ssda903"))
    assert outcome.status == "failed" and "name it with --la" in outcome.message


def test_the_cli_loads_a_return_with_its_la(settings, monkeypatch):
    from typer.testing import CliRunner

    from etl.cli import app

    monkeypatch.setenv("COLUMNS", "200")
    result = CliRunner().invoke(app, ["load", "--format", "ssda903", "--la", "E08000021",
                                      str(SAMPLE / "missing.csv")])
    assert result.exit_code == 0, result.output
    assert "missing_episodes" in result.output and "43" in result.output
