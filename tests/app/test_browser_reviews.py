"""Reviews and audits in a browser: an audit recorded with a result typed by hand, then a second
audit whose results are uploaded from the CSV template, and its results table compared with the
first (39 of 50 is 78%; 43 of 50 is 86%: up 8.0 points), the criterion matched though worded in
another case; then axe on the page as it stands, an audit chosen. It writes app state, so it runs
against its own copy of the demo home."""

from __future__ import annotations

import sqlite3

import pytest

from tests.app.axe import axe_violations

pytestmark = pytest.mark.browser

CITY = "Newcastle upon Tyne"


def _choose(page, select_id: str, option: str) -> None:
    page.select_option(f"#{select_id}", label=option)


def _add_audit(page, title: str, held_on: str) -> None:
    page.fill("#review-title", title)
    page.fill("#review-date", held_on)
    page.click("#review-add")
    page.locator("#review-status-message", has_text=f": {title}.").wait_for()
    page.locator("#review-selected h2", has_text=title).wait_for()  # the new review is chosen


def _result_row(page, criterion_key: str) -> list[str]:
    row = page.locator(f"#review-selected .audit-results tr[data-criterion='{criterion_key}']")
    row.wait_for()
    return row.inner_text().split("\t")


def test_brw_an_audit_is_recorded_then_a_second_and_compared_with_the_first(own_demo_server, page):
    url, home = own_demo_server
    page.goto(url + "/reviews")
    page.wait_for_selector("#review-title")
    _choose(page, "review-la", CITY)
    _choose(page, "review-kind", "multi-agency audit")
    _choose(page, "review-agency", "Local authority")
    page.fill("#review-themes", "thresholds, front door")
    _add_audit(page, "Front door audit 2025", "2025-05-01")
    page.fill("#review-criterion", "Thresholds appropriate")
    page.fill("#review-cases", "50")
    page.fill("#review-met", "39")
    page.click("#review-result-add")
    page.locator("#review-status-message", has_text="39 of 50, 78% met").wait_for()
    assert _result_row(page, "thresholds appropriate") == [
        "Thresholds appropriate",
        "50",
        "39",
        "78%",
        "none",
        "first audited",
    ]
    assert page.input_value("#review-criterion") == ""  # the form cleared for the next criterion

    _add_audit(page, "Front door audit 2026", "2026-05-01")
    page.locator("#review-results-forms").wait_for()
    csv_file = "Criterion,Cases audited,Cases meeting it\r\nTHRESHOLDS appropriate,50,43\r\n"
    page.locator("#review-upload input[type=file]").set_input_files(
        files=[{"name": "audit-2026.csv", "mimeType": "text/csv", "buffer": csv_file.encode()}]
    )
    page.locator("#review-status-message", has_text="Recorded 1 result from audit-2026.csv.").wait_for()
    assert _result_row(page, "thresholds appropriate") == [
        "THRESHOLDS appropriate",
        "50",
        "43",
        "86%",
        "78% in Front door audit 2025 (01 May 2025)",
        "up 8.0 points from 78%",
    ]
    listed = page.locator(".reviews-list tbody tr")
    assert [r.split("\t")[1:4] for r in listed.all_inner_texts()] == [
        ["Front door audit 2026", "multi-agency audit", "01 May 2026"],  # latest first
        ["Front door audit 2025", "multi-agency audit", "01 May 2025"],
    ]
    with sqlite3.connect(home / "appstate.sqlite") as db:
        results = db.execute("SELECT criterion_key, cases, met, by FROM audit_result ORDER BY id").fetchall()
        audited = db.execute(
            "SELECT action FROM audit_event WHERE action IN ('review_added', 'audit_results') ORDER BY id"
        ).fetchall()
    assert results == [
        ("thresholds appropriate", 50, 39, "test-admin"),
        ("thresholds appropriate", 50, 43, "test-admin"),
    ]
    assert audited == [("review_added",), ("audit_results",), ("review_added",), ("audit_results",)]
    assert page.console_errors == []

    # The page with an audit chosen (findings, results, forms), which the axe test of every page
    # (test_browser.py, on a home with no reviews) does not draw.
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == []
