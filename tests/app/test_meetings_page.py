"""The Meetings page (app/pages/meetings.py) through HTTP, as each role calls it: the data team
creates a meeting, builds its agenda and raises its actions; an executive may only record
decisions; a partner reads, and sees only its agency's actions; the meeting's pack holds its agenda,
the previous meeting's actions with their status, and the agenda's sections; its actions download as
CSV and Excel, read back with csv and openpyxl."""

from __future__ import annotations

import base64
import csv
import io
import json

import pytest
from openpyxl import load_workbook

from appstate.actions import Status, change_status
from appstate.db import session
from appstate.meetings import list_meetings
from tests.app.serving import TEST_ADMIN, find_component, page_layout, signed_in
from tests.app.test_actions_page import _call
from tests.app.test_pack_sections import _contents, _nodes, _rows, _table, _text

CITY = "E08000021"  # Newcastle: the scoped test accounts' LA


@pytest.fixture
def app(demo_copy):
    from app.main import create_app

    app = create_app()
    app.server.test_client().get("/login")  # Dash sets up its callback map on the first request
    return app


def _client(app, username: str):
    return signed_in(app.server.test_client(), username)


def _create(app, client, held_on: str, title: str, attendees: str = "") -> str:
    response = _call(
        app,
        client,
        "meeting-add.n_clicks",
        {
            "meeting-add.n_clicks": 1,
            "meeting-date.value": held_on,
            "meeting-title.value": title,
            "meeting-las.value": [CITY],
            "meeting-attendees.value": attendees,
            "meeting-changed.data": 0,
        },
    )
    return response["meeting-status-message"]["children"]


def _meeting_id(title: str) -> int:
    with session() as db:
        return next(m.id for m in list_meetings(db, (CITY,)) if m.title == title)


def _agenda(app, client, meeting_id: int, section: str, presenter: str = "", note: str = "") -> str:
    response = _call(
        app,
        client,
        "meeting-agenda-add.n_clicks",
        {
            "meeting-agenda-add.n_clicks": 1,
            "meeting-chosen.value": str(meeting_id),
            "meeting-agenda-section.value": section,
            "meeting-agenda-presenter.value": presenter,
            "meeting-agenda-note.value": note,
        },
    )
    return response["meeting-status-message"]["children"]


def _chosen_form(app, client, meeting_id: int, button: str, field: str, value: str) -> str:
    """A one-field form of the chosen meeting sent with its button: the page's message."""
    values = {f"{button}.n_clicks": 1, "meeting-chosen.value": str(meeting_id), f"{field}.value": value}
    return _call(app, client, f"{button}.n_clicks", values)["meeting-status-message"]["children"]


def _decide(app, client, meeting_id: int, text: str) -> str:
    return _chosen_form(app, client, meeting_id, "meeting-decision-add", "meeting-decision", text)


def _raise(app, client, meeting_id: int, title: str, agency: str, due: str = "2020-01-31") -> str:
    response = _call(
        app,
        client,
        "meeting-action-add.n_clicks",
        {
            "meeting-action-add.n_clicks": 1,
            "meeting-chosen.value": str(meeting_id),
            "meeting-action-la.value": CITY,
            "meeting-action-title.value": title,
            "meeting-action-agency.value": agency,
            "meeting-action-lead.value": "Named lead",
            "meeting-action-due.value": due,
            "meeting-action-measure.value": "=1+1 done",
        },
    )
    return response["meeting-status-message"]["children"]


def _download(app, client, meeting_id: int, which: str) -> dict:
    trigger = f"meeting-actions-{which}.n_clicks"
    response = _call(app, client, trigger, {trigger: 1, "meeting-chosen.value": str(meeting_id)})
    return response["meeting-actions-download"]["data"]


