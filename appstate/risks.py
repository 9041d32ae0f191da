"""The risk register: the risks to the partnership's safeguarding system, how each is scored, who
owns it, what controls it, and which KPIs and actions bear on it.

A risk is about the partnership's system (a service, a process, capacity), never about a child:
its description is free text that the board writes, like commentary. Its owner is a post holder.

A risk is scored likelihood x impact, each 1 to 5. Every scoring (the first, and every review
since) is a new `RiskScore` row with who, when, why and the next review date; no score is ever
edited, so the history shows how the risk moved. What the register shows of the scores (the
current and previous score, the movement, the band, whether the review is overdue) is worked out
here only, so the page, the heat map and the downloads all say the same.

Bands: 1-4 low, 5-9 medium, 10-16 high, 20-25 very high, rather than the NHS's common 5x5 bands.
Every score the 5x5 grid can make falls in exactly one band (7, 11, 13, 14, 17-19 and 21-24
cannot occur); each band ends at a square (4, 9, 16, 25), so a risk scored the same for likelihood
and impact tops its band; and a risk is very high only when both are 4 or more. The NHS's bands
(the NPSA's 1-3 low, 4-6 moderate, 8-12 high, 15-25 extreme) would put a possible but severe risk
(3 x 5) in the top band beside one that is almost certain and severe (5 x 5); the board's "very
high" is kept for the risks it must act on now.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, DateTime, ForeignKey, Integer, Select, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from appstate.actions import Action
from appstate.audit import record
from appstate.challenges import MAX_NAME, checked_text
from appstate.db import Base
from warehouse.kpis.registry import REGISTRY

MAX_TITLE = 300
SCALE = range(1, 6)  # likelihood and impact are each 1 (lowest) to 5 (highest)
SCORES = tuple(sorted({likelihood * impact for likelihood in SCALE for impact in SCALE}))  # 1 ... 25
LIKELIHOOD = {1: "rare", 2: "unlikely", 3: "possible", 4: "likely", 5: "almost certain"}
IMPACT = {1: "negligible", 2: "minor", 3: "moderate", 4: "major", 5: "severe"}


class Band(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very high"


# The highest score in each band, lowest band first (see the module's docstring for why).
BAND_TOPS = ((4, Band.LOW), (9, Band.MEDIUM), (16, Band.HIGH), (25, Band.VERY_HIGH))


class Movement(StrEnum):
    NEW = "new"  # scored once: nothing to compare
    UP = "up"
    DOWN = "down"
    SAME = "same"


class RiskStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


def band_ranges() -> list[tuple[int, int, Band]]:
    """Each band's lowest and highest score that the grid can make: (1, 4, low) ... (20, 25, very high)."""
    ranges, below = [], 0
    for top, named in BAND_TOPS:
        ranges.append((min(s for s in SCORES if s > below), top, named))
        below = top
    return ranges


def band(score: int) -> Band:
    """The band of a likelihood x impact score (1-25)."""
    for top, named in BAND_TOPS:
        if 1 <= score <= top:
            return named
    raise ValueError(f"a risk's score is 1 to 25; not {score!r}")


def movement(current: int, previous: int | None) -> Movement:
    """How the score moved at its last review."""
    if previous is None:
        return Movement.NEW
    if current > previous:
        return Movement.UP
    return Movement.DOWN if current < previous else Movement.SAME


def is_review_overdue(status: str, review_date: date, today: date) -> bool:
    """Past its review date and still open: a closed risk is no longer reviewed."""
    return status == RiskStatus.OPEN.value and review_date < today


