"""Figures entered by hand (`safeguard enter`, and enter_figure, which the web form calls): checked as a
file's rows are, recorded as a 'manual' submission with who and when, a change superseding the figure
before it; and the tracker printed as CSV (`safeguard submissions --csv`)."""

from __future__ import annotations

import csv
import io

import duckdb
from typer.testing import CliRunner

from etl.cli import app
from etl.submissions.entry import enter_figure
from etl.validate.figures import Submitter
from tests.etl import submission_fixtures
from tests.etl.submission_fixtures import NEWCASTLE, POLICE_PARTNER, TODAY

figures_base, figures_home = submission_fixtures.figures_base, submission_fixtures.figures_home


def enter(*args: str):
    return CliRunner().invoke(app, ["enter", "--today", TODAY.isoformat(), *args])


def said(result) -> str:
    return " ".join(result.output.split())


def rows(settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql).fetchall()


ENCOMPASS = ["--measure", "pr_encompass", "--la", NEWCASTLE, "--period", "2025-26-Q1"]


def test_a_figure_entered_by_hand_is_a_manual_submission_with_who_and_when(figures_home):
    result = enter(*ENCOMPASS, "--value", "12", "--as", POLICE_PARTNER, "--note", "from the MASH log")
    assert result.exit_code == 0, result.output
    assert "Police returns of Newcastle upon Tyne (E08000021) for Q1 2025/26: submission 1, 1 figure" in said(
        result
    )
    assert rows(figures_home, "SELECT submitted_by, source, file_name, note FROM submission") == [
        (POLICE_PARTNER, "manual", None, "from the MASH log")
    ]
    assert rows(figures_home, "SELECT file_name, source_format, status, loaded_by FROM etl_load") == [
        ("manual entry", "figures_manual", "loaded", POLICE_PARTNER)
    ]
    again = enter(*ENCOMPASS, "--value", "12", "--as", POLICE_PARTNER)
    assert "the same figures as the warehouse holds; nothing changed" in said(again)
    corrected = enter(*ENCOMPASS, "--value", "13", "--as", POLICE_PARTNER)
    assert "submission 2, 1 figure, correcting 1 figure" in said(corrected)
    assert rows(
        figures_home,
        "SELECT previous_value, value, revision FROM current_figure WHERE measure = 'pr_encompass'",
    ) == [(12.0, 13.0, 1)]


def test_a_figure_not_available_is_recorded_as_such(figures_home):
    result = enter(
        "--measure", "pr_satisfaction", "--la", NEWCASTLE, "--period", "2025-26-Q1", "--not-available"
    )
    assert result.exit_code == 0, result.output
    assert rows(figures_home, "SELECT measure, part, value FROM current_figure") == [
        ("pr_satisfaction", "", None)
    ]


def test_a_wrong_entry_is_refused_naming_the_field(figures_home):
    in_q1 = ["--measure", "pr_encompass", "--la", NEWCASTLE]
    cases = [
        (
            [*ENCOMPASS, "--value", "1.5"],
            "manual entry, value: 1.5 is not a whole number; pr_encompass is a count",
        ),
        (
            [*in_q1, "--period", "2025-26-Q4", "--value", "3"],
            "manual entry, period: Q4 2025/26 ends on 31 March 2026",
        ),
        (
            [
                "--measure",
                "pr_encompass",
                "--la",
                "E06000057",
                "--period",
                "2025-26-Q1",
                "--value",
                "3",
                "--as",
                POLICE_PARTNER,
            ],
            f"manual entry, la_code: {POLICE_PARTNER} submits for E08000021, not E06000057",
        ),
    ]
    for args, message in cases:
        result = enter(*args)
        assert result.exit_code == 1, result.output
        assert message in said(result), result.output
    parts = enter("--measure", "pr_incidents", "--la", NEWCASTLE, "--period", "2025-26-Q1", "--value", "4")
    assert (
        "manual entry, part: the whole is not given: pr_incidents is given by its parts 0-12, 13-17"
        in said(parts)
    )
    unknown = enter("--measure", "referrals", "--la", NEWCASTLE, "--period", "2025-26-Q1", "--value", "4")
    assert unknown.exit_code == 2
    assert (
        "'referrals' is not a measure of submitted figures; known: cme_open, " in said(unknown)
        and "pr_incidents, pr_encompass, pr_satisfaction, tr_attendees"
        in said(unknown)  # after the built-in ones
    )
    assert rows(figures_home, "SELECT count(*) FROM submission") == [(0,)]


def test_enter_figure_returns_the_outcome_the_web_form_shows(figures_home):
    outcome = enter_figure(
        figures_home,
        measure="pr_incidents",
        la_code=NEWCASTLE,
        period="2025-26-Q1",
        part="13-17",
        value="7",
        submitter=Submitter("analyst@police.example", agencies=("Police",)),
        today=TODAY,
    )
    assert (outcome.status, outcome.submission_id, outcome.dataset, outcome.la_code) == (
        "loaded",
        1,
        "police_returns",
        NEWCASTLE,
    )
    assert rows(figures_home, "SELECT source, part, value FROM current_figure") == [("manual", "13-17", 7.0)]


def test_the_tracker_as_csv(figures_home):
    assert enter(*ENCOMPASS, "--value", "12", "--as", POLICE_PARTNER).exit_code == 0
    result = CliRunner().invoke(app, ["submissions", "--csv", "--today", "2025-11-15"])
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(result.output)))
    # Newcastle (the one LA with anything loaded): Q1 arrived today, months after its 20 July deadline;
    # Q2, due 20 October, has not. Training figures have no expected_from and no submission: none due.
    assert [
        (r["Local authority"], r["Period"], r["Due"], r["State"], r["Received from"], r["Figures given"])
        for r in table
    ] == [
        (NEWCASTLE, "Q1 2025/26", "2025-07-20", "received late", POLICE_PARTNER, "1 of 4"),
        (NEWCASTLE, "Q2 2025/26", "2025-10-20", "late", "", "0 of 4"),
    ]