def test_the_data_team_builds_a_meeting_an_executive_records_decisions_and_a_partner_reads(app):
    data, executive, partner = (_client(app, u) for u in ("test-data", "test-exec", "test-partner"))
    assert _create(app, data, "2026-11-12", "Partnership board", "Jo Bloggs, Police\nAli Khan, Health") == (
        "Created the meeting 12 November 2026: Partnership board."
    )
    meeting = _meeting_id("Partnership board")
    assert _agenda(app, data, meeting, "scorecard", "Jo Bloggs") == (
        "The agenda of 12 November 2026: Partnership board has 1 items."
    )
    assert _agenda(app, data, meeting, "actions").endswith("has 2 items.")
    assert (
        _agenda(app, data, meeting, "actions")
        == "Not done: agenda item 3: 'actions' is on the agenda already."
    )
    assert _raise(app, data, meeting, "Police triage", "Police").startswith("Raised action ")
    assert _raise(app, data, meeting, "Health visits", "Health", "2099-12-31").startswith("Raised action ")
    # an executive records decisions, and changes nothing else
    assert _decide(app, executive, meeting, "Re-audit thresholds") == (
        "Recorded decision 1 of 12 November 2026: Partnership board."
    )
    assert _create(app, executive, "2026-12-01", "Not theirs").startswith(
        "Not done: test-exec (executive) may not create"
    )
    assert _agenda(app, executive, meeting, "exceptions").startswith(
        "Not done: test-exec (executive) may not create"
    )
    assert _raise(app, executive, meeting, "Not theirs", "Police").startswith(
        "Not done: test-exec (executive) may not"
    )
    # a partner reads: no decisions, no agenda, no actions
    assert _decide(app, partner, meeting, "Mine").startswith(
        "Not done: test-partner (partner) may not record"
    )
    assert _agenda(app, partner, meeting, "exceptions").startswith("Not done: test-partner (partner) may not")
    with session() as db:
        [found] = list_meetings(db, (CITY,))
    assert [i.section_id for i in found.agenda] == ["scorecard", "actions"]
    assert [d.text for d in found.decisions] == ["Re-audit thresholds"]
    assert [(a.name, a.agency) for a in found.attendees] == [("Jo Bloggs", "Police"), ("Ali Khan", "Health")]
    # the chosen meeting as each role sees it: the partner, only its agency's action
    shown = {
        who: str(_call(app, client, "meeting-chosen.value", {"meeting-chosen.value": str(meeting)}))
        for who, client in (("executive", executive), ("partner", partner))
    }
    assert "Police triage" in shown["executive"] and "Health visits" in shown["executive"]
    assert "Police triage" in shown["partner"] and "Health visits" not in shown["partner"]
    # the downloads: the tracker's columns, formulas neutralised, the partner's own agency's only
    rows = list(csv.DictReader(io.StringIO(_download(app, executive, meeting, "csv")["content"])))
    assert [(r["Action"], r["Source"], r["Priority, review or meeting"], r["Flags"]) for r in rows] == [
        ("Police triage", "board meeting", "12 November 2026: Partnership board", "overdue"),
        ("Health visits", "board meeting", "12 November 2026: Partnership board", ""),
    ]
    assert rows[0]["Success measure"] == "'=1+1 done"
    book = load_workbook(io.BytesIO(base64.b64decode(_download(app, partner, meeting, "xlsx")["content"])))
    assert [r[2] for r in book["Actions"].iter_rows(min_row=2, values_only=True)] == ["Police triage"]


def _agenda_item_change(app, client, meeting_id: int, items: int, position: int, change: str) -> str:
    """A click on one agenda item's button (Move up, Move down, Remove), as the browser posts it: every
    item's buttons are the pattern's inputs, the clicked one with a click."""
    [output] = [
        key for key, spec in app.callback_map.items() if "meeting-agenda-item" in spec["inputs"][0]["id"]
    ]
    from dash._utils import split_callback_id

    def button(at: int, what: str) -> dict:
        return {"type": "meeting-agenda-item", "position": at, "change": what}

    buttons = [
        {"id": button(at, what), "property": "n_clicks", "value": int((at, what) == (position, change))}
        for at in range(1, items + 1)
        for what in ("up", "down", "remove")
    ]
    clicked = json.dumps(button(position, change), sort_keys=True, separators=(",", ":"))
    payload = {
        "output": output,
        "outputs": split_callback_id(output),
        "inputs": [buttons],
        "state": [
            {"id": "meeting-chosen", "property": "value", "value": str(meeting_id)},
            {"id": "meeting-changed", "property": "data", "value": 0},
        ],
        "changedPropIds": [f"{clicked}.n_clicks"],
    }
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["response"]["meeting-status-message"]["children"]


def _save_attendees(app, client, meeting_id: int, typed: str) -> str:
    return _chosen_form(app, client, meeting_id, "meeting-attendees-save", "meeting-attendees-edit", typed)


