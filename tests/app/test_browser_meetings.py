"""Board meetings in a browser: a spring meeting raised two actions (one since completed); the
autumn meeting is created on the Meetings page, its agenda built in an order of its own, a decision
recorded and an action raised, and its pack printed to PDF, whose text holds the agenda in that
order and the spring meeting's actions with where they stand. It writes app state, so it runs
against its own copy of the demo home."""

from __future__ import annotations

import subprocess
from datetime import date

import pytest

from tests.app.axe import axe_violations

pytestmark = pytest.mark.browser

CITY = "E08000021"
CITY_NAME = "Newcastle upon Tyne"


def _spring_meeting(home) -> None:
    """The previous meeting for Newcastle, as app state holds it: two actions, the second complete."""
    from appstate.actions import Status, change_status
    from appstate.db import session
    from appstate.meetings import add_meeting, raise_meeting_action

    with session(f"sqlite:///{home / 'appstate.sqlite'}") as db:
        spring = add_meeting(db, [CITY], date(2026, 5, 14), "Spring board", "test-data")
        raise_meeting_action(
            db, spring.id, CITY, "Police triage of contacts in 24 hours", "Police", "DI One",
            date(2026, 7, 31), "All contacts triaged", "test-data",
        )  # fmt: skip
        done = raise_meeting_action(
            db, spring.id, CITY, "Health attendance at ICPCs", "Health", "Named nurse",
            date(2026, 9, 30), "90% attended", "test-data",
        )  # fmt: skip
        change_status(db, done.id, Status.COMPLETE, "test-data")


def _status(page, words: str) -> None:
    page.locator("#meeting-status-message", has_text=words).wait_for()


def create_meeting(page, url: str, held_on: str, title: str, attendees: str = "") -> None:
    """A Newcastle meeting created on the Meetings page, which then shows it chosen."""
    page.goto(url + "/meetings")
    page.wait_for_selector("#meeting-title")
    page.fill("#meeting-date", held_on)
    page.fill("#meeting-title", title)
    for box in page.locator("#meeting-las input:checked").all():
        box.uncheck()
    page.get_by_role("checkbox", name=CITY_NAME).check()
    page.fill("#meeting-attendees", attendees)
    page.click("#meeting-add")
    page.locator("[data-meeting] h3", has_text=title).wait_for()


def add_to_agenda(page, section: str, presenter: str = "", note: str = "") -> None:
    page.select_option("#meeting-agenda-section", label=section)
    page.fill("#meeting-agenda-presenter", presenter)
    page.fill("#meeting-agenda-note", note)
    page.click("#meeting-agenda-add")
    page.locator("#meeting-agenda li", has_text=section).wait_for()


