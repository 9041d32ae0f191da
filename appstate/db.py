"""The app-state database: engine, tables and sessions."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import NullPool

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
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        # A SQLite file holds password hashes: made owner-only before SQLite makes it (its journal
        # takes the same mode). Each session opens the file afresh (no pool), so after a restore
        # swaps the file in, every server process reads the restored one at its next request.
        owner_only_file(Path(url.removeprefix("sqlite:///")))
        engine = create_engine(url, poolclass=NullPool)
    else:
        # A database server (PostgreSQL) may have closed a pooled connection since it was last
        # used (a restart, an idle timeout): test each one as it is taken, not on a user's request.
        engine = create_engine(url, pool_pre_ping=True)
    # Importing the models registers their tables on Base.metadata.
    from appstate import audit, challenges, commentary, saved_views, targets, throttle, users  # noqa: F401

    try:
        _create_tables(engine)
    except (IntegrityError, OperationalError, ProgrammingError):
        # Another process (a second server worker) created the tables between our check and
        # our CREATE: what it made is what we wanted, so check again and go on. (PostgreSQL
        # reports a CREATE TABLE that lost such a race as an IntegrityError on its catalog.)
        _create_tables(engine)
    _engines[url] = engine
    return engine


# The key of the PostgreSQL advisory lock under which app state creates its tables (any number).
_CREATE_TABLES_LOCK = 7_150_012_026


def _create_tables(engine: Engine) -> None:
    """The missing tables, in one transaction. On PostgreSQL the processes that start together
    queue on a lock held until the first one's CREATEs commit, so the others find them made."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CREATE_TABLES_LOCK})
        Base.metadata.create_all(connection)


def insert_if_missing(session: Session, model: type[Base], **values: object) -> None:
    """A row of `model` with `values`, unless one with the same key is there already: one
    statement that two processes may run at once (the counters below update it atomically)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(model).values(**values).on_conflict_do_nothing())


def engine_for(url: str) -> Engine:
    """One engine per URL, its tables made on first use; the first requests of a threaded
    server arrive together, and only one of them may create the tables."""
    with _CREATING:
        return _engine(url)


def session(url: str | None = None) -> Session:
    """A session on the app-state database (`url`, else the configured one)."""
    return sessionmaker(engine_for(url or database_url()), expire_on_commit=False)()


def forget_engines() -> None:
    """Drop the pooled connections (after a restore replaced the SQLite file under them)."""
    with _CREATING:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
