from __future__ import annotations

import pytest

from appstate.db import session
from tests.appstate.postgres import Unavailable, running_server

# Every app-state test that takes `db` (or `appstate_url`) runs on each backend; on PostgreSQL it
# is slow (it needs the cluster: tests/conftest.py).
BACKENDS = ("sqlite", pytest.param("postgresql", marks=pytest.mark.slow))
# Tests that open the SQLite file itself, below SQLAlchemy: they run on SQLite only, and
# test_postgres.py checks the same thing on PostgreSQL.
SQLITE_ONLY = {"test_a_password_is_stored_only_as_an_argon2_hash"}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "appstate_backend" in metafunc.fixturenames:
        backends = BACKENDS[:1] if metafunc.function.__name__ in SQLITE_ONLY else BACKENDS
        metafunc.parametrize("appstate_backend", backends, indirect=True)


@pytest.fixture(scope="session")
def postgresql_server():
    """One throwaway PostgreSQL server on 127.0.0.1 for the whole run (see tests/appstate/postgres.py)."""
    try:
        with running_server() as server:
            yield server
    except Unavailable as why:
        pytest.skip(f"PostgreSQL app-state tests skipped: {why}")


@pytest.fixture
def postgresql_url(postgresql_server) -> str:
    """The SQLAlchemy URL of a new, empty PostgreSQL schema (its own search path), dropped after the test."""
    with postgresql_server.fresh_schema() as url:
        yield url


@pytest.fixture
def appstate_backend(request) -> str:
    return request.param


@pytest.fixture
def appstate_url(appstate_backend, tmp_path, request) -> str:
    """A fresh, empty app-state database's URL: SQLite in a temporary folder, or PostgreSQL."""
    if appstate_backend == "sqlite":
        return f"sqlite:///{tmp_path / 'appstate.sqlite'}"
    return request.getfixturevalue("postgresql_url")


@pytest.fixture
def db(appstate_url):
    """A session on a fresh app-state database, on each backend in turn."""
    with session(appstate_url) as db:
        yield db
