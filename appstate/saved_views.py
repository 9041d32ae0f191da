"""Saved views: a named filter set, kept as the page path and query string a link would carry.

A view is saved by one user and is either theirs alone or shared with everyone who can see the
dashboards. Opening one is opening its link, so the filters are checked against the viewer's
own scope like any other URL: sharing a view never shares data.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import Boolean, DateTime, Integer, String, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from appstate.commentary import clean_text
from appstate.db import Base

MAX_NAME = 120
MAX_PATH, MAX_QUERY = 200, 2000


class SavedView(Base):
    __tablename__ = "saved_view"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME))
    path: Mapped[str] = mapped_column(String(MAX_PATH))
    query: Mapped[str] = mapped_column(String(MAX_QUERY))
    owner: Mapped[str] = mapped_column(String(120), index=True)
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    saved_at: Mapped[datetime] = mapped_column(DateTime)

    @property
    def href(self) -> str:
        return self.path + self.query


def save_view(session: Session, name: str, path: str, query: str, owner: str, shared: bool = False) -> SavedView:
    name = clean_text(name).replace("\n", " ")
    if not name:
        raise ValueError("a saved view needs a name")
    if len(name) > MAX_NAME:
        raise ValueError(f"a view's name is limited to {MAX_NAME} characters")
    # Only a path within this app: a saved "view" must never become a link to another site.
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or not path.startswith("/") or path.startswith("//"):
        raise ValueError(f"'{path}' is not a page of this dashboard")
    query = query if query.startswith("?") or not query else "?" + query
    if len(parts.path) > MAX_PATH or len(query) > MAX_QUERY:
        raise ValueError(f"a saved view's address is limited to {MAX_PATH} characters of page and {MAX_QUERY:,} of "
                         "filters")
    view = SavedView(name=name, path=parts.path, query=query, owner=owner, shared=shared, saved_at=datetime.now())
    session.add(view)
    session.commit()
    return view


def views_for(session: Session, username: str) -> list[SavedView]:
    """The user's own views and those others shared, by name."""
    return list(session.scalars(
        select(SavedView).where(or_(SavedView.owner == username, SavedView.shared.is_(True)))
        .order_by(SavedView.name, SavedView.id)
    ))


def delete_view(session: Session, view_id: int, username: str) -> None:
    view = session.get(SavedView, view_id)
    if view is None or view.owner != username:
        raise ValueError("only the person who saved a view can delete it")
    session.delete(view)
    session.commit()
