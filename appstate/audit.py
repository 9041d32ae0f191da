"""The audit log: sign-ins, exports, changes to targets, commentary and challenges, and loads.

Rows are only ever added. Each names who, what, when and from where, with the details that
matter for that action (an export's filters and row count, a target's value). Admins read it on
the audit page; nothing in the app edits or deletes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from appstate.db import Base


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    username: Mapped[str] = mapped_column(String(120), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    subject: Mapped[str] = mapped_column(String(500), default="")
    rows: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    address: Mapped[str] = mapped_column(String(64), default="")


def _storable(text: str, limit: int | None = None) -> str:
    """Text every database stores: no NUL (PostgreSQL refuses it), cut to its column's length.
    A refused sign-in's typed username is logged, so it may hold anything."""
    cleaned = text.replace("\x00", "\\0")
    return cleaned[:limit] if limit else cleaned


def record(
    session: Session,
    username: str,
    action: str,
    subject: str = "",
    rows: int | None = None,
    address: str = "",
    **detail: object,
) -> AuditEvent:
    event = AuditEvent(
        at=datetime.now(),
        username=_storable(username, 120),
        action=action,
        subject=_storable(subject, 500),
        rows=rows,
        detail=_storable(json.dumps(detail, default=str, sort_keys=True)),
        address=_storable(address, 64),
    )
    session.add(event)
    session.commit()
    return event


@dataclass(frozen=True)
class AuditQuery:
    actions: tuple[str, ...] = ()
    username: str | None = None
    limit: int = 1000


def recent_events(session: Session, query: AuditQuery = AuditQuery()) -> list[AuditEvent]:
    statement = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(query.limit)
    if query.actions:
        statement = statement.where(AuditEvent.action.in_(query.actions))
    if query.username:
        statement = statement.where(AuditEvent.username == query.username)
    return list(session.scalars(statement))
