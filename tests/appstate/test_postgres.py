"""App state on PostgreSQL through its SQLAlchemy URL, against a real server (tests/appstate/postgres.py).

Every test in this folder that takes `db` already runs on SQLite and on PostgreSQL; these are the
PostgreSQL-only checks: the raw rows as PostgreSQL holds them, its column types, a whole board
workflow through `appstate.db.session(url)`, and several first uses of a brand-new database
racing to create the tables, from threads and from processes.
"""

from __future__ import annotations

import multiprocessing
import threading
import traceback
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import inspect, text

from appstate.audit import AuditQuery, recent_events, record
from appstate.challenges import (
    ChallengeQuery,
    answer_challenge,
    close_challenge,
    list_challenges,
    raise_challenge,
)
from appstate.commentary import commentary_history, current_commentary, write_commentary
from appstate.db import Base, database_url, engine_for, session
from appstate.saved_views import Audience, delete_view, save_view, views_for
from appstate.targets import all_targets, set_target, target_history, target_in_force
from appstate.users import SignInRefused, add_user, sign_in
from etl.docs import EXAMPLES_DIR

LA = "E08000021"
PASSWORD = "a long enough passphrase"
NOW = datetime(2026, 6, 1, 9, 0)
TABLES = {
    "audit_event",
    "challenge",
    "challenge_update",
    "commentary",
    "saved_view",
    "target",
    "user_account",
}


@pytest.fixture
def pg(postgresql_url):
    with session(postgresql_url) as db:
        yield db


def test_the_url_is_postgresql_and_the_tables_are_made_on_first_use(pg, postgresql_url):
    assert postgresql_url.startswith("postgresql+psycopg://safeguard@127.0.0.1:")
    assert pg.get_bind().dialect.name == "postgresql"
    assert pg.scalar(text("SELECT current_user")) == "safeguard"  # an ordinary role, as in production
    assert TABLES <= set(inspect(pg.get_bind()).get_table_names())
    columns = {c["name"]: c["type"] for c in inspect(pg.get_bind()).get_columns("user_account")}
    assert [str(columns[name]) for name in ("unsuppressed", "locked_until", "username")] == [
        "BOOLEAN",
        "TIMESTAMP",
        "VARCHAR(120)",
    ]


def test_users_add_sign_in_and_lock_out(pg):
    add_user(pg, "Jo.Bloggs@Council.gov.uk", "executive", "admin", password=PASSWORD, la_codes=(LA,))
    [(username, stored, active, unsuppressed)] = pg.execute(
        text("SELECT username, password_hash, active, unsuppressed FROM user_account")
    ).all()
    assert username == "jo.bloggs@council.gov.uk"
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert (active, unsuppressed) == (True, False) and type(active) is bool  # real booleans, not 1 and 0
    assert sign_in(pg, "JO.BLOGGS@council.gov.uk", PASSWORD, NOW).last_sign_in == NOW
    for attempt in range(5):
        with pytest.raises(SignInRefused, match="not right"):
            sign_in(pg, username, "wrong password", NOW + timedelta(seconds=attempt))
    locked_until = pg.scalar(text("SELECT locked_until FROM user_account"))
    assert locked_until == NOW + timedelta(seconds=4, minutes=15)  # a timestamp, to the microsecond
    with pytest.raises(SignInRefused, match="not right"):  # locked: answered as a wrong password is
        sign_in(pg, username, PASSWORD, NOW + timedelta(minutes=15))
    assert sign_in(pg, username, PASSWORD, NOW + timedelta(minutes=15, seconds=5)).failed_sign_ins == 0


def test_targets_set_in_force_and_history(pg):
    set_target(pg, "re_referral_12m", LA, date(2025, 4, 1), 24.0, set_by="alice")
    set_target(pg, "re_referral_12m", LA, date(2024, 4, 1), 25.5, set_by="alice", tolerance_percent=2.5)
    set_target(pg, "re_referral_12m", LA, date(2025, 4, 1), 23.0, set_by="bob")  # later set, same date: wins
    assert target_in_force(pg, "re_referral_12m", LA, date(2024, 3, 31)) is None
    assert target_in_force(pg, "re_referral_12m", LA, date(2025, 3, 31)).value == 25.5
    assert target_in_force(pg, "re_referral_12m", LA, date(2025, 4, 1)).set_by == "bob"
    assert [(t.effective_from, t.value, t.set_by) for t in target_history(pg, "re_referral_12m", LA)] == [
        (date(2024, 4, 1), 25.5, "alice"),
        (date(2025, 4, 1), 24.0, "alice"),
        (date(2025, 4, 1), 23.0, "bob"),
    ]
    assert [t.value for t in all_targets(pg, (LA,))] == [23.0, 25.5, 24.0]
    assert pg.scalar(text("SELECT count(*) FROM target WHERE is_demo = false")) == 3


