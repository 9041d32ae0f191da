"""Accounts: argon2 passwords, roles and scope, and locking after repeated failures."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import pytest

from appstate.users import SignInRefused, add_user, get_user, set_password, sign_in

PASSWORD = "a long enough passphrase"
NOW = datetime(2026, 6, 1, 9, 0)


def test_a_password_is_stored_only_as_an_argon2_hash(db, tmp_path):
    add_user(db, "Jo.Bloggs@Council.gov.uk", "executive", "admin", password=PASSWORD, la_codes=("E08000021",))
    with sqlite3.connect(tmp_path / "appstate.sqlite") as raw:
        [(username, stored)] = raw.execute("SELECT username, password_hash FROM user_account").fetchall()
    assert username == "jo.bloggs@council.gov.uk"  # usernames are matched without regard to case
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert sign_in(db, "JO.BLOGGS@council.gov.uk", PASSWORD, NOW).username == username


def _counting_checks(monkeypatch) -> list[str]:
    """The hashes sign_in verifies a password against, as they are verified."""
    from appstate import users

    checked = []
    real = users._matches

    def counting(password_hash, password):
        checked.append("dummy" if password_hash == users._DUMMY_HASH else "account")
        return real(password_hash, password)

    monkeypatch.setattr(users, "_matches", counting)
    return checked


def test_five_wrong_passwords_lock_the_account_for_15_minutes_and_say_no_more_than_a_wrong_password(
    db, monkeypatch
):
    add_user(db, "exec", "executive", "admin", password=PASSWORD, la_codes=("E08000021",))
    checked = _counting_checks(monkeypatch)
    answers = []
    for attempt in range(5):
        with pytest.raises(SignInRefused) as wrong:
            sign_in(db, "exec", "wrong password", NOW + timedelta(seconds=attempt))
        answers.append(str(wrong.value))
    with pytest.raises(SignInRefused) as locked:
        sign_in(
            db, "exec", PASSWORD, NOW + timedelta(minutes=15, seconds=3)
        )  # the lock ends 15 minutes after the 5th
    # Locked, the right password is answered in the wrong password's words, after the same argon2 work.
    assert (
        set(answers)
        == {str(locked.value)}
        == {"The username or password is not right. After 5 failed sign-ins an account waits 15 minutes."}
    )
    assert checked == ["account"] * 5 + ["dummy"]
    assert sign_in(db, "exec", PASSWORD, NOW + timedelta(minutes=15, seconds=5)).failed_sign_ins == 0


def test_attempts_sent_all_at_once_get_no_more_than_five_password_checks(appstate_url, monkeypatch):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from appstate.db import session

    with session(appstate_url) as db:
        add_user(db, "exec", "executive", "admin", password=PASSWORD, la_codes=("E08000021",))
    checked = _counting_checks(monkeypatch)
    start = threading.Barrier(12)

    def attempt(_):
        with session(appstate_url) as db:
            start.wait()
            with pytest.raises(SignInRefused):
                sign_in(db, "exec", "wrong password", NOW)

    with ThreadPoolExecutor(12) as pool:
        list(pool.map(attempt, range(12)))
    assert checked.count("account") == 5
    with session(appstate_url) as db, pytest.raises(SignInRefused):
        sign_in(db, "exec", PASSWORD, NOW + timedelta(minutes=14))


def test_signing_out_a_new_password_and_disabling_end_every_session_issued_before(db):
    from appstate.users import end_sessions, session_generation, set_active

    add_user(db, "exec", "executive", "admin", password=PASSWORD, la_codes=("E08000021",))
    assert session_generation(db, "exec") == 0
    end_sessions(db, "exec")
    set_password(db, "exec", "another long passphrase")
    set_active(db, "exec", False)
    set_active(db, "exec", True)
    assert session_generation(db, "exec") == 4


def test_a_new_password_unlocks_and_a_disabled_account_cannot_sign_in(db):
    from appstate.users import set_active

    add_user(db, "exec", "executive", "admin", password=PASSWORD, la_codes=("E08000021",))
    for _ in range(5):
        with pytest.raises(SignInRefused):
            sign_in(db, "exec", "wrong password", NOW)
    set_password(db, "exec", "another long passphrase")
    assert sign_in(db, "exec", "another long passphrase", NOW).username == "exec"
    set_active(db, "exec", False)
    with pytest.raises(SignInRefused, match="disabled"):
        sign_in(db, "exec", "another long passphrase", NOW)


def test_a_partners_agencies_are_kept_as_the_warehouse_spells_them(db):
    partner = add_user(
        db, "p1", "partner", "admin", la_codes=("E08000021",), agencies=("police", "SCHOOLS AND EDUCATION")
    )
    assert partner.agency_list == ("Police", "Schools and education")


def test_roles_decide_what_small_numbers_show(db):
    partner = add_user(
        db,
        "partner1",
        "partner",
        "admin",
        password=PASSWORD,
        la_codes=("E08000021",),
        agencies=("Police",),
        unsuppressed=True,
    )
    data = add_user(db, "data1", "data_team", "admin", password=PASSWORD, la_codes=("E08000021",))
    assert (partner.unsuppressed, partner.agency_list, data.unsuppressed) == (False, ("Police",), True)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"username": "x y", "role": "admin"}, "is not a username"),
        ({"username": "ab", "role": "root"}, "is not a role"),
        ({"username": "exec", "role": "executive"}, "needs the LAs it covers"),
        (
            {"username": "exec", "role": "executive", "la_codes": ("E08000021",), "agencies": ("Police",)},
            "only partner accounts",
        ),
        ({"username": "adm", "role": "admin", "password": "short"}, "at least 12 characters"),
        (
            {
                "username": "p1",
                "role": "partner",
                "la_codes": ("E08000021",),
                "agencies": ("Police", "Polise"),
            },
            (
                "'Polise' is not an agency group: use one of Anonymous, Health, Housing, Individual, Local authority, "
                "Other, Other legal, Police, Schools and education, Unknown"
            ),
        ),
    ],
)
def test_bad_accounts_are_refused(db, kwargs, message):
    with pytest.raises(ValueError, match=message):
        add_user(db, created_by="admin", **kwargs)
    assert get_user(db, kwargs["username"]) is None


def test_a_username_is_taken_once_and_sso_accounts_have_no_password(db):
    account = add_user(db, "sso.user@nhs.net", "executive", "admin", la_codes=("E08000021",))
    assert account.password_hash is None
    with pytest.raises(SignInRefused):
        sign_in(db, "sso.user@nhs.net", "", NOW)
    with pytest.raises(ValueError, match="already an account"):
        add_user(db, "SSO.user@nhs.net", "executive", "admin", la_codes=("E08000021",))
