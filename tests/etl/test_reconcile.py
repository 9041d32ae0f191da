"""`safeguard reconcile` compares two returns of one LA per dataset and month, in the days both
cover, without loading either."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from etl.cli import app
from etl.errors import ExtractError
from etl.pipeline import SourceOptions
from etl.reconcile import reconcile
from tests.helpers import REFERRAL_HEADER, referral, workbook, write_extract

CENSUS = """<?xml version="1.0"?>
<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>2024</Year>
<ReferenceDate>2024-03-31</ReferenceDate></CollectionDetails><Source><LEA>391</LEA></Source></Header>
<Children>{children}</Children></Message>
"""
CHILD = """<Child><ChildIdentifiers><LAchildID>{child}</LAchildID></ChildIdentifiers>
<CINdetails><CINreferralDate>{day}</CINreferralDate><ReferralSource>2A</ReferralSource>
<ReferralNFA>false</ReferralNFA></CINdetails></Child>"""


def census(path: Path, referrals: list[tuple[int, str]]) -> Path:
    path.write_text(CENSUS.format(children="".join(CHILD.format(child=c, day=d) for c, d in referrals)))
    return path


def annex_a(path: Path, referrals: list[tuple[int, datetime]]) -> Path:
    return workbook(path, {"List 3": [REFERRAL_HEADER, *(referral(c, d) for c, d in referrals)]})


def files(tmp_path: Path) -> tuple[Path, Path]:
    # Annex A: 2 referrals in September 2023, 1 in October and 1 in November (its window: 4 Sep to 20 Nov).
    # CIN census 2023/24: the same, less the November one, plus one in August (outside Annex A's
    # window, so not compared) and a second in October.
    workbook_path = annex_a(
        tmp_path / "annex_a.xlsx",
        [
            (1, datetime(2023, 9, 4)),
            (2, datetime(2023, 9, 18)),
            (3, datetime(2023, 10, 2)),
            (4, datetime(2023, 11, 20)),
        ],
    )
    census_path = census(
        tmp_path / "cin.xml",
        [(1, "2023-09-04"), (2, "2023-09-18"), (3, "2023-10-02"), (5, "2023-10-30"), (6, "2023-08-14")],
    )
    return workbook_path, census_path


def test_counts_per_month_in_the_days_both_cover(tmp_path, settings):
    first, second = files(tmp_path)
    result = reconcile(first, second, settings, SourceOptions(la_code="E08000021"), today=date(2025, 6, 30))
    assert result.window == (date(2023, 9, 4), date(2023, 11, 20))
    assert result.counts.to_dict("records") == [
        {"dataset": "referrals", "month": "2023-09", "first": 2, "second": 2, "difference": 0},
        {"dataset": "referrals", "month": "2023-10", "first": 1, "second": 2, "difference": 1},
        {"dataset": "referrals", "month": "2023-11", "first": 1, "second": 0, "difference": -1},
    ]
    assert len(result.differences) == 2


def test_the_cli_prints_the_table_exits_1_on_differences_and_loads_nothing(tmp_path, settings, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    first, second = files(tmp_path)
    result = CliRunner().invoke(app, ["reconcile", str(first), str(second), "--la", "E08000021"])
    assert result.exit_code == 1, result.output
    assert "2 of 3 dataset-months differ." in result.output
    assert "2023-10" in result.output and "+1" in result.output
    assert not settings.warehouse_path.exists()


def test_the_same_counts_agree(tmp_path, settings, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    first = annex_a(tmp_path / "a.xlsx", [(1, datetime(2023, 9, 4)), (2, datetime(2023, 10, 2))])
    second = census(tmp_path / "b.xml", [(1, "2023-09-04"), (2, "2023-10-02")])
    result = CliRunner().invoke(app, ["reconcile", str(first), str(second), "--la", "E08000021"])
    assert result.exit_code == 0, result.output
    assert "The counts agree." in result.output


def test_extracts_of_different_las_are_not_compared(tmp_path, settings):
    first = write_extract(tmp_path / "city.csv", "referrals", [{}], la_code="E08000021")
    second = write_extract(tmp_path / "county.csv", "referrals", [{}], la_code="E06000057")
    result = reconcile(first, second, settings, today=date(2025, 6, 30))
    assert result.window is None and result.counts.empty
    assert result.notes == ["the files are of different LAs (E06000057, E08000021): nothing to compare"]


def test_a_named_la_that_a_census_contradicts_is_an_error(tmp_path, settings):
    first = annex_a(tmp_path / "a.xlsx", [(1, datetime(2023, 9, 4))])
    second = census(tmp_path / "b.xml", [(1, "2023-09-04")])
    with pytest.raises(ExtractError, match="the header's LEA 391 is E08000021, but the load named E06000057"):
        reconcile(first, second, settings, SourceOptions(la_code="E06000057"), today=date(2025, 6, 30))


def test_a_return_whose_every_row_is_rejected_counts_0_rather_than_being_refused(tmp_path, settings):
    """The shrink guard refuses such a file for a load; reconciling loads nothing, so it counts 0."""
    first, _ = files(tmp_path)
    bad = census(tmp_path / "bad.xml", [(1, "2023-09-04"), (2, "2023-10-02")])
    bad.write_text(bad.read_text().replace("<ReferralNFA>false", "<ReferralNFA>perhaps"))
    result = reconcile(first, bad, settings, SourceOptions(la_code="E08000021"), today=date(2025, 6, 30))
    assert result.counts.to_dict("records") == [
        {"dataset": "referrals", "month": "2023-09", "first": 2, "second": 0, "difference": -2},
        {"dataset": "referrals", "month": "2023-10", "first": 1, "second": 0, "difference": -1},
        {"dataset": "referrals", "month": "2023-11", "first": 1, "second": 0, "difference": -1},
    ]