def test_commentary_versions(pg):
    write_commentary(pg, "re_referral_12m", LA, "2025-26-Q2", "First view.", "alice")
    write_commentary(pg, "re_referral_12m", LA, "2025-26-Q2", "Second view: <b>kept as typed</b>.", "bob")
    write_commentary(pg, "cp_repeat", LA, "2025-26-Q2", "Withdrawn next.", "alice")
    write_commentary(pg, "cp_repeat", LA, "2025-26-Q2", "", "alice")
    assert [(c.version, c.author) for c in commentary_history(pg, "re_referral_12m", LA, "2025-26-Q2")] == [
        (2, "bob"),
        (1, "alice"),
    ]
    current = current_commentary(pg, LA, "2025-26-Q2")
    assert {k: c.text for k, c in current.items()} == {
        "re_referral_12m": "Second view: <b>kept as typed</b>."
    }


def test_the_challenge_log_raise_answer_close(pg):
    entry = raise_challenge(
        pg,
        LA,
        "Why did re-referrals rise?",
        "Police",
        date(2026, 6, 30),
        "chair",
        kpi_id="re_referral_12m",
        agency="Police",
    )
    late = raise_challenge(pg, LA, "Overdue question", "Health", date(2026, 6, 1), "chair", agency="Health")
    answer_challenge(pg, entry.id, "A change in triage.", "police.lead")
    closed = close_challenge(pg, entry.id, "chair", note="Accepted")
    assert [(u.status, u.by) for u in closed.updates] == [
        ("open", "chair"),
        ("answered", "police.lead"),
        ("closed", "chair"),
    ]
    with pytest.raises(ValueError, match="is closed"):
        answer_challenge(pg, entry.id, "Late answer", "police.lead")
    today = date(2026, 6, 15)
    assert [c.id for c in list_challenges(pg, ChallengeQuery(overdue_only=True), today)] == [late.id]
    assert [c.id for c in list_challenges(pg, ChallengeQuery(status=("closed",), la_codes=(LA,)), today)] == [
        entry.id
    ]


def test_saved_views_private_and_shared(pg):
    save_view(pg, "Police referrals", "/front-door", "?period=2025-26&agency=police", "alice")
    board = Audience("executive", (LA,))
    shared = save_view(pg, "Board view", "/", "period=2025-26", "bob", shared=True, audience=board)
    save_view(pg, "Bob's own", "/missing", "", "bob")
    assert [v.href for v in views_for(pg, "alice", board)] == [
        "/?period=2025-26",
        "/front-door?period=2025-26&agency=police",
    ]
    assert [v.href for v in views_for(pg, "alice", Audience("partner", (LA,)))] == [
        "/front-door?period=2025-26&agency=police"
    ]
    delete_view(pg, shared.id, "bob")
    assert [v.name for v in views_for(pg, "alice", board)] == ["Police referrals"]


def test_every_change_leaves_an_audit_record(pg):
    set_target(pg, "icpc_15wd", LA, date(2025, 4, 1), 80.0, set_by="alice")
    write_commentary(pg, "icpc_15wd", LA, "2025-26", "On track.", "alice")
    raise_challenge(pg, LA, "Q", "Police", date(2026, 7, 1), "chair", agency="Police")
    events = recent_events(pg)
    assert [(e.username, e.action) for e in events] == [
        ("chair", "challenge_raised"),
        ("alice", "commentary_written"),
        ("alice", "target_set"),
    ]
    assert '"value": 80.0' in events[-1].detail and isinstance(events[-1].at, datetime)
    assert [e.action for e in recent_events(pg, AuditQuery(username="alice", actions=("target_set",)))] == [
        "target_set"
    ]


def test_with_safeguard_appstate_url_app_state_lives_in_postgresql_across_loads(
    settings, load, postgresql_url, monkeypatch
):
    monkeypatch.setenv("SAFEGUARD_APPSTATE_URL", postgresql_url)
    assert database_url() == postgresql_url
    load(EXAMPLES_DIR / "referrals.csv")
    with session() as db:
        set_target(db, "re_referral_12m", LA, date(2025, 4, 1), 21.5, set_by="alice")
        save_view(db, "Police view", "/front-door", "?agency=police", "alice")
    load(EXAMPLES_DIR / "contacts.csv")  # a new warehouse file, swapped in
    with session() as db:
        assert target_in_force(db, "re_referral_12m", LA, date(2025, 6, 30)).value == 21.5
        assert [v.name for v in views_for(db, "alice")] == ["Police view"]
    assert not (settings.home / "appstate.sqlite").exists()