def test_after_a_meeting_is_made_its_attendees_change_and_its_agenda_is_reordered(app):
    data, executive = _client(app, "test-data"), _client(app, "test-exec")
    _create(app, data, "2026-11-12", "Partnership board", "Jo Bloggs, Police")
    meeting = _meeting_id("Partnership board")
    for section in ("scorecard", "actions", "exceptions"):
        _agenda(app, data, meeting, section, "Jo Bloggs" if section == "scorecard" else "")
    # who attends, corrected after the meeting was made; a line without an agency changes nothing
    typed = "Jo Bloggs, Police\nAli Khan, Health\nSam Lee, Schools and education"
    assert _save_attendees(app, data, meeting, typed) == (
        "The attendees of 12 November 2026: Partnership board are saved: 3."
    )
    assert _save_attendees(app, data, meeting, "Jo Bloggs, Police\nChair") == (
        "Not done: attendees, line 2: write 'name, agency'; not 'Chair'."
    )
    # the exception report up a place, the scorecard down, then the actions taken off
    assert _agenda_item_change(app, data, meeting, 3, 3, "up") == "Exception report: moved up."
    assert (
        _agenda_item_change(app, data, meeting, 3, 1, "down")
        == "Scorecard, presented by Jo Bloggs: moved down."
    )
    assert _agenda_item_change(app, data, meeting, 3, 3, "down") == "Not done: agenda item 3 is last already."
    assert _agenda_item_change(app, data, meeting, 3, 3, "remove") == (
        "Open and overdue actions: taken off the agenda."
    )
    # an executive reads the meeting and changes neither
    assert _agenda_item_change(app, executive, meeting, 2, 1, "down").startswith(
        "Not done: test-exec (executive) may not"
    )
    assert _save_attendees(app, executive, meeting, "Someone, Police").startswith(
        "Not done: test-exec (executive) may not"
    )
    with session() as db:
        [found] = list_meetings(db, (CITY,))
    assert [(i.section_id, i.presenter) for i in found.agenda] == [
        ("exceptions", ""),
        ("scorecard", "Jo Bloggs"),
    ]
    assert [(a.name, a.agency) for a in found.attendees] == [
        ("Jo Bloggs", "Police"),
        ("Ali Khan", "Health"),
        ("Sam Lee", "Schools and education"),
    ]
    # the buttons and the attendees' form are drawn for those who manage meetings, not for executives
    chosen = {"meeting-chosen.value": str(meeting)}
    for client, manages in ((data, True), (executive, False)):
        shown = str(_call(app, client, "meeting-chosen.value", chosen))
        assert ("Move down: Exception report" in shown) is manages
        assert ("meeting-attendees-edit" in shown) is manages


def test_a_meetings_pack_holds_its_agenda_the_previous_meetings_actions_and_its_sections(app):
    admin = _client(app, TEST_ADMIN)
    _create(app, admin, "2026-05-01", "Spring board")
    _create(app, admin, "2026-11-12", "Autumn board", "Jo Bloggs, Police")
    spring, autumn = _meeting_id("Spring board"), _meeting_id("Autumn board")
    _raise(app, admin, spring, "Police triage", "Police")
    _raise(app, admin, spring, "Health visits", "Health", "2099-12-31")
    with session() as db:
        [done] = next(m for m in list_meetings(db, (CITY,)) if m.id == spring).action_ids[1:]
        change_status(db, done, Status.COMPLETE, "chair")
    _agenda(app, admin, autumn, "challenges", "Jo Bloggs", "Two open")
    _agenda(app, admin, autumn, "scorecard")
    layout = page_layout(_client(app, "test-exec"), "/pack", f"?meeting={autumn}&la={CITY}&period=2026-09")
    sections = [
        n["props"].get("id") for n in _nodes(layout, lambda p: "pack-section" in str(p.get("className", "")))
    ]
    # the agenda first, the previous meeting's actions, then the agenda's sections in its order (and
    # what the agencies were due to submit, as in every pack)
    assert sections == ["pack-agenda", "pack-previous-actions", "pack-challenges", "pack-scorecard", None]
    contents = _contents(layout)
    assert contents[:2] == ["Agenda: 2 items", "Actions from the previous meeting and their status: 2"]
    assert contents[2].startswith("Challenge log summary: ") and contents[3].startswith("Scorecard: ")
    agenda = find_component(layout, "pack-agenda")
    assert "Challenge log summary, presented by Jo Bloggs Two open" in _text(agenda)
    assert "12 November 2026: Autumn board" in _text(agenda) and "Jo Bloggs Police" in _text(agenda)
    previous = find_component(layout, "pack-previous-actions")
    assert "raised 2 actions: 1 complete or dropped, 1 open, 1 of them overdue." in _text(previous)
    assert [(r[1], r[5]) for r in _rows(_table(previous, "pack-actions"))] == [
        ("Police triage", "open"),
        ("Health visits", "complete"),
    ]
    assert find_component(layout, "pack-sections") is None  # a meeting's pack is its agenda's: no checklist
    # the spring meeting's pack: the first for Newcastle
    first = str(page_layout(_client(app, "test-exec"), "/pack", f"?meeting={spring}&la={CITY}"))
    assert "This is the first meeting recorded for these local authorities." in first
