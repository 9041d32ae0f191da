"""The bad-input corpus (tests/data/bad): each file loads nothing and says why."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from etl.cli import app
from tests.helpers import write_extract

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
CASES = list(csv.DictReader(io.StringIO((BAD / "expected.csv").read_text(encoding="utf-8"))))


def test_every_file_in_the_corpus_has_an_expected_message():
    files = {p.name for p in BAD.iterdir() if p.name not in ("expected.csv", "README.md")}
    assert files == {case["file"] for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_structurally_bad_file_loads_nothing_and_says_why(case, tmp_path, load, query):
    good = write_extract(tmp_path / "good.csv", "contacts", [{}, {"contact_date": "2024-07-01"}])
    load(good)
    before = query("SELECT count(*), sum(hash(contact_id)) FROM contact")

    [outcome] = load(BAD / case["file"], dataset=case["dataset_option"] or None)

    assert outcome.status == "failed"
    assert case["message"] in outcome.message
    assert outcome.rows_loaded == 0
    assert query("SELECT count(*), sum(hash(contact_id)) FROM contact") == before
    assert query("SELECT status, message FROM etl_load WHERE file_name = ?", [case["file"]]) == [
        ("failed", outcome.message)
    ]


def test_cli_names_the_file_and_exits_non_zero(settings):
    result = CliRunner().invoke(app, ["load", str(BAD / "missing_columns.csv")])
    assert result.exit_code == 1
    assert "missing_columns.csv: not loaded:" in result.output
    assert "missing required columns for a contacts extract: contact_date, source" in result.output


def test_a_bad_file_does_not_stop_the_good_ones_beside_it(tmp_path, load, query):
    good = write_extract(tmp_path / "good.csv", "contacts", [{}])
    outcomes = load(BAD / "empty.csv", good)
    assert [o.status for o in outcomes] == ["failed", "loaded"]
    assert query("SELECT count(*) FROM contact") == [(1,)]


def test_missing_file_is_reported(tmp_path, load):
    [outcome] = load(tmp_path / "nowhere.csv")
    assert (outcome.status, outcome.message) == ("failed", "no such file")
