"""App-state migrations: an install made by the release before migrations (tables from create_all,
no alembic_version), with people's work in it, is upgraded in place on SQLite and on PostgreSQL;
every row survives and the app reads it back through its own functions."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from alembic import command
from alembic.config import Config
from argon2 import PasswordHasher
from sqlalchemy import MetaData, create_engine, insert, inspect, select, text

from appstate.challenges import ChallengeQuery, list_challenges
from appstate.commentary import commentary_history, current_commentary
from appstate.db import BASELINE_REVISION, MIGRATIONS_DIR, forget_engines, session
from appstate.saved_views import views_for
from appstate.targets import lookup, target_history
from appstate.users import get_user, sign_in

LA = "E08000021"
PASSWORD = "a long enough passphrase"
AT = datetime(2026, 3, 2, 9, 30)
HEAD = "0006"  # the newest revision in appstate/migrations/versions


def previous_release(url: str) -> None:
    """App state as the last release before migrations left it: its tables, and people's work."""
    engine = create_engine(url)
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.attributes["connection"] = connection
        command.upgrade(config, BASELINE_REVISION)
        connection.execute(text("DROP TABLE alembic_version"))  # that release had no migrations
        tables = MetaData()
        tables.reflect(connection)
        rows = {
            "user_account": [
                {
                    "id": 1,
                    "username": "ann",
                    "role": "executive",
                    "la_codes": LA,
                    "agencies": "",
                    "areas": "",
                    "unsuppressed": False,
                    "password_hash": PasswordHasher().hash(PASSWORD),
                    "active": True,
                    "failed_sign_ins": 0,
                    "locked_until": None,
                    "created_by": "admin",
                    "created_at": AT,
                    "last_sign_in": None,
                }
            ],
            "target": [
                {
                    "id": 1,
                    "kpi_id": "re_referral_12m",
                    "la_code": LA,
                    "effective_from": date(2025, 4, 1),
                    "value": 22.0,
                    "tolerance_percent": 5.0,
                    "is_demo": False,
                    "set_by": "ann",
                    "set_at": AT,
                }
            ],
            "commentary": [
                {
                    "id": i,
                    "kpi_id": "referrals",
                    "la_code": LA,
                    "period_code": "2025-26",
                    "version": i,
                    "text": f"version {i}",
                    "author": "ann",
                    "written_at": AT,
                }
                for i in (1, 2)
            ],
            "challenge": [
                {
                    "id": 1,
                    "la_code": LA,
                    "kpi_id": "referrals",
                    "agency": None,
                    "question": "Why up?",
                    "owner": "bob",
                    "due_date": date(2026, 4, 1),
                    "status": "answered",
                    "response": "Schools",
                    "raised_by": "ann",
                    "raised_at": AT,
                }
            ],
            "challenge_update": [
                {"id": 1, "challenge_id": 1, "status": "open", "note": "raised", "by": "ann", "at": AT},
                {"id": 2, "challenge_id": 1, "status": "answered", "note": "Schools", "by": "bob", "at": AT},
            ],
            "saved_view": [
                {
                    "id": 1,
                    "name": "Mine",
                    "path": "/front-door",
                    "query": "?la=E08000021",
                    "owner": "ann",
                    "shared": False,
                    "saved_at": AT,
                }
            ],
            "audit_event": [
                {
                    "id": 1,
                    "at": AT,
                    "username": "ann",
                    "action": "target_set",
                    "subject": "re_referral_12m",
                    "rows": None,
                    "detail": "{}",
                    "address": "",
                }
            ],
        }
        for table, values in rows.items():
            connection.execute(insert(tables.tables[table]), values)
    engine.dispose()


def dump(url: str, tables: list[str]) -> dict[str, list[tuple]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        meta = MetaData()
        meta.reflect(connection, only=tables)
        found = {t: sorted(connection.execute(select(meta.tables[t])).all(), key=repr) for t in tables}
    engine.dispose()
    return found


@pytest.fixture
def old_install(appstate_url):
    previous_release(appstate_url)
    forget_engines()
    yield appstate_url
    forget_engines()


def test_an_install_from_before_migrations_is_upgraded_keeping_every_row(old_install):
    url = old_install
    tables = [
        "user_account",
        "target",
        "commentary",
        "challenge",
        "challenge_update",
        "saved_view",
        "audit_event",
    ]
    before = dump(url, tables)
    with session(url) as db:  # the first use of the database migrates it, under its lock
        assert db.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
        assert {"session_generation", "sign_in_address", "saved_view_audience"} <= set(
            inspect(db.get_bind()).get_table_names()
        )
        # the app reads every kind of row back through its own functions
        assert sign_in(db, "ann", PASSWORD).username == "ann"
        assert get_user(db, "ann").la_list == (LA,)
        assert [t.value for t in target_history(db, "re_referral_12m", LA)] == [22.0]
        assert lookup(db)("re_referral_12m", LA, date(2026, 1, 1)).value == 22.0
        assert current_commentary(db, LA, "2025-26")["referrals"].text == "version 2"
        assert [c.version for c in commentary_history(db, "referrals", LA, "2025-26")] == [2, 1]
        [challenge] = list_challenges(db, ChallengeQuery(la_codes=(LA,)), date(2026, 3, 2))
        assert (challenge.question, challenge.status) == ("Why up?", "answered")
        assert [v.name for v in views_for(db, "ann")] == ["Mine"]
    after = dump(url, tables)
    for table in tables:  # every row as it was (signing in has since stamped ann's last sign-in)
        if table == "user_account":
            assert [r[:13] for r in after[table]] == [r[:13] for r in before[table]]
        elif table == "audit_event":
            assert after[table][:1] == before[table]
        else:
            assert after[table] == before[table], table


def test_a_current_install_is_left_as_it_is(appstate_url):
    from appstate.db import engine_for, upgrade

    engine = engine_for(appstate_url)
    assert upgrade(engine) == (HEAD, HEAD)


def test_safeguard_upgrade_migrates_app_state_and_says_so(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from etl.cli import app

    home = tmp_path / "home"
    home.mkdir()
    previous_release(f"sqlite:///{home / 'appstate.sqlite'}")
    monkeypatch.setenv("SAFEGUARD_HOME", str(home))
    monkeypatch.delenv("SAFEGUARD_APPSTATE_URL", raising=False)
    forget_engines()
    first = CliRunner().invoke(app, ["upgrade"])
    assert first.exit_code == 0, first.output
    assert f"Upgraded app state from revision {BASELINE_REVISION} to {HEAD}" in first.output
    again = CliRunner().invoke(app, ["upgrade"])
    assert f"App state is up to date (revision {HEAD})" in again.output
