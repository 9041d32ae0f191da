"""The action tracker: actions from the business plan, practice reviews, audits and board meetings.

Each action has a lead agency and a named lead (a post holder: staff, never a child), a due date,
a success measure and the KPIs that would show it worked. Its lead reports progress each quarter
on the partnership's 1 (poor) to 4 (strong or complete) scale, with a note; every update is kept
as a row, so the history shows who said what and when, and the action holds its current state.

Whether an action is overdue or drifting is worked out here only (`is_overdue`, `is_drifting`), so
the page, the exports and the KPI cards all say the same.
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, DateTime, ForeignKey, Integer, Select, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from appstate.audit import record
from appstate.challenges import MAX_NAME, checked_text
from appstate.db import Base
from warehouse.kpis.registry import get_kpi

MAX_TITLE = 300
PROGRESS_SCALE = {1: "poor", 2: "some progress", 3: "good progress", 4: "strong or complete"}
QUARTER_MONTHS = 3
LOW_PROGRESS = (1, 2)  # two such updates running is drift


class SourceKind(StrEnum):
    BUSINESS_PLAN = "business plan priority"
    PRACTICE_REVIEW = "practice review"
    AUDIT = "audit"
    BOARD_MEETING = "board meeting"


class Status(StrEnum):
    OPEN = "open"
    COMPLETE = "complete"
    DROPPED = "dropped"


class Action(Base):
    __tablename__ = "action"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    la_code: Mapped[str] = mapped_column(String(9), index=True)
    title: Mapped[str] = mapped_column(String(MAX_TITLE))
    source_kind: Mapped[str] = mapped_column(String(40))
    source_ref: Mapped[str] = mapped_column(String(MAX_TITLE))  # the priority, review or meeting
    agency: Mapped[str] = mapped_column(String(MAX_NAME), index=True)  # the lead agency
    lead: Mapped[str] = mapped_column(String(MAX_NAME))  # the named lead: a post holder
    due_date: Mapped[date] = mapped_column(Date)
    success_measure: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=Status.OPEN.value)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    kpis: Mapped[list[ActionKpi]] = relationship(order_by="ActionKpi.kpi_id", lazy="selectin")
    updates: Mapped[list[ActionUpdate]] = relationship(order_by="ActionUpdate.id", lazy="selectin")

    @property
    def kpi_ids(self) -> tuple[str, ...]:
        return tuple(link.kpi_id for link in self.kpis)

    @property
    def progress_updates(self) -> list[ActionUpdate]:
        return [u for u in self.updates if u.progress is not None]

    @property
    def progress(self) -> int | None:
        """The latest progress reported, on the 1-4 scale; None before the first update."""
        updates = self.progress_updates
        return updates[-1].progress if updates else None

    def is_overdue(self, today: date) -> bool:
        return is_overdue(self.status, self.due_date, today)

    def is_drifting(self, today: date) -> bool:
        return is_drifting(
            self.status,
            self.created_at.date(),
            [(u.at.date(), u.progress) for u in self.updates if u.progress is not None],
            today,
        )


class ActionKpi(Base):
    """A KPI that would show whether the action worked."""

    __tablename__ = "action_kpi"

    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), primary_key=True)
    kpi_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class ActionUpdate(Base):
    """A quarterly progress report (progress 1-4 and a note), or a change of status."""

    __tablename__ = "action_update"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    progress: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    by: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(DateTime)


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier, or that month's last day (31 May -> 28 Feb)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def is_overdue(status: str, due_date: date, today: date) -> bool:
    """Past its due date and still open: a complete or dropped action is no longer waited on."""
    return status == Status.OPEN.value and due_date < today


def is_drifting(status: str, created_on: date, progress: list[tuple[date, int]], today: date) -> bool:
    """An open action drifts when nobody has reported on it for a quarter (counted from its last
    progress update, or from when it was raised if it has none yet), or when its last two updates
    both said 1 or 2 on the scale. `progress` is the (day, progress) updates, oldest first."""
    if status != Status.OPEN.value:
        return False
    last_report = progress[-1][0] if progress else created_on
    if last_report < months_before(today, QUARTER_MONTHS):
        return True
    last_two = [value for _day, value in progress[-2:]]
    return len(last_two) == 2 and all(value in LOW_PROGRESS for value in last_two)


def _kpi_ids(kpi_ids: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The KPI ids, each checked against the registry, once each, in the order given."""
    for kpi_id in kpi_ids:
        try:
            get_kpi(kpi_id)
        except KeyError as unknown:
            raise ValueError(f"there is no KPI {kpi_id!r} to link the action to") from unknown
    return tuple(dict.fromkeys(kpi_ids))


def _subject(action: Action) -> str:
    return f"action {action.id} ({action.la_code}, {action.agency})"


