"""The app-state database: engine, tables and sessions."""

from __future__ import annotations

import os
import threading
from functools import cache

from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from warehouse.settings import get_settings


class Base(DeclarativeBase):
    pass


def database_url() -> str:
    """SAFEGUARD_APPSTATE_URL, else a SQLite file beside the warehouse."""
    url = os.environ.get("SAFEGUARD_APPSTATE_URL")
    if url:
        return url
    settings = get_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{settings.home / 'appstate.sqlite'}"


_CREATING = threading.Lock()


@cache
def _engine(url: str) -> Engine:
    engine = create_engine(url)
    # Importing the models registers their tables on Base.metadata.
    from appstate import audit, challenges, commentary, saved_views, targets, users  # noqa: F401

    try:
        Base.metadata.create_all(engine)
    except (OperationalError, ProgrammingError):
        # Another process (a second server worker) created the tables between our check and
        # our CREATE: what it made is what we wanted, so check again and go on.
        Base.metadata.create_all(engine)
    return engine


def engine_for(url: str) -> Engine:
    """One engine per URL, its tables made on first use; the first requests of a threaded
    server arrive together, and only one of them may create the tables."""
    with _CREATING:
        return _engine(url)


def session(url: str | None = None) -> Session:
    """A session on the app-state database (`url`, else the configured one)."""
    return sessionmaker(engine_for(url or database_url()), expire_on_commit=False)()
