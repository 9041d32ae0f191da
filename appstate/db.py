"""The app-state database: engine, migrations and sessions.

The tables are defined by the models (appstate/*.py) and made by Alembic revisions
(appstate/migrations/versions): each release's change to them is a revision that keeps every row.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, CursorResult, Engine, Update, create_engine, event, inspect, text
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from warehouse.settings import environment, get_settings, owner_only_dir, owner_only_file


class Base(DeclarativeBase):
    pass


def database_url() -> str:
    """SAFEGUARD_APPSTATE_URL, else a SQLite file beside the warehouse."""
    url = environment().appstate_url
    if url:
        return url
    settings = get_settings()
    owner_only_dir(settings.home)
    return f"sqlite:///{settings.home / 'appstate.sqlite'}"


_CREATING = threading.Lock()


_engines: dict[str, Engine] = {}


def _engine(url: str) -> Engine:
    if url in _engines:
        return _engines[url]
    engine = _new_engine(url)
    upgrade(engine)
    _engines[url] = engine
    return engine


def _new_engine(url: str) -> Engine:
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        # A SQLite file holds password hashes: made owner-only before SQLite makes it (its journal
        # takes the same mode).
        path = Path(url.removeprefix("sqlite:///"))
        owner_only_file(path)
        engine = create_engine(url, pool_size=POOLED_CONNECTIONS)
        _reconnect_when_replaced(engine, path)
    else:
        # A database server (PostgreSQL) may have closed a pooled connection since it was last
        # used (a restart, an idle timeout): test each one as it is taken, not on a user's request.
        engine = create_engine(url, pool_pre_ping=True)
    return engine


# A server process's threads (the Dockerfile's gunicorn runs four a worker) each hold one at a time.
POOLED_CONNECTIONS = 4


def _file_identity(path: Path) -> tuple[int, int] | None:
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino


def _reconnect_when_replaced(engine: Engine, path: Path) -> None:
    """Pooled connections, each given out only while the file it opened is still the one at `path`.

    A restore swaps a new app-state file in (etl/backup.py), and every server process must read it
    at its next request: a connection to the file it replaced is dropped as it is taken, and a new
    one opened. Opening a connection for every session instead cost a request about a millisecond
    and a half. The file is looked at before the connection opens: if it is swapped between the two,
    the connection is on the newer file and is merely opened once more."""

    @event.listens_for(engine, "do_connect")
    def remember_file(dialect: object, record: Any, cargs: object, cparams: object) -> None:
        record.info["file"] = _file_identity(path)

    @event.listens_for(engine, "checkout")
    def same_file(dbapi_connection: object, record: Any, proxy: object) -> None:
        if record.info.get("file") != _file_identity(path):
            raise DisconnectionError(f"{path} was replaced (a restore): reconnecting")


MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The tables as the releases before migrations made them: such an install is stamped with this.
BASELINE_REVISION = "0001"
# The key of the PostgreSQL advisory lock under which app state is migrated (any number).
_MIGRATION_LOCK = 7_150_012_026


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction, held by one process at a time: on PostgreSQL an advisory lock
    kept until the transaction ends, so every server and worker queues on the first one's
    migration; on SQLite a lock on a file beside the database."""
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        lock_path = Path(f"{engine.url.database}.migrate.lock")
        with open(lock_path, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                with engine.begin() as connection:
                    yield connection
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        yield connection


def revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str | None]:
    """App state brought to the newest revision (appstate/migrations/versions), keeping every row;
    (before, after). Run by every process at its first use of the database, and by `safeguard
    upgrade`: whoever comes first migrates, the others wait and find it done. An install from
    before migrations (tables, no alembic_version) is taken to be at the baseline."""
    with _migrating(engine) as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.attributes["connection"] = connection
        before = revision(connection)
        if before is None and inspect(connection).has_table("user_account"):
            command.stamp(config, BASELINE_REVISION)
            before = BASELINE_REVISION
        command.upgrade(config, "head")
        return before, revision(connection)


def insert_if_missing(session: Session, model: type[Base], **values: object) -> None:
    """A row of `model` with `values`, unless one with the same key is there already: one
    statement that two processes may run at once (the counters below update it atomically)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        session.execute(postgresql.insert(model).values(**values).on_conflict_do_nothing())
    else:
        from sqlalchemy.dialects import sqlite

        session.execute(sqlite.insert(model).values(**values).on_conflict_do_nothing())


def rows_updated(session: Session, statement: Update) -> int:
    """Run an UPDATE and say how many rows it changed (the counters below claim a row this way)."""
    result = session.execute(statement)
    assert isinstance(result, CursorResult)  # what an UPDATE always returns; the Session's signature is wider
    return result.rowcount


def upgrade_database(url: str | None = None) -> tuple[str | None, str | None]:
    """`upgrade` for `safeguard upgrade`: the configured app state, or the one at `url`."""
    engine = _new_engine(url or database_url())
    try:
        return upgrade(engine)
    finally:
        engine.dispose()


def engine_for(url: str) -> Engine:
    """One engine per URL, migrated on first use; the first requests of a threaded server arrive
    together, and only one of them may migrate."""
    with _CREATING:
        return _engine(url)


def session(url: str | None = None) -> Session:
    """A session on the app-state database (`url`, else the configured one)."""
    return _sessions(engine_for(url or database_url()))()


@cache
def _sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def forget_engines() -> None:
    """Drop the engines and their pooled connections (a restore replaced the SQLite file under them)."""
    with _CREATING:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _sessions.cache_clear()


def close_idle_connections() -> None:
    """Close the pooled connections no session is using; the engines open new ones when asked."""
    with _CREATING:
        for engine in _engines.values():
            engine.dispose()


def _pools_emptied_in_a_forked_child() -> None:
    """A process forked from one that had opened connections must not share them."""
    for engine in _engines.values():
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_pools_emptied_in_a_forked_child)
