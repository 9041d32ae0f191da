"""Revision 0005 (learning reviews and audits): an install at 0004, with risks, actions and
everything before them in it, upgrades on SQLite and on PostgreSQL keeping every row, and then
takes a review, a finding, an audit's results and an action raised from the review."""

from __future__ import annotations

from datetime import date

import pytest
from alembic import command
from sqlalchemy import MetaData, create_engine, insert, text

from appstate.db import forget_engines, session
from appstate.reviews import (
    ResultRow,
    ReviewQuery,
    add_finding,
    add_review,
    list_reviews,
    raise_review_action,
    record_results,
)
from tests.appstate.test_actions_migration import AT, _config
from tests.appstate.test_appstate_migrations import HEAD, LA, dump
from tests.appstate.test_risks_migration import KEPT_AT_0003, release_at_0003

KEPT_AT_0004 = [*KEPT_AT_0003, "risk", "risk_kpi", "risk_action", "risk_score"]


def release_at_0004(url: str) -> None:
    """App state as the release with revision 0004 left it, with a risk linked to the action."""
    release_at_0003(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        command.upgrade(_config(connection), "0004")
        tables = MetaData()
        tables.reflect(connection)
        connection.execute(
            insert(tables.tables["risk"]),
            [
                {
                    "id": 1,
                    "la_code": LA,
                    "title": "Front door capacity",
                    "description": "Vacancies",
                    "owner": "Head of the front door",
                    "agency": "Local authority",
                    "controls": "Agency staff",
                    "status": "open",
                    "closed_note": "",
                    "created_by": "ann",
                    "created_at": AT,
                }
            ],
        )
        connection.execute(insert(tables.tables["risk_kpi"]), [{"risk_id": 1, "kpi_id": "re_referral_12m"}])
        connection.execute(insert(tables.tables["risk_action"]), [{"risk_id": 1, "action_id": 1}])
        connection.execute(
            insert(tables.tables["risk_score"]),
            [
                {
                    "id": 1,
                    "risk_id": 1,
                    "likelihood": 4,
                    "impact": 3,
                    "reason": "first scored",
                    "review_date": date(2026, 9, 1),
                    "by": "ann",
                    "at": AT,
                }
            ],
        )
        if connection.dialect.name == "postgresql":
            for table in ("risk", "risk_score"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                    )
                )
    engine.dispose()


@pytest.fixture
def install_at_0004(appstate_url):
    release_at_0004(appstate_url)
    forget_engines()
    yield appstate_url
    forget_engines()


def test_an_install_at_0004_is_upgraded_keeping_every_row_and_takes_reviews(install_at_0004):
    url = install_at_0004
    before = dump(url, KEPT_AT_0004)
    assert all(before[table] for table in KEPT_AT_0004)  # every table has something to lose
    with session(url) as db:  # the first use migrates
        assert db.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
        audit = add_review(
            db, LA, "Front door audit", "multi-agency audit", date(2026, 5, 1), "Police", "ann"
        )
        add_finding(db, audit.id, "Referrals lacked the parents' views", "ann")
        record_results(db, audit.id, [ResultRow("Thresholds appropriate", 50, 43)], "ann")
        action = raise_review_action(
            db, audit.id, "Re-audit thresholds", "Police", "DI Lead", date(2026, 9, 30), "Over 90%", "ann"
        )
        [found] = list_reviews(db, ReviewQuery(la_codes=(LA,)))
        assert (found.id, len(found.findings), found.action_ids, found.results[0].percent) == (
            audit.id,
            1,
            (action.id,),
            86.0,
        )
        assert action.id == 2  # after the release's action 1
    after = dump(url, KEPT_AT_0004)
    unchanged = [t for t in KEPT_AT_0004 if t not in ("audit_event", "action", "action_update")]
    assert {t: after[t] for t in unchanged} == {t: before[t] for t in unchanged}
    for table in ("audit_event", "action", "action_update"):  # rows only added after the old ones
        assert after[table][: len(before[table])] == before[table]
