"""The risk register in a browser: a risk added and scored, seen in its heat map cell, re-scored,
seen to move (cell, arrow and words) and its history. It writes app state, so it runs against its
own copy of the demo home."""

from __future__ import annotations

import re
import sqlite3

import pytest

pytestmark = pytest.mark.browser

CITY = "Newcastle upon Tyne"
TITLE = "Front door vacancies delay decisions"


def _choose(page, select_id: str, option: str | re.Pattern) -> None:
    label = (
        option
        if isinstance(option, str)
        else page.locator(f"#{select_id} option", has_text=option).inner_text()
    )
    page.select_option(f"#{select_id}", label=label)


def _scale(page, radios_id: str, label: str) -> None:
    page.locator(f"#{radios_id}").get_by_role("radio", name=label, exact=True).check()


def _cell(page, likelihood: int, impact: int):
    return page.locator(f"#risks-heat-map td[data-cell='{likelihood}x{impact}']")


def test_brw_a_risk_scored_shows_on_the_heat_map_and_moves_when_rescored(own_demo_server, page):
    url, home = own_demo_server
    page.goto(url + "/risks")
    page.wait_for_selector("#risk-title")
    _choose(page, "risk-la", CITY)
    _choose(page, "risk-agency", "Local authority")
    page.fill("#risk-owner", "Head of the front door")
    page.fill("#risk-review", "2027-03-31")
    page.fill("#risk-title", TITLE)
    page.fill("#risk-description", "Three social worker posts vacant in the front door team")
    page.fill("#risk-controls", "Agency cover; a daily triage huddle")
    _scale(page, "risk-likelihood", "4 likely")
    _scale(page, "risk-impact", "3 moderate")
    page.click("#risk-add")
    page.locator("#risk-status-message", has_text="scored 12 high").wait_for()
    _cell(page, 4, 3).locator("li", has_text=TITLE).wait_for()
    assert _cell(page, 4, 3).locator(".heat-score").inner_text() == "12 high"  # the band in words
    row = page.locator(".risk-register tr", has_text=TITLE)
    assert "• first scored" in row.inner_text()

    _choose(page, "risk-chosen", re.compile(TITLE))
    page.wait_for_selector("#risk-rescore")
    _scale(page, "risk-new-likelihood", "5 almost certain")
    _scale(page, "risk-new-impact", "4 major")
    page.fill("#risk-reason", "Two more posts vacant from January")
    page.fill("#risk-next-review", "2027-01-31")
    page.click("#risk-rescore")
    page.locator("#risk-status-message", has_text="scored 20 very high, ↑ up from 12").wait_for()
    _cell(page, 5, 4).locator("li", has_text=TITLE).wait_for()
    assert _cell(page, 4, 3).locator("li", has_text=TITLE).count() == 0  # moved, not copied
    assert "↑ up from 12" in page.locator(".risk-register tr", has_text=TITLE).inner_text()
    assert page.input_value("#risk-reason") == ""  # the form cleared for the next review
    history = page.locator("#risk-selected .risk-history tbody tr")
    history.nth(1).wait_for()
    assert [r.split("\t")[2:] for r in history.all_inner_texts()] == [
        ["4 likely", "3 moderate", "12 high", "first scored"],
        ["5 almost certain", "4 major", "20 very high", "Two more posts vacant from January"],
    ]
    with sqlite3.connect(home / "appstate.sqlite") as db:
        scores = db.execute("SELECT likelihood, impact, by FROM risk_score ORDER BY id").fetchall()
        audited = db.execute(
            "SELECT action FROM audit_event WHERE action LIKE 'risk_%' ORDER BY id"
        ).fetchall()
    assert scores == [(4, 3, "test-admin"), (5, 4, "test-admin")]
    assert audited == [("risk_added",), ("risk_rescored",)]
    assert page.console_errors == []