class Risk(Base):
    __tablename__ = "risk"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    la_code: Mapped[str] = mapped_column(String(9), index=True)
    title: Mapped[str] = mapped_column(String(MAX_TITLE))
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(MAX_NAME))  # a post holder
    agency: Mapped[str] = mapped_column(String(MAX_NAME), index=True)  # the owning agency
    controls: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=RiskStatus.OPEN.value)
    closed_note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    kpis: Mapped[list[RiskKpi]] = relationship(order_by="RiskKpi.kpi_id", lazy="selectin")
    actions: Mapped[list[RiskAction]] = relationship(order_by="RiskAction.action_id", lazy="selectin")
    scores: Mapped[list[RiskScore]] = relationship(order_by="RiskScore.id", lazy="selectin")

    @property
    def kpi_ids(self) -> tuple[str, ...]:
        return tuple(link.kpi_id for link in self.kpis)

    @property
    def action_ids(self) -> tuple[int, ...]:
        return tuple(link.action_id for link in self.actions)

    @property
    def current(self) -> RiskScore:
        return self.scores[-1]  # a risk is scored when it is added

    @property
    def previous(self) -> RiskScore | None:
        return self.scores[-2] if len(self.scores) > 1 else None

    @property
    def score(self) -> int:
        return self.current.score

    @property
    def previous_score(self) -> int | None:
        return self.previous.score if self.previous else None

    @property
    def band(self) -> Band:
        return band(self.score)

    @property
    def movement(self) -> Movement:
        return movement(self.score, self.previous_score)

    @property
    def review_date(self) -> date:
        """The next review, as set at the latest scoring."""
        return self.current.review_date

    def is_review_overdue(self, today: date) -> bool:
        return is_review_overdue(self.status, self.review_date, today)


class RiskKpi(Base):
    """A KPI that shows whether the risk is coming about."""

    __tablename__ = "risk_kpi"

    risk_id: Mapped[int] = mapped_column(ForeignKey("risk.id"), primary_key=True)
    kpi_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class RiskAction(Base):
    """An action (appstate/actions.py) that reduces the risk."""

    __tablename__ = "risk_action"

    risk_id: Mapped[int] = mapped_column(ForeignKey("risk.id"), primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), primary_key=True)


class RiskScore(Base):
    """One scoring of a risk: never edited; a review adds another."""

    __tablename__ = "risk_score"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risk.id"), index=True)
    likelihood: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    review_date: Mapped[date] = mapped_column(Date)  # the next review, set at this one
    by: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(DateTime)

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