def _pdf_text(path, *options: str) -> str:
    """The PDF's text as pdftotext reads it, pages parted by form feeds."""
    return subprocess.run(
        ["pdftotext", *options, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_brw_a_meetings_agenda_is_built_on_the_page_and_its_pack_printed(own_demo_server, page, tmp_path):
    url, home = own_demo_server
    _spring_meeting(home)
    create_meeting(
        page,
        url,
        "2026-11-12",
        "Autumn board",
        "Jo Bloggs, Police\nAli Khan, Health",
    )
    _status(page, "Created the meeting 12 November 2026: Autumn board.")
    # one attendee forgotten when the meeting was made, added after
    page.fill(
        "#meeting-attendees-edit", page.input_value("#meeting-attendees-edit") + "\nSam Lee, Local authority"
    )
    page.click("#meeting-attendees-save")
    _status(page, "The attendees of 12 November 2026: Autumn board are saved: 3.")

    # the agenda in an order of its own: not the pack's (actions, exceptions, scorecard, challenges)
    add_to_agenda(page, "Scorecard", "Jo Bloggs", "Quarter 2")
    add_to_agenda(page, "Challenge log summary", "Ali Khan")
    add_to_agenda(page, "Open and overdue actions")
    _status(page, "The agenda of 12 November 2026: Autumn board has 3 items.")
    agenda = page.locator("#meeting-agenda li > span:first-child")
    assert agenda.all_inner_texts() == [
        "Scorecard, presented by Jo Bloggs: Quarter 2",
        "Challenge log summary, presented by Ali Khan",
        "Open and overdue actions",
    ]
    # an item moved up a place, then back down; the first cannot move up, the last down
    page.get_by_role("button", name="Move up: Challenge log summary, presented by Ali Khan").click()
    _status(page, "Challenge log summary, presented by Ali Khan: moved up.")
    first = "#meeting-agenda li:first-child > span:first-child"
    page.locator(first, has_text="Challenge log summary").wait_for()  # the agenda drawn again
    assert page.get_by_role(
        "button", name="Move up: Challenge log summary, presented by Ali Khan"
    ).is_disabled()
    page.get_by_role("button", name="Move down: Challenge log summary, presented by Ali Khan").click()
    _status(page, "Challenge log summary, presented by Ali Khan: moved down.")
    page.locator(first, has_text="Scorecard").wait_for()
    assert agenda.all_inner_texts()[:2] == [
        "Scorecard, presented by Jo Bloggs: Quarter 2",
        "Challenge log summary, presented by Ali Khan",
    ]
    assert page.get_by_role("button", name="Move down: Open and overdue actions").is_disabled()
    assert page.input_value("#meeting-agenda-presenter") == ""  # the form cleared for the next item

    page.fill("#meeting-decision", "Re-audit thresholds at the front door")
    page.click("#meeting-decision-add")
    _status(page, "Recorded decision 1 of 12 November 2026: Autumn board.")
    page.locator("#meeting-decisions li", has_text="Re-audit thresholds").wait_for()

    assert page.eval_on_selector("#meeting-action-la", "s => s.selectedOptions[0].text") == CITY_NAME
    page.select_option("#meeting-action-agency", label="Local authority")
    page.fill("#meeting-action-lead", "Head of service")
    page.fill("#meeting-action-due", "2099-03-31")  # never overdue while the test runs
    page.fill("#meeting-action-title", "Front door thresholds re-audit")
    page.fill("#meeting-action-measure", "Thresholds appropriate in 90% of cases")
    page.click("#meeting-action-add")
    _status(page, "due 31 March 2099.")
    raised = page.locator("[data-meeting] .pack-actions tbody tr")
    raised.first.wait_for()
    assert [r.split("\t")[1:6] for r in raised.all_inner_texts()] == [
        [
            "Front door thresholds re-audit",
            "board meeting: 12 November 2026: Autumn board",
            "Head of service (Local authority)",
            "31 Mar 2099",
            "open",
        ]
    ]
    listed = page.locator(".meetings-list tbody tr").all_inner_texts()
    # latest first: date, title, LA, attendees, agenda items, decisions, actions
    assert [r.split("\t") for r in listed] == [
        ["12 Nov 2026", "Autumn board", CITY_NAME, "3", "3", "1", "1"],
        ["14 May 2026", "Spring board", CITY_NAME, "0", "0", "0", "2"],
    ]

    # The page with a meeting chosen (its agenda, decisions, actions and forms), which the axe test
    # of every page (test_browser.py, on a home with no meetings) does not draw.
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == []

    with page.expect_download(timeout=90_000) as download:
        page.click("#meeting-pdf")
        page.locator(".pdf-status", has_text="Preparing the PDF").wait_for()
    page.locator(".pdf-status", has_text="The PDF is downloaded.").wait_for()
    assert download.value.suggested_filename == "meeting-pack.pdf"
    pdf = tmp_path / "meeting-pack.pdf"
    download.value.save_as(pdf)
    # Its pages as images, to look at (pytest --basetemp keeps them); the text checked below.
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "page")], check=True)
    text = _pdf_text(pdf)
    cover = text.split("\f")[0]
    # The cover's contents: the agenda, the previous meeting's actions, then the agenda's sections
    # in the agenda's order (the pack's own is actions, exceptions, scorecard, challenges).
    contents = [line for line in cover.splitlines() if line[:2] in {f"{n}." for n in range(1, 10)}]
    assert contents == [
        "1. Agenda: 3 items",
        "2. Actions from the previous meeting and their status: 2",
        "3. Scorecard: 45 KPIs in 11 priorities",
        "4. Challenge log summary: 0 open, 0 overdue",
        # the spring meeting's open action (due July 2026: overdue) and the one raised today
        "5. Open and overdue actions: 2 open, 1 overdue",
    ]
    flat = " ".join(text.split())
    # the agenda page: the items in the agenda's order, each with its presenter and note, then the
    # attendees by agency, in the agencies' order
    assert (
        "Agenda 12 November 2026: Autumn board 1. Scorecard, presented by Jo Bloggs Quarter 2 "
        "2. Challenge log summary, presented by Ali Khan 3. Open and overdue actions "
        "Attendees Name Agency Ali Khan Health Sam Lee Local authority Jo Bloggs Police" in flat
    )
    assert (
        "The previous meeting (14 May 2026: Spring board) raised 2 actions: 1 complete or dropped, "
        "1 open, 1 of them overdue." in flat
    )
    # the previous meeting's actions row by row, cell by cell: the police action open and overdue
    # (due in July 2026), the health action complete
    # (pdftotext -raw reads a table's rows in order, though not always a page's headings in place)
    rows = " ".join(_pdf_text(pdf, "-raw").split())
    assert (
        "No. Action Source Lead Due Status Progress Flags "
        "1 Police triage of contacts in 24 hours board meeting: 14 May 2026: Spring board DI One (Police) "
        "31 Jul 2026 open no update yet overdue "
        "2 Health attendance at ICPCs board meeting: 14 May 2026: Spring board Named nurse (Health) "
        "30 Sep 2026 complete no update yet "
    ) in rows
    # No page wasted, as the printed pages show: after the cover, the agenda, the previous meeting's
    # actions and the scorecard's first rows share page 2; the scorecard runs on over pages 3 to 6,
    # then the challenge log, the open actions and the submissions share the last.
    pages = [" ".join(page_text.split()) for page_text in text.split("\f")[:-1]]
    assert len(pages) == 7
    assert all(s in pages[1] for s in ("Agenda 12", "Actions from the previous meeting", "Scorecard The"))
    assert "Challenge log summary" in pages[-2] + pages[-1] and "Submissions" in pages[-1]
    assert page.console_errors == []