def add_action(
    session: Session,
    la_code: str,
    title: str,
    source_kind: str,
    source_ref: str,
    agency: str,
    lead: str,
    due_date: date,
    success_measure: str,
    created_by: str,
    kpi_ids: list[str] | tuple[str, ...] = (),
    link: Callable[[Action], Base] | None = None,
) -> Action:
    """A new open action; `link` makes the row that ties it to where it was raised (a review,
    appstate/reviews.py), committed with the action and its audit row."""
    if source_kind not in {kind.value for kind in SourceKind}:
        raise ValueError(
            f"the source is one of {', '.join(k.value for k in SourceKind)}; not {source_kind!r}"
        )
    kpis = _kpi_ids(kpi_ids)
    now = datetime.now()
    action = Action(
        la_code=la_code,
        title=checked_text(title, "the action", limit=MAX_TITLE),
        source_kind=source_kind,
        source_ref=checked_text(source_ref, "the source reference", limit=MAX_TITLE),
        agency=checked_text(agency, "the lead agency", limit=MAX_NAME),
        lead=checked_text(lead, "the named lead", limit=MAX_NAME),
        due_date=due_date,
        success_measure=checked_text(success_measure, "the success measure"),
        status=Status.OPEN.value,
        created_by=created_by,
        created_at=now,
    )
    session.add(action)
    session.flush()
    session.add_all([ActionKpi(action_id=action.id, kpi_id=kpi_id) for kpi_id in kpis])
    if link is not None:
        session.add(link(action))
    session.add(
        ActionUpdate(action_id=action.id, status=Status.OPEN.value, note="raised", by=created_by, at=now)
    )
    session.flush()  # the change and its audit row are committed together, by record
    record(
        session,
        created_by,
        "action_added",
        subject=_subject(action),
        title=action.title,
        source=f"{source_kind}: {action.source_ref}",
        lead=action.lead,
        due=due_date,
        kpis=list(kpis),
    )
    session.refresh(action)
    return action


def _open_action(session: Session, action_id: int) -> Action:
    action = session.get(Action, action_id)
    if action is None:
        raise ValueError(f"there is no action {action_id}")
    if action.status != Status.OPEN.value:
        raise ValueError(f"action {action_id} is {action.status}: raise a new one to take it further")
    return action


def record_progress(session: Session, action_id: int, progress: int, note: str, by: str) -> Action:
    """A quarterly update: progress on the 1-4 scale, and what lies behind it."""
    if progress not in PROGRESS_SCALE:
        raise ValueError(f"progress is 1 (poor) to 4 (strong or complete); not {progress!r}")
    text = checked_text(note, "the note")
    action = _open_action(session, action_id)
    session.add(
        ActionUpdate(
            action_id=action.id, status=action.status, progress=progress, note=text, by=by, at=datetime.now()
        )
    )
    session.flush()  # the change and its audit row are committed together, by record
    record(session, by, "action_progress", subject=_subject(action), progress=progress, note=text)
    session.refresh(action)
    return action


def change_status(session: Session, action_id: int, status: Status, by: str, note: str = "") -> Action:
    """Complete or drop an open action; dropping one needs the reason."""
    if status is Status.OPEN:
        raise ValueError("an action is opened by raising it")
    text = checked_text(note, "the reason for dropping it", required=status is Status.DROPPED)
    action = _open_action(session, action_id)
    action.status = status.value
    session.add(ActionUpdate(action_id=action.id, status=status.value, note=text, by=by, at=datetime.now()))
    session.flush()  # the change and its audit row are committed together, by record
    record(session, by, f"action_{status.value}", subject=_subject(action), note=text)
    session.refresh(action)
    return action


@dataclass(frozen=True)
class ActionQuery:
    """Which actions to list; empty fields match everything."""

    la_codes: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()  # a partner's agencies: only actions those agencies lead
    status: tuple[str, ...] = ()
    kpi_id: str | None = None
    source_kind: str | None = None


def _statement(query: ActionQuery) -> Select[Action]:
    statement = select(Action).order_by(Action.due_date, Action.id)
    if query.la_codes:
        statement = statement.where(Action.la_code.in_(query.la_codes))
    if query.agencies:
        statement = statement.where(Action.agency.in_(query.agencies))
    if query.status:
        statement = statement.where(Action.status.in_(query.status))
    if query.kpi_id:
        statement = statement.where(
            Action.id.in_(select(ActionKpi.action_id).where(ActionKpi.kpi_id == query.kpi_id))
        )
    if query.source_kind:
        statement = statement.where(Action.source_kind == query.source_kind)
    return statement


def list_actions(session: Session, query: ActionQuery) -> list[Action]:
    return list(session.scalars(_statement(query)))


@dataclass(frozen=True)
class KpiActions:
    """What a KPI card says of the open actions linked to it."""

    open: int
    overdue: int

    @property
    def words(self) -> str:
        noun = "action" if self.open == 1 else "actions"
        return f"{self.open} open {noun}, {self.overdue} overdue"


def open_actions_by_kpi(session: Session, query: ActionQuery, today: date) -> dict[str, KpiActions]:
    """The open actions in `query`'s LAs and agencies linked to each KPI, and how many of them are
    overdue: one query for a whole page of cards."""
    statement = (
        select(ActionKpi.kpi_id, Action.due_date)
        .join(Action, Action.id == ActionKpi.action_id)
        .where(Action.status == Status.OPEN.value)
    )
    if query.la_codes:
        statement = statement.where(Action.la_code.in_(query.la_codes))
    if query.agencies:
        statement = statement.where(Action.agency.in_(query.agencies))
    linked: Counter[str] = Counter()
    late: Counter[str] = Counter()
    for kpi_id, due_date in session.execute(statement):
        linked[kpi_id] += 1
        late[kpi_id] += is_overdue(Status.OPEN.value, due_date, today)
    return {kpi_id: KpiActions(count, late[kpi_id]) for kpi_id, count in linked.items()}
