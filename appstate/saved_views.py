"""Saved views: a named filter set, kept as the page path and query string a link would carry.

A view is saved by one user and is either theirs alone or shared with their audience: the users
of the same role in the same partnership (the same set of LAs) as the sharer when they shared
it, and nobody else. Opening one is opening its link, so the filters are checked against the
viewer's own scope like any other URL: sharing a view never shares data. (A view shared before
audiences were kept has none, so it is its owner's alone until shared again.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, and_, delete, false, or_, select
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


class SavedViewAudience(Base):
    """Whom a shared view is shared with. A table of its own, so app states made before it gain
    it from create_all without a change to saved_view."""

    __tablename__ = "saved_view_audience"

    view_id: Mapped[int] = mapped_column(ForeignKey("saved_view.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    la_codes: Mapped[str] = mapped_column(String(2000))  # sorted, comma-separated; empty: every LA


@dataclass(frozen=True)
class Audience:
    """A role in a partnership: the users a view is shared with, and the user a list is for."""

    role: str
    la_codes: tuple[str, ...]

    @property
    def la_key(self) -> str:
        return ",".join(sorted(self.la_codes))


def save_view(
    session: Session,
    name: str,
    path: str,
    query: str,
    owner: str,
    shared: bool = False,
    audience: Audience | None = None,
) -> SavedView:
    """A new view; a shared one is shared with `audience` (the sharer's role and partnership)."""
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
        raise ValueError(
            f"a saved view's address is limited to {MAX_PATH} characters of page and {MAX_QUERY:,} of filters"
        )
    if shared and audience is None:
        raise ValueError("a shared view needs the role and partnership it is shared with")
    view = SavedView(
        name=name, path=parts.path, query=query, owner=owner, shared=shared, saved_at=datetime.now()
    )
    session.add(view)
    session.flush()
    if shared and audience is not None:  # checked above: a shared view has an audience
        session.add(SavedViewAudience(view_id=view.id, role=audience.role, la_codes=audience.la_key))
    session.commit()
    return view


def views_for(session: Session, username: str, audience: Audience | None = None) -> list[SavedView]:
    """The user's own views and those shared with their role and partnership, by name."""
    shared_with_them = (
        and_(
            SavedView.shared.is_(True),
            SavedViewAudience.role == audience.role,
            SavedViewAudience.la_codes == audience.la_key,
        )
        if audience
        else false()
    )
    return list(
        session.scalars(
            select(SavedView)
            .outerjoin(SavedViewAudience, SavedViewAudience.view_id == SavedView.id)
            .where(or_(SavedView.owner == username, shared_with_them))
            .order_by(SavedView.name, SavedView.id)
        )
    )


def delete_view(session: Session, view_id: int, username: str) -> None:
    view = session.get(SavedView, view_id)
    if view is None or view.owner != username:
        raise ValueError("only the person who saved a view can delete it")
    session.execute(delete(SavedViewAudience).where(SavedViewAudience.view_id == view_id))
    session.delete(view)
    session.commit()
