"""Revision 0004 (the risk register): an install at 0003, with actions and everything before them
in it, upgrades on SQLite and on PostgreSQL keeping every row, and then takes risks linked to its
actions."""

from __future__ import annotations

from datetime import date

import pytest
from alembic import command
from sqlalchemy import MetaData, create_engine, insert, text

from appstate.db import forget_engines, session
from appstate.risks import RiskQuery, add_risk, list_risks
from tests.appstate.test_actions_migration import AT, KEPT, _config, release_at_0002
from tests.appstate.test_appstate_migrations import HEAD, LA, dump

KEPT_AT_0003 = [*KEPT, "action", "action_kpi", "action_update"]


def release_at_0003(url: str) -> None:
    """App state as the release with revision 0003 left it, with an action and its update."""
    release_at_0002(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        command.upgrade(_config(connection), "0003")
        tables = MetaData()
        tables.reflect(connection)
        connection.execute(
            insert(tables.tables["action"]),
            [
                {
                    "id": 1,
                    "la_code": LA,
                    "title": "Audit re-referrals",
                    "source_kind": "audit",
                    "source_ref": "Front door audit 2026",
                    "agency": "Police",
                    "lead": "DI Lead",
                    "due_date": date(2026, 6, 30),
                    "success_measure": "Under 22%",
                    "status": "open",
                    "created_by": "ann",
                    "created_at": AT,
                }
            ],
        )
        connection.execute(
            insert(tables.tables["action_kpi"]), [{"action_id": 1, "kpi_id": "re_referral_12m"}]
        )
        connection.execute(
            insert(tables.tables["action_update"]),
            [
                {
                    "id": 1,
                    "action_id": 1,
                    "status": "open",
                    "progress": 2,
                    "note": "begun",
                    "by": "ann",
                    "at": AT,
                }
            ],
        )
        if connection.dialect.name == "postgresql":
            for table in ("action", "action_update"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                    )
                )
    engine.dispose()


@pytest.fixture
def install_at_0003(appstate_url):
    release_at_0003(appstate_url)
    forget_engines()
    yield appstate_url
    forget_engines()


def test_an_install_at_0003_is_upgraded_keeping_every_row_and_takes_risks(install_at_0003):
    url = install_at_0003
    before = dump(url, KEPT_AT_0003)
    assert all(before[table] for table in KEPT_AT_0003)  # every table has something to lose
    with session(url) as db:  # the first use migrates
        assert db.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
        made = add_risk(
            db,
            LA,
            "Front door capacity",
            "Vacancies in the front door slow decisions on contacts",
            "Head of the front door",
            "Local authority",
            "Agency staff; daily triage huddle",
            4,
            3,
            date(2026, 9, 1),
            "ann",
            kpi_ids=["re_referral_12m"],
            action_ids=[1],
        )
        [found] = list_risks(db, RiskQuery(la_codes=(LA,)))
        assert (found.id, found.score, found.action_ids) == (made.id, 12, (1,))
    after = dump(url, KEPT_AT_0003)
    assert {t: after[t] for t in KEPT_AT_0003 if t != "audit_event"} == {
        t: before[t] for t in KEPT_AT_0003 if t != "audit_event"
    }
    assert after["audit_event"][: len(before["audit_event"])] == before["audit_event"]
