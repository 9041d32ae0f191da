"""A file of figures uploaded through the app by a partner account (upload_figures, submitter_for):
loaded as the partner's, or refused whole, the refusal in the load history with its problems."""

from __future__ import annotations

import io

import duckdb
import pytest
from openpyxl import load_workbook

from etl.readers.figures import COLUMNS
from etl.submissions.template import make_template, write_workbook
from etl.submissions.upload import NOT_FIGURES, submitter_for, upload_figures
from tests.etl import submission_fixtures
from tests.etl.submission_fixtures import HEALTH_PARTNER, NEWCASTLE, POLICE_PARTNER, TODAY
from warehouse.model.files import published_model

figures_base, figures_home = submission_fixtures.figures_base, submission_fixtures.figures_home


def workbook(settings, values: list) -> bytes:
    """The template as the app's download streams it, filled in as a partner would."""
    template = make_template(
        published_model(settings.warehouse_path), "Police", "2025-26-Q1", {NEWCASTLE: "Newcastle"}
    )
    downloaded = io.BytesIO()
    write_workbook(template, downloaded)
    book = load_workbook(io.BytesIO(downloaded.getvalue()))
    for row_number, value in enumerate(values, start=2):
        book["Figures"].cell(row_number, COLUMNS.index("value") + 1).value = value
    filled = io.BytesIO()
    book.save(filled)
    return filled.getvalue()


def rows(settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_an_upload_by_a_partner_is_its_submission(figures_home):
    data = workbook(figures_home, [5, 6, 7, 8.25])
    (outcome,) = upload_figures(
        figures_home, "C:\\Users\\pc\\police Q1.xlsx", data, submitter_for(POLICE_PARTNER), TODAY
    )
    assert (outcome.status, outcome.submission_id, outcome.la_code) == ("loaded", 1, NEWCASTLE)
    assert rows(figures_home, "SELECT submitted_by, source, file_name FROM submission") == [
        (POLICE_PARTNER, "upload", "police Q1.xlsx")
    ]
    assert rows(figures_home, "SELECT measure, part, value FROM current_figure ORDER BY value") == [
        ("pr_incidents", "0-12", 5.0),
        ("pr_incidents", "13-17", 6.0),
        ("pr_encompass", "", 7.0),
        ("pr_satisfaction", "", 8.25),
    ]
    assert rows(figures_home, "SELECT file_name, source_format, loaded_by FROM etl_load") == [
        ("police Q1.xlsx (Figures)", "figures_xlsx", POLICE_PARTNER)
    ]


def test_a_refused_upload_is_in_the_load_history_with_its_problems_and_loads_nothing(figures_home):
    good = workbook(figures_home, [5, 6, 7, 8])
    upload_figures(figures_home, "good.xlsx", good, submitter_for(POLICE_PARTNER), TODAY)
    bad = workbook(figures_home, [5, -6, 7, 8])
    (outcome,) = upload_figures(figures_home, "bad.xlsx", bad, submitter_for(POLICE_PARTNER), TODAY)
    message = "bad.xlsx, sheet Figures, row 3, value: -6 is negative; pr_incidents is a count: a whole number, 0 or more"
    assert outcome.status == "failed" and [r.message for r in outcome.rejections] == [message]
    assert rows(
        figures_home, "SELECT load_id, status, rows_read, rows_rejected FROM etl_load ORDER BY 1"
    ) == [
        (1, "loaded", 4, 0),
        (2, "failed", 4, 1),
    ]
    assert rows(figures_home, "SELECT row_number, field, value, message FROM etl_rejection") == [
        (3, "value", "-6", message)
    ]
    assert rows(figures_home, "SELECT sum(value) FROM current_figure") == [(26.0,)]  # 5 + 6 + 7 + 8, kept


def test_a_file_that_is_not_figures_is_refused_and_recorded(figures_home):
    extract = b"la_code,coverage_start,coverage_end,contact_id,child_id,contact_date\nE08000021,2025-04-01,2025-06-30,C1,X,2025-04-02\n"
    (outcome,) = upload_figures(figures_home, "contacts.csv", extract, submitter_for(POLICE_PARTNER), TODAY)
    assert (outcome.status, outcome.message) == ("failed", NOT_FIGURES)
    assert rows(figures_home, "SELECT file_name, status, message FROM etl_load") == [
        ("contacts.csv", "failed", NOT_FIGURES)
    ]


def test_who_may_submit(figures_home):
    police = submitter_for(POLICE_PARTNER)
    assert (police.name, police.via, police.agencies, police.la_codes) == (
        POLICE_PARTNER,
        "upload",
        ("Police",),
        (NEWCASTLE,),
    )
    assert submitter_for(HEALTH_PARTNER).agencies == ("Health",)
    with pytest.raises(ValueError, match="no active account 'nobody@example.org'"):
        submitter_for("nobody@example.org")
    from appstate.db import session
    from appstate.users import add_user

    with session() as db:
        add_user(db, "chair", "executive", "tests", la_codes=(NEWCASTLE,))
    with pytest.raises(ValueError, match="chair is an executive account, which does not submit figures"):
        submitter_for("chair")
