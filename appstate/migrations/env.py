"""Alembic's entry point for app state. It runs on the connection appstate/db.py `upgrade` hands it
(inside that connection's transaction and lock); `alembic -c appstate/alembic.ini` works too."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from appstate import (  # noqa: F401  (the tables)
    actions,
    audit,
    challenges,
    commentary,
    meetings,
    reviews,
    risks,
    saved_views,
    targets,
    throttle,
    users,
)
from appstate.db import Base, database_url

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # the alembic command line: the configured app state
    with create_engine(database_url()).begin() as own:
        context.configure(connection=own, target_metadata=Base.metadata, render_as_batch=True)
        context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    context.run_migrations()
