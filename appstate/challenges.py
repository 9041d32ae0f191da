"""The challenge log: questions the partnership puts to an agency about a KPI, and the answers.

An entry is raised against a KPI, an agency or both, with an owner and a due date, and moves from
open to answered (with a response) to closed. Every change is kept as an update row, so the log
shows who answered or closed what and when; the entry itself holds its current state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from appstate.audit import record
from appstate.commentary import clean_text
from appstate.db import Base
from warehouse.kpis.registry import get_kpi

MAX_LENGTH = 4000
MAX_NAME = 120  # an owner or an agency


class Status(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"


class Challenge(Base):
    __tablename__ = "challenge"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    la_code: Mapped[str] = mapped_column(String(9), index=True)
    kpi_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    agency: Mapped[str | None] = mapped_column(String(120), nullable=True)
    question: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(120))
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=Status.OPEN.value)
    response: Mapped[str] = mapped_column(Text, default="")
    raised_by: Mapped[str] = mapped_column(String(120))
    raised_at: Mapped[datetime] = mapped_column(DateTime)
    updates: Mapped[list[ChallengeUpdate]] = relationship(order_by="ChallengeUpdate.id", lazy="selectin")

    def is_overdue(self, today: date) -> bool:
        """Still open past its due date: an answered entry waits on the partnership, not the agency."""
        return self.status == Status.OPEN.value and self.due_date < today


class ChallengeUpdate(Base):
    __tablename__ = "challenge_update"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    by: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(DateTime)


def checked_text(value: str, what: str, required: bool = True, limit: int = MAX_LENGTH) -> str:
    """Typed text cleaned (appstate/commentary.py), required unless told, and within its limit."""
    cleaned = clean_text(value or "")
    if required and not cleaned:
        raise ValueError(f"{what} is required")
    if len(cleaned) > limit:
        raise ValueError(f"{what} is limited to {limit:,} characters; this has {len(cleaned):,}")
    return cleaned


def raise_challenge(
    session: Session,
    la_code: str,
    question: str,
    owner: str,
    due_date: date,
    raised_by: str,
    kpi_id: str | None = None,
    agency: str | None = None,
) -> Challenge:
    if not (kpi_id or agency):
        raise ValueError("a challenge is raised against a KPI, an agency or both: name at least one")
    if kpi_id:
        get_kpi(kpi_id)
    now = datetime.now()
    entry = Challenge(
        la_code=la_code,
        kpi_id=kpi_id or None,
        agency=checked_text(agency or "", "the agency", False, MAX_NAME) or None,
        question=checked_text(question, "the question"),
        owner=checked_text(owner, "the owner", limit=MAX_NAME),
        due_date=due_date,
        status=Status.OPEN.value,
        response="",
        raised_by=raised_by,
        raised_at=now,
    )
    session.add(entry)
    session.flush()
    session.add(
        ChallengeUpdate(challenge_id=entry.id, status=Status.OPEN.value, note="raised", by=raised_by, at=now)
    )
    session.flush()  # the change and its audit row are committed together, by record
    record(
        session,
        raised_by,
        "challenge_raised",
        subject=f"challenge {entry.id} ({la_code})",
        kpi=kpi_id,
        agency=agency,
        owner=entry.owner,
        due=due_date,
    )
    return entry


def _move(session: Session, challenge_id: int, status: Status, note: str, by: str) -> Challenge:
    entry = session.get(Challenge, challenge_id)
    if entry is None:
        raise ValueError(f"there is no challenge {challenge_id}")
    if entry.status == Status.CLOSED.value:
        raise ValueError(f"challenge {challenge_id} is closed: raise a new one to take it further")
    entry.status = status.value
    session.add(
        ChallengeUpdate(challenge_id=entry.id, status=status.value, note=note, by=by, at=datetime.now())
    )
    session.flush()  # the change and its audit row are committed together, by record
    record(session, by, f"challenge_{status.value}", subject=f"challenge {entry.id} ({entry.la_code})")
    session.refresh(entry)
    return entry


def answer_challenge(session: Session, challenge_id: int, response: str, by: str) -> Challenge:
    text = checked_text(response, "the response")
    entry = session.get(Challenge, challenge_id)
    if entry is not None:
        entry.response = text
    return _move(session, challenge_id, Status.ANSWERED, text, by)


def close_challenge(session: Session, challenge_id: int, by: str, note: str = "") -> Challenge:
    return _move(session, challenge_id, Status.CLOSED, checked_text(note, "the note", required=False), by)


@dataclass(frozen=True)
class ChallengeQuery:
    """Which entries to list; empty fields match everything."""

    la_codes: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    kpi_id: str | None = None
    agency: str | None = None
    agencies: tuple[str, ...] = ()  # a partner's agencies: only entries raised against one of them,
    kpi_ids: tuple[str, ...] = ()  # or (with agencies) about one of these KPIs (its agencies')
    overdue_only: bool = False


def list_challenges(session: Session, query: ChallengeQuery, today: date) -> list[Challenge]:
    statement = select(Challenge).order_by(Challenge.due_date, Challenge.id)
    if query.la_codes:
        statement = statement.where(Challenge.la_code.in_(query.la_codes))
    if query.status:
        statement = statement.where(Challenge.status.in_(query.status))
    if query.kpi_id:
        statement = statement.where(Challenge.kpi_id == query.kpi_id)
    if query.agency:
        statement = statement.where(Challenge.agency == query.agency)
    if query.agencies:
        statement = statement.where(
            or_(Challenge.agency.in_(query.agencies), Challenge.kpi_id.in_(query.kpi_ids))
        )
    found = list(session.scalars(statement))
    return [c for c in found if c.is_overdue(today)] if query.overdue_only else found
