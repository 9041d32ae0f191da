"""appstate/db.py: a SQLite app state is the service account's only, and a file swapped in under
a running server (a restore) is what its next session reads."""

from __future__ import annotations

import os
import sqlite3

from appstate.db import session
from appstate.users import add_user, get_user, list_users


def test_a_new_sqlite_app_state_is_readable_by_its_owner_only(tmp_path):
    with session(f"sqlite:///{tmp_path / 'appstate.sqlite'}") as db:
        add_user(db, "admin1", "admin", "tests")
    assert (tmp_path / "appstate.sqlite").stat().st_mode & 0o777 == 0o600


def test_a_sqlite_file_swapped_in_is_read_by_the_next_session(tmp_path):
    url = f"sqlite:///{tmp_path / 'appstate.sqlite'}"
    with session(url) as db:
        add_user(db, "before", "admin", "tests")
    with (
        sqlite3.connect(tmp_path / "appstate.sqlite") as live,
        sqlite3.connect(tmp_path / "restored.sqlite") as copy,
    ):
        live.backup(copy)
    with sqlite3.connect(tmp_path / "restored.sqlite") as copy:
        copy.execute("UPDATE user_account SET username = 'restored'")
    with session(url) as db:
        assert (
            get_user(db, "before") is not None
        )  # a session that leaves a connection behind, were there a pool
    os.replace(tmp_path / "restored.sqlite", tmp_path / "appstate.sqlite")
    with session(url) as db:
        assert [u.username for u in list_users(db)] == ["restored"]


def _dbapi_connection(url: str) -> object:
    with session(url) as db:
        return db.connection().connection.dbapi_connection


def test_sessions_share_a_pooled_connection_until_the_file_is_replaced(tmp_path):
    url = f"sqlite:///{tmp_path / 'appstate.sqlite'}"
    first = _dbapi_connection(url)
    assert _dbapi_connection(url) is first
    (tmp_path / "copy.sqlite").write_bytes((tmp_path / "appstate.sqlite").read_bytes())
    os.replace(tmp_path / "copy.sqlite", tmp_path / "appstate.sqlite")
    replaced = _dbapi_connection(url)
    assert replaced is not first
    assert _dbapi_connection(url) is replaced