# What the app-state functions accept must be stored, or refused with a reason (ValueError, or a
# refused sign-in), on every backend. SQLite stores any length and NUL characters; PostgreSQL
# enforces VARCHAR(n) and refuses NUL in text, so each of these once ended in a database error
# there, until the function named checked or cut its input.
_ACCEPTED_INPUT = {
    "challenge_owner_121_chars":  # challenges._text
    lambda db: raise_challenge(db, LA, "Q", "o" * 121, date(2026, 1, 1), "chair", agency="Police"),
    "challenge_agency_121_chars":  # challenges._text
    lambda db: raise_challenge(db, LA, "Q", "Police", date(2026, 1, 1), "chair", agency="a" * 121),
    "view_query_2001_chars":  # saved_views.save_view
    lambda db: save_view(db, "v", "/", "?" + "a" * 2001, "alice"),
    "view_path_201_chars":  # saved_views.save_view
    lambda db: save_view(db, "v", "/" + "a" * 201, "", "alice"),
    "audit_username_121_chars":  # audit.record (an SSO claim can be that long)
    lambda db: record(db, "u" * 121, "sign_in_failed"),
    "sign_in_username_with_nul":  # users.get_user, sign_in (the sign-in form)
    lambda db: sign_in(db, "ad\x00min", PASSWORD),
    "audit_username_with_nul":  # audit.record
    lambda db: record(db, "ad\x00min", "sign_in_failed"),
}


@pytest.mark.parametrize("case", _ACCEPTED_INPUT)
def test_accepted_input_is_stored_or_refused_never_a_database_error(db, case):
    try:
        _ACCEPTED_INPUT[case](db)
    except (ValueError, SignInRefused):
        pass


def test_a_connection_the_server_closed_is_replaced_not_failed(postgresql_server, postgresql_url):
    """After a database restart or an idle timeout the pooled connections are dead: the next
    request must get a live one, not an error."""
    with session(postgresql_url) as db:
        save_view(db, "Mine", "/", "", "alice")
    assert postgresql_server.end_app_connections() >= 1
    with session(postgresql_url) as db:
        assert [v.name for v in views_for(db, "alice")] == ["Mine"]


def _tables(url: str) -> set[str]:
    with engine_for(url).connect() as connection:
        return set(inspect(connection).get_table_names())


def test_two_threads_first_using_a_new_database_make_the_tables_once(postgresql_server):
    with postgresql_server.fresh_database() as url:
        start, errors, results = threading.Barrier(2), [], []

        def first_use():
            try:
                start.wait(timeout=10)
                with session(url) as db:
                    results.append(db.scalar(text("SELECT count(*) FROM user_account")))
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

        threads = [threading.Thread(target=first_use) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == [] and results == [0, 0]
        assert TABLES <= _tables(url)


def _first_use(url: str, start, results) -> None:
    """A forked server worker's first request: open a session on the new database."""
    try:
        start.wait(timeout=30)
        with session(url) as db:
            results.put(("ok", db.scalar(text("SELECT count(*) FROM user_account"))))
    except BaseException:  # noqa: BLE001 - the parent reports it
        results.put(("error", traceback.format_exc()))


@pytest.mark.parametrize("round_", range(3))
def test_server_processes_first_using_a_new_database_all_start(postgresql_server, round_):
    """Server workers forked together (as gunicorn forks them) must each come up, however their
    CREATE TABLEs interleave. Without a guard this race fails about two rounds in three."""
    fork = multiprocessing.get_context("fork")  # a fork inherits the imports: no start-up cost
    with postgresql_server.fresh_database() as url:
        start, results = fork.Barrier(4), fork.Queue()
        workers = [fork.Process(target=_first_use, args=(url, start, results)) for _ in range(4)]
        for worker in workers:
            worker.start()
        try:
            outcomes = [results.get(timeout=60) for _ in workers]
        finally:
            for worker in workers:
                worker.join(timeout=10)
                if worker.is_alive():
                    worker.kill()
        errors = [detail for status, detail in outcomes if status != "ok"]
        assert errors == [], errors[0]
        assert outcomes == [("ok", 0)] * 4 and [w.exitcode for w in workers] == [0] * 4
        assert Base.metadata.tables.keys() <= _tables(url)