def _checked_scale(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
        raise ValueError(f"{what} is 1 to 5; not {value!r}")
    return value


def _kpi_ids(kpi_ids: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    unknown = [k for k in kpi_ids if k not in REGISTRY]
    if unknown:
        raise ValueError(f"there is no KPI {unknown[0]!r} to link the risk to")
    return tuple(dict.fromkeys(kpi_ids))


def _action_ids(session: Session, la_code: str, action_ids: list[int] | tuple[int, ...]) -> tuple[int, ...]:
    """The actions, each an existing action of the risk's LA, once each."""
    for action_id in action_ids:
        action = session.get(Action, action_id)
        if action is None or action.la_code != la_code:
            raise ValueError(f"there is no action {action_id} of this local authority to link the risk to")
    return tuple(dict.fromkeys(action_ids))


def _subject(risk: Risk) -> str:
    return f"risk {risk.id} ({risk.la_code}, {risk.agency})"


def _score_row(
    risk_id: int, likelihood: int, impact: int, reason: str, review_date: date, by: str
) -> RiskScore:
    return RiskScore(
        risk_id=risk_id,
        likelihood=_checked_scale(likelihood, "the likelihood"),
        impact=_checked_scale(impact, "the impact"),
        reason=checked_text(reason, "the reason for the score"),
        review_date=review_date,
        by=by,
        at=datetime.now(),
    )


def add_risk(
    session: Session,
    la_code: str,
    title: str,
    description: str,
    owner: str,
    agency: str,
    controls: str,
    likelihood: int,
    impact: int,
    review_date: date,
    created_by: str,
    reason: str = "first scored",
    kpi_ids: list[str] | tuple[str, ...] = (),
    action_ids: list[int] | tuple[int, ...] = (),
) -> Risk:
    """A new risk with its first score; the risk, its links, its score and the audit row are
    committed together."""
    kpis = _kpi_ids(kpi_ids)
    actions = _action_ids(session, la_code, action_ids)
    risk = Risk(
        la_code=la_code,
        title=checked_text(title, "the risk", limit=MAX_TITLE),
        description=checked_text(description, "the description"),
        owner=checked_text(owner, "the owner", limit=MAX_NAME),
        agency=checked_text(agency, "the owning agency", limit=MAX_NAME),
        controls=checked_text(controls, "the controls"),
        status=RiskStatus.OPEN.value,
        created_by=created_by,
        created_at=datetime.now(),
    )
    first = _score_row(0, likelihood, impact, reason, review_date, created_by)  # checked before adding
    session.add(risk)
    session.flush()
    first.risk_id = risk.id
    session.add(first)
    session.add_all([RiskKpi(risk_id=risk.id, kpi_id=kpi_id) for kpi_id in kpis])
    session.add_all([RiskAction(risk_id=risk.id, action_id=action_id) for action_id in actions])
    session.flush()  # the change and its audit row are committed together, by record
    record(
        session,
        created_by,
        "risk_added",
        subject=_subject(risk),
        title=risk.title,
        owner=risk.owner,
        likelihood=first.likelihood,
        impact=first.impact,
        review=review_date,
        kpis=list(kpis),
        actions=list(actions),
    )
    session.refresh(risk)
    return risk


def _open_risk(session: Session, risk_id: int) -> Risk:
    risk = session.get(Risk, risk_id)
    if risk is None:
        raise ValueError(f"there is no risk {risk_id}")
    if risk.status != RiskStatus.OPEN.value:
        raise ValueError(f"risk {risk_id} is {risk.status}: add it again to take it further")
    return risk


def rescore_risk(
    session: Session, risk_id: int, likelihood: int, impact: int, reason: str, review_date: date, by: str
) -> Risk:
    """A review: a new score (the same score is a review too), why, and the next review date."""
    risk = _open_risk(session, risk_id)
    previous = risk.score
    row = _score_row(risk.id, likelihood, impact, reason, review_date, by)
    session.add(row)
    session.flush()  # the change and its audit row are committed together, by record
    record(
        session,
        by,
        "risk_rescored",
        subject=_subject(risk),
        likelihood=row.likelihood,
        impact=row.impact,
        previous=previous,
        reason=row.reason,
        review=review_date,
    )
    session.refresh(risk)
    return risk


def close_risk(session: Session, risk_id: int, reason: str, by: str) -> Risk:
    """A risk the partnership no longer holds, and why; its scores stay."""
    text = checked_text(reason, "the reason for closing it")
    risk = _open_risk(session, risk_id)
    risk.status = RiskStatus.CLOSED.value
    risk.closed_note = text
    session.flush()  # the change and its audit row are committed together, by record
    record(session, by, "risk_closed", subject=_subject(risk), reason=text)
    session.refresh(risk)
    return risk


@dataclass(frozen=True)
class RiskQuery:
    """Which risks to list; empty fields match everything."""

    la_codes: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()  # a partner's agencies: only the risks those agencies own
    status: tuple[str, ...] = ()


def _statement(query: RiskQuery) -> Select[Risk]:
    statement = select(Risk).order_by(Risk.id)
    if query.la_codes:
        statement = statement.where(Risk.la_code.in_(query.la_codes))
    if query.agencies:
        statement = statement.where(Risk.agency.in_(query.agencies))
    if query.status:
        statement = statement.where(Risk.status.in_(query.status))
    return statement


def list_risks(session: Session, query: RiskQuery) -> list[Risk]:
    """The risks, highest score first (the register's order), then oldest first."""
    return sorted(session.scalars(_statement(query)), key=lambda risk: -risk.score)


def heat_map(risks: list[Risk]) -> dict[tuple[int, int], list[Risk]]:
    """The risks in each cell of the grid, by (likelihood, impact) of their current score."""
    cells: dict[tuple[int, int], list[Risk]] = defaultdict(list)
    for risk in risks:
        cells[(risk.current.likelihood, risk.current.impact)].append(risk)
    return dict(cells)
