"""Board meetings: attendees typed one a line, an agenda of the pack's sections in order, numbered
decisions, actions raised into the tracker and linked, the previous meeting for the same LAs, a
meeting seen only by a scope holding all its LAs; every change audited."""

from __future__ import annotations

import json
from datetime import date

import pytest

from appstate.actions import ActionQuery, list_actions
from appstate.audit import AuditQuery, recent_events
from appstate.meetings import (
    AgendaEntry,
    Attendee,
    add_decision,
    add_meeting,
    attendees_text,
    changed_agenda,
    get_meeting,
    list_meetings,
    meeting_actions,
    parse_attendees,
    previous_meeting,
    raise_meeting_action,
    set_agenda,
    set_attendees,
)

CITY, NORTH = "E08000021", "E06000057"
SECTIONS = {"actions", "exceptions", "scorecard", "challenges", "cp-plans"}


def test_attendees_are_typed_one_a_line_name_then_agency():
    typed = "Jo Bloggs, Police\n\n  Sam Smith, Jr, Health  \n"
    assert parse_attendees(typed) == (Attendee("Jo Bloggs", "Police"), Attendee("Sam Smith, Jr", "Health"))
    with pytest.raises(ValueError, match="attendees, line 2: write 'name, agency'; not 'Chair'"):
        parse_attendees("Jo Bloggs, Police\nChair")
    with pytest.raises(ValueError, match="attendees, line 1: the agency is required"):
        parse_attendees("Jo Bloggs, ")


def test_an_agenda_item_moves_a_place_up_or_down_or_comes_off_and_attendees_read_back_as_typed():
    a, b, c = AgendaEntry("scorecard", "Jo"), AgendaEntry("actions"), AgendaEntry("exceptions", note="Q2")
    assert changed_agenda([a, b, c], 3, "up") == [a, c, b]
    assert changed_agenda([a, b, c], 1, "down") == [b, a, c]
    assert changed_agenda([a, b, c], 2, "remove") == [a, c]
    assert changed_agenda([a], 1, "remove") == []
    with pytest.raises(ValueError, match="agenda item 1 is first already"):
        changed_agenda([a, b, c], 1, "up")
    with pytest.raises(ValueError, match="agenda item 3 is last already"):
        changed_agenda([a, b, c], 3, "down")
    with pytest.raises(ValueError, match="the agenda has no item 4: it has 3"):
        changed_agenda([a, b, c], 4, "remove")
    with pytest.raises(ValueError, match="moved up, down or removed, not 'sideways'"):
        changed_agenda([a, b, c], 1, "sideways")
    typed = (Attendee("Jo Bloggs", "Police"), Attendee("Sam Smith, Jr", "Health"))
    assert attendees_text(typed) == "Jo Bloggs, Police\nSam Smith, Jr, Health"
    assert parse_attendees(attendees_text(typed)) == typed


