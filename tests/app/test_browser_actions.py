"""The action tracker in a browser: an action raised from an exception-report KPI, its progress
reported twice, the KPI's card and scorecard row counting it, and the next meeting's pack listing
it with its latest progress. It writes app state, so it runs
against its own copy of the demo home."""

from __future__ import annotations

import sqlite3

import pytest

from tests.app.test_browser_meetings import add_to_agenda, create_meeting

pytestmark = pytest.mark.browser

PERIOD = "R12-2026-10"  # the demo's default period: the 12 months to its last complete month
CITY = "E08000021"
ROWS = "#actions-grid .ag-center-cols-container .ag-row"


def _choose(page, select_id: str, option: str) -> None:
    page.select_option(f"#{select_id}", label=option)


def _report(page, progress: str, note: str) -> None:
    page.get_by_role("radio", name=progress).check()
    page.fill("#action-note", note)
    page.click("#action-record")
    page.locator("#action-status-message", has_text=f"progress {progress} recorded").wait_for()
    page.locator("#action-selected ol li", has_text=note).wait_for()  # the history drawn again
    assert page.input_value("#action-note") == ""  # the form cleared for the next report


def test_brw_an_action_raised_from_an_exception_and_updated_twice_shows_on_its_card(own_demo_server, page):
    url, home = own_demo_server
    page.goto(url + f"/exceptions?la={CITY}")  # repeat CP plans is one of Newcastle's exceptions
    page.locator("#exception-cp_repeat").get_by_role("link", name="Raise an action").click()
    page.wait_for_url(f"**/actions?kpi=cp_repeat&la={CITY}")
    page.wait_for_selector("#action-title")
    # the KPI and the LA come chosen from the exception
    ticked = page.locator("#action-kpis input:checked")
    assert [page.inner_text(f"label[for='{box.get_attribute('id')}']") for box in ticked.all()] == [
        "Repeat CP plans"
    ]
    assert (
        page.eval_on_selector("#action-la", "select => select.selectedOptions[0].text")
        == "Newcastle upon Tyne"
    )
    page.fill("#action-source-ref", "Child protection plans that bring lasting change")
    _choose(page, "action-agency", "Police")
    page.fill("#action-lead", "DCI Example")
    page.fill("#action-due", "2026-01-15")
    page.fill("#action-title", "Joint review of repeat plans with police")
    page.fill("#action-measure", "Repeat CP plans under 22% by March")
    page.click("#action-add")
    page.locator("#action-status-message", has_text="Raised action").wait_for()
    row = page.locator(ROWS, has_text="Joint review of repeat plans")
    row.wait_for()
    assert "overdue" in row.inner_text()  # due in January 2026, still open

    row.click()
    page.wait_for_selector("#action-record")
    _report(page, "2 (some progress)", "Review scoped; police data requested.")
    _report(page, "1 (poor)", "No police analyst this quarter.")
    panel = page.locator("#action-selected section")
    panel.locator("h2", has_text="(overdue, drifting)").wait_for()  # two reports of 1-2 running
    history = panel.locator("ol li").all_inner_texts()
    assert [h.split(": ", 1)[1] for h in history] == [
        "open",
        "progress 2 (some progress). Review scoped; police data requested.",
        "progress 1 (poor). No police analyst this quarter.",
    ]

    page.goto(url + f"/?period={PERIOD}&la={CITY}")
    link = page.locator("#card-cp_repeat .card-actions")
    link.wait_for()
    assert link.inner_text() == "1 open action, 1 overdue"
    assert page.locator("#card-cp_2yrs .card-actions").count() == 0  # no action linked to it
    link.click()
    page.wait_for_url("**/actions?kpi=cp_repeat")
    page.locator(ROWS, has_text="Joint review of repeat plans").wait_for()
    assert "1 (poor)" in page.locator(ROWS).first.inner_text()

    page.goto(url + f"/scorecard?period={PERIOD}&la={CITY}")
    row_link = page.locator("tr[data-kpi=cp_repeat] .scorecard-actions")
    row_link.wait_for()
    assert row_link.inner_text() == "1 open action, 1 overdue"
    assert row_link.get_attribute("href") == "/actions?kpi=cp_repeat"

    # the next meeting, its agenda the open and overdue actions: its pack lists the action as it stands
    create_meeting(page, url, "2026-12-10", "December board")
    add_to_agenda(page, "Open and overdue actions")
    page.click("#meeting-pack")
    page.wait_for_selector("#pack-actions")
    assert "meeting=" in page.url  # the filters' rewrite of the link keeps the meeting
    assert page.inner_text(".pack-meeting") == "10 December 2026: December board"
    row = page.locator("#pack-actions tbody tr", has_text="Joint review of repeat plans")
    assert row.inner_text().split("\t")[1:] == [
        "Joint review of repeat plans with police",
        "business plan priority: Child protection plans that bring lasting change",
        "DCI Example (Police)",
        "15 Jan 2026",
        "open",
        "1 (poor)",
        "overdue, drifting",
    ]
    with sqlite3.connect(home / "appstate.sqlite") as db:
        updates = db.execute("SELECT progress, by FROM action_update ORDER BY id").fetchall()
        audited = db.execute(
            "SELECT action FROM audit_event WHERE action LIKE 'action_%' ORDER BY id"
        ).fetchall()
    assert updates == [(None, "test-admin"), (2, "test-admin"), (1, "test-admin")]
    assert audited == [("action_added",), ("action_progress",), ("action_progress",)]
    assert page.console_errors == []
