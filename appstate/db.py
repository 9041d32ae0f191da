"""The app-state database: engine, tables and sessions."""

from __future__ import annotations

import os
from functools import cache

from sqlalchemy import Engine, create_engine
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


@cache
def engine_for(url: str) -> Engine:
    engine = create_engine(url)
    # Importing the models registers their tables on Base.metadata.
    from appstate import targets  # noqa: F401

    Base.metadata.create_all(engine)
    return engine


def session(url: str | None = None) -> Session:
    """A session on the app-state database (`url`, else the configured one)."""
    return sessionmaker(engine_for(url or database_url()), expire_on_commit=False)()
