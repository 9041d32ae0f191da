"""Revision 0006 (board meetings): an install at 0005, with reviews, risks, actions and everything
before them in it, upgrades on SQLite and on PostgreSQL keeping every row, and then takes a meeting
with its attendees, agenda and decision, and an action raised in it."""

from __future__ import annotations

from datetime import date

import pytest
from alembic import command
from sqlalchemy import MetaData, create_engine, insert, text

from appstate.actions import ActionQuery, list_actions
from appstate.db import forget_engines, session
from appstate.meetings import (
    AgendaEntry,
    Attendee,
    add_decision,
    add_meeting,
    list_meetings,
    meeting_actions,
    raise_meeting_action,
    set_agenda,
)
from tests.appstate.test_actions_migration import AT, _config
from tests.appstate.test_appstate_migrations import HEAD, LA, dump
from tests.appstate.test_reviews_migration import KEPT_AT_0004, release_at_0004

KEPT_AT_0005 = [*KEPT_AT_0004, "review", "review_finding", "review_action"]


def release_at_0005(url: str) -> None:
    """App state as the release with revision 0005 left it, with a review and a finding."""
    release_at_0004(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        command.upgrade(_config(connection), "0005")
        tables = MetaData()
        tables.reflect(connection)
        connection.execute(
            insert(tables.tables["review"]),
            [
                {
                    "id": 1,
                    "la_code": LA,
                    "title": "Thresholds audit",
                    "kind": "multi-agency audit",
                    "held_on": date(2026, 2, 1),
                    "agency": "Police",
                    "themes_text": "thresholds",
                    "status": "open",
                    "signed_off_on": None,
                    "signed_off_by": "",
                    "created_by": "ann",
                    "created_at": AT,
                }
            ],
        )
        connection.execute(
            insert(tables.tables["review_finding"]),
            [{"id": 1, "review_id": 1, "number": 1, "text": "Late referrals", "by": "ann", "at": AT}],
        )
        connection.execute(insert(tables.tables["review_action"]), [{"review_id": 1, "action_id": 1}])
        if connection.dialect.name == "postgresql":
            for table in ("review", "review_finding"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                    )
                )
    engine.dispose()


@pytest.fixture
def install_at_0005(appstate_url):
    release_at_0005(appstate_url)
    forget_engines()
    yield appstate_url
    forget_engines()


def test_an_install_at_0005_is_upgraded_keeping_every_row_and_takes_meetings(install_at_0005):
    url = install_at_0005
    before = dump(url, KEPT_AT_0005)
    assert all(before[table] for table in KEPT_AT_0005)  # every table has something to lose
    with session(url) as db:  # the first use migrates
        assert db.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD == "0006"
        meeting = add_meeting(
            db, [LA], date(2026, 11, 12), "Partnership board", "ann", (Attendee("Jo Bloggs", "Police"),)
        )
        set_agenda(db, meeting.id, [AgendaEntry("scorecard", "Jo Bloggs")], {"scorecard"}, "ann")
        add_decision(db, meeting.id, "Re-audit thresholds in spring", "ann")
        action = raise_meeting_action(
            db,
            meeting.id,
            LA,
            "Re-audit thresholds",
            "Police",
            "DI Lead",
            date(2027, 3, 31),
            "Over 90%",
            "ann",
        )
        [found] = list_meetings(db, (LA,))
        assert (found.id, [a.name for a in found.attendees], [i.section_id for i in found.agenda]) == (
            meeting.id,
            ["Jo Bloggs"],
            ["scorecard"],
        )
        assert [d.text for d in found.decisions] == ["Re-audit thresholds in spring"]
        assert (
            [a.id for a in meeting_actions(db, found)] == [action.id] == [2]
        )  # after the release's action 1
        assert (
            action.source_kind == "board meeting"
            and action.source_ref == "12 November 2026: Partnership board"
        )
        assert len(list_actions(db, ActionQuery(la_codes=(LA,)))) == 2
    after = dump(url, KEPT_AT_0005)
    unchanged = [t for t in KEPT_AT_0005 if t not in ("audit_event", "action", "action_update")]
    assert {t: after[t] for t in unchanged} == {t: before[t] for t in unchanged}
    for table in ("audit_event", "action", "action_update"):  # rows only added after the old ones
        assert after[table][: len(before[table])] == before[table]
