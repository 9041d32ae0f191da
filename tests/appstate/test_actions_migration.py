"""Revision 0003 (the action tracker): an install at 0002, with people's work in it, upgrades on
SQLite and on PostgreSQL keeping every row, and then takes actions; the revisions make the tables
exactly as the models declare them."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, insert, text

from appstate.actions import ActionQuery, add_action, list_actions
from appstate.db import MIGRATIONS_DIR, Base, forget_engines, session
from tests.appstate.test_appstate_migrations import HEAD, LA, dump, previous_release

AT = datetime(2026, 3, 2, 9, 30)
KEPT = [
    "user_account",
    "target",
    "commentary",
    "challenge",
    "challenge_update",
    "saved_view",
    "saved_view_audience",
    "session_generation",
    "sign_in_address",
    "audit_event",
]


def _config(connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def release_at_0002(url: str) -> None:
    """App state as the release with revision 0002 left it, with a row in each of 0002's tables."""
    previous_release(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        command.stamp(_config(connection), "0001")
        command.upgrade(_config(connection), "0002")
        tables = MetaData()
        tables.reflect(connection)
        connection.execute(
            insert(tables.tables["saved_view_audience"]),
            [{"view_id": 1, "role": "executive", "la_codes": LA}],
        )
        connection.execute(
            insert(tables.tables["session_generation"]), [{"username": "ann", "generation": 3}]
        )
        connection.execute(
            insert(tables.tables["sign_in_address"]),
            [{"address": "10.0.0.1", "window_start": AT, "attempts": 2}],
        )
        if connection.dialect.name == "postgresql":
            # rows made by the app move their id sequences on; these were written with their ids
            for table in ("audit_event", "challenge", "challenge_update", "saved_view", "user_account"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                    )
                )
    engine.dispose()


@pytest.fixture
def install_at_0002(appstate_url):
    release_at_0002(appstate_url)
    forget_engines()
    yield appstate_url
    forget_engines()


def test_an_install_at_0002_is_upgraded_keeping_every_row_and_takes_actions(install_at_0002):
    url = install_at_0002
    before = dump(url, KEPT)
    assert all(before[table] for table in KEPT)  # every table has something to lose
    with session(url) as db:  # the first use migrates
        assert db.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
        made = add_action(
            db,
            LA,
            "Audit re-referrals",
            "audit",
            "Front door audit 2026",
            "Police",
            "DI Lead",
            date(2026, 6, 30),
            "Re-referrals under 22%",
            "ann",
            kpi_ids=["re_referral_12m"],
        )
        [found] = list_actions(db, ActionQuery(la_codes=(LA,)))
        assert (found.id, found.title, found.kpi_ids) == (made.id, "Audit re-referrals", ("re_referral_12m",))
    after = dump(url, KEPT)
    assert {t: after[t] for t in KEPT if t != "audit_event"} == {
        t: before[t] for t in KEPT if t != "audit_event"
    }
    assert after["audit_event"][: len(before["audit_event"])] == before["audit_event"]


def test_the_revisions_make_the_tables_the_models_declare(appstate_url):
    with session(appstate_url) as db:  # migrated to the newest revision
        connection = db.connection()
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