def test_a_meeting_takes_an_agenda_decisions_and_actions_each_audited(db):
    meeting = add_meeting(
        db, [CITY], date(2026, 11, 12), "Partnership board", "ann", parse_attendees("Jo, Police")
    )
    set_agenda(
        db,
        meeting.id,
        [AgendaEntry("scorecard", "Jo", "Q2 figures"), AgendaEntry("actions"), AgendaEntry("cp-plans")],
        SECTIONS,
        "ann",
    )
    assert [(i.position, i.section_id, i.presenter, i.note) for i in meeting.agenda] == [
        (1, "scorecard", "Jo", "Q2 figures"),
        (2, "actions", "", ""),
        (3, "cp-plans", "", ""),
    ]
    set_agenda(db, meeting.id, [AgendaEntry("actions")], SECTIONS, "ann")  # replaced, not added to
    assert [i.section_id for i in meeting.agenda] == ["actions"]
    with pytest.raises(ValueError, match="agenda item 2: there is no pack section 'minutes'"):
        set_agenda(db, meeting.id, [AgendaEntry("actions"), AgendaEntry("minutes")], SECTIONS, "ann")
    with pytest.raises(ValueError, match="agenda item 2: 'actions' is on the agenda already"):
        set_agenda(db, meeting.id, [AgendaEntry("actions"), AgendaEntry("actions")], SECTIONS, "ann")
    assert [i.section_id for i in meeting.agenda] == ["actions"]  # a refused agenda changes nothing
    first = add_decision(db, meeting.id, "Re-audit thresholds", "chair")
    second = add_decision(db, meeting.id, "Invite schools to the next board", "chair")
    assert (first.number, second.number) == (1, 2)
    action = raise_meeting_action(
        db, meeting.id, CITY, "Re-audit", "Police", "DI Lead", date(2027, 3, 31), "90%", "ann"
    )
    with pytest.raises(ValueError, match=f"the meeting is for {CITY}; not {NORTH}"):
        raise_meeting_action(
            db, meeting.id, NORTH, "Elsewhere", "Police", "DI", date(2027, 3, 31), "x", "ann"
        )
    assert meeting.action_ids == (action.id,)
    assert (action.source_kind, action.source_ref) == ("board meeting", "12 November 2026: Partnership board")
    set_attendees(db, meeting.id, (Attendee("Jo", "Police"), Attendee("Ali", "Health")), "ann")
    assert [(a.name, a.agency) for a in meeting.attendees] == [("Jo", "Police"), ("Ali", "Health")]
    events = recent_events(
        db,
        AuditQuery(
            actions=(
                "meeting_added",
                "meeting_agenda",
                "meeting_decision",
                "meeting_attendees",
                "action_added",
            )
        ),
    )
    assert [e.action for e in reversed(events)] == [
        "meeting_added",
        "meeting_agenda",
        "meeting_agenda",
        "meeting_decision",
        "meeting_decision",
        "action_added",
        "meeting_attendees",
    ]
    assert json.loads(events[-2].detail)["agenda"] == ["scorecard", "actions", "cp-plans"]
    assert {e.subject for e in events if e.action != "action_added"} == {
        f"meeting {meeting.id} ({CITY}, 2026-11-12)"
    }


def test_the_previous_meeting_is_the_latest_earlier_one_for_the_same_las(db):
    older = add_meeting(db, [CITY], date(2026, 5, 1), "Spring board", "ann")
    add_meeting(db, [CITY, NORTH], date(2026, 9, 1), "Joint board", "ann")  # other LAs
    same_day = add_meeting(db, [CITY], date(2026, 11, 12), "Morning board", "ann")
    later = add_meeting(db, [CITY], date(2026, 11, 12), "Afternoon board", "ann")
    assert previous_meeting(db, later).id == same_day.id
    assert previous_meeting(db, same_day).id == older.id
    assert previous_meeting(db, older) is None


def test_a_meeting_is_seen_by_a_scope_holding_all_its_las_and_a_partner_sees_its_agencys_actions(db):
    city = add_meeting(db, [CITY], date(2026, 5, 1), "City board", "ann")
    joint = add_meeting(db, [CITY, NORTH], date(2026, 9, 1), "Joint board", "ann")
    assert [m.id for m in list_meetings(db, (CITY, NORTH))] == [joint.id, city.id]  # newest first
    assert [m.id for m in list_meetings(db, (CITY,))] == [city.id]
    assert (
        get_meeting(db, joint.id, (CITY,)) is None and get_meeting(db, joint.id, (CITY, NORTH)).id == joint.id
    )
    for agency in ("Police", "Health"):
        raise_meeting_action(
            db, city.id, CITY, f"{agency} step", agency, "Lead", date(2027, 1, 1), "done", "ann"
        )
    assert [a.title for a in meeting_actions(db, city)] == ["Police step", "Health step"]
    assert [a.title for a in meeting_actions(db, city, ("Police",))] == ["Police step"]
    assert len(list_actions(db, ActionQuery(source_kind="board meeting"))) == 2
