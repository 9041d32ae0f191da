"""Targets per KPI and LA, with the date they take effect and a tolerance band.

A target is never edited in place: a change adds a row, so the history shows who set what and
when. The target in force on a date is the one with the latest effective date on or before it
(and, among those, the latest set).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol, TypeVar

from sqlalchemy import Boolean, ColumnElement, Date, DateTime, Float, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from appstate.audit import record
from appstate.db import Base
from warehouse.kpis.assessment import TargetInForce, TargetLookup
from warehouse.kpis.formatting import format_number
from warehouse.kpis.model import Direction, Kpi, Unit
from warehouse.kpis.registry import get_kpi

DEFAULT_TOLERANCE_PERCENT = 5.0


class _Dated(Protocol):
    @property
    def effective_from(self) -> date: ...


T = TypeVar("T", bound=_Dated)


class Target(Base):
    __tablename__ = "target"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kpi_id: Mapped[str] = mapped_column(String(64), index=True)
    la_code: Mapped[str] = mapped_column(String(9), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    tolerance_percent: Mapped[float] = mapped_column(Float, default=DEFAULT_TOLERANCE_PERCENT)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    set_by: Mapped[str] = mapped_column(String(120))
    set_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now)


def set_target(
    session: Session,
    kpi_id: str,
    la_code: str,
    effective_from: date,
    value: float,
    set_by: str,
    tolerance_percent: float = DEFAULT_TOLERANCE_PERCENT,
    is_demo: bool = False,
) -> Target:
    kpi = get_kpi(kpi_id)
    problem = target_problem(kpi, value, tolerance_percent)
    if problem:
        raise ValueError(problem)
    target = Target(
        kpi_id=kpi_id,
        la_code=la_code,
        effective_from=effective_from,
        value=value,
        tolerance_percent=tolerance_percent,
        is_demo=is_demo,
        set_by=set_by,
        set_at=datetime.now(),
    )
    session.add(target)
    session.flush()  # the change and its audit row are committed together, by record
    record(
        session,
        set_by,
        "target_set",
        subject=f"{kpi_id} for {la_code}",
        value=value,
        effective_from=effective_from,
        tolerance_percent=tolerance_percent,
        demo=is_demo,
    )
    return target


def target_problem(kpi: Kpi, value: float, tolerance_percent: float) -> str | None:
    """Why a target cannot be set, or None. A target that every figure meets (0 for a higher-is-
    better KPI, 100% for a lower-is-better one) or none can (above 100%) would colour the RAG
    "on target" or "off" whatever the partnership does."""
    if kpi.direction is Direction.NEUTRAL:
        return f"{kpi.title} is a context measure (neutral direction): it has no target"
    if not math.isfinite(value):
        return f"the target for {kpi.title} must be a number"
    if not math.isfinite(tolerance_percent) or not 0 <= tolerance_percent <= 100:
        return "the tolerance band is a % of the target, from 0 to 100"
    shown = format_number(value, kpi.unit)
    if value < 0:
        return f"{kpi.title} cannot be below 0, so a target of {shown} makes no sense"
    if kpi.unit is Unit.PERCENT and value > 100:
        return f"{kpi.title} is a % (0 to 100), so a target of {shown} could never be met"
    if kpi.direction is Direction.HIGHER_IS_BETTER and value == 0:
        return f"higher is better for {kpi.title}, so a target of {shown} is met by any figure"
    if kpi.direction is Direction.LOWER_IS_BETTER and kpi.unit is Unit.PERCENT and value == 100:
        return f"lower is better for {kpi.title}, so a target of {shown} is met by any figure"
    return None


def target_in_force(session: Session, kpi_id: str, la_code: str, on: date) -> Target | None:
    return _in_force(target_history(session, kpi_id, la_code), on)


def _in_force(history: Sequence[T], on: date) -> T | None:
    """The target in force on a day, of a KPI's history in an LA (ordered as target_history orders it):
    the latest to take effect by then, of those the latest set."""
    in_force = [target for target in history if target.effective_from <= on]
    return in_force[-1] if in_force else None


def target_history(session: Session, kpi_id: str, la_code: str) -> list[Target]:
    return _history(session, Target.kpi_id == kpi_id, Target.la_code == la_code)


def _history(session: Session, *where: ColumnElement[bool]) -> list[Target]:
    """The targets that match, in the order `_in_force` reads them: by when each takes effect, then set."""
    return list(
        session.scalars(
            select(Target).where(*where).order_by(Target.effective_from, Target.set_at, Target.id)
        )
    )


def lookup(session: Session) -> TargetLookup:
    """The targets as the KPI assessment asks for them: each LA's read once, in one query, as a page
    asks for every KPI's target of the same LA."""
    by_la: dict[str, dict[str, list[TargetInForce]]] = {}

    def target_for(kpi_id: str, la_code: str, on: date) -> TargetInForce | None:
        if la_code not in by_la:
            by_la[la_code] = {}
            for target in _history(session, Target.la_code == la_code):
                by_la[la_code].setdefault(target.kpi_id, []).append(
                    TargetInForce(
                        target.value, target.tolerance_percent, target.effective_from, target.is_demo
                    )
                )
        return _in_force(by_la[la_code].get(kpi_id, []), on)

    return target_for


# Demo targets: plausible partnership ambitions, marked as demo values wherever shown.
# (value from April 2022, value from April 2025): a tighter ambition in the later years.
DEMO_TARGETS: dict[str, tuple[float, float]] = {
    "re_referral_12m": (25.0, 24.0),
    "referral_nfa": (8.0, 7.0),
    "icpc_15wd": (78.0, 80.0),
    "cp_repeat": (26.0, 25.0),
    "cp_2yrs": (3.0, 2.5),
    "cp_2yrs_ended": (6.0, 5.0),
    "missing_per_child": (5.5, 5.0),
    "missing_repeat": (75.0, 75.0),
    "rhi_72h": (70.0, 75.0),
    "rhi_accepted": (60.0, 60.0),
    # Over figures agencies submit (warehouse/model/builtin/submitted_*.toml)
    "crisis_24h": (75.0, 80.0),
    "camhs_12wk": (65.0, 75.0),
    "training_good": (90.0, 90.0),
}


def seed_demo_targets(session: Session, la_codes: list[str]) -> int:
    """Add the demo targets for LAs that have no targets yet; returns how many were added."""
    added = 0
    for la_code in la_codes:
        if session.scalars(select(Target.id).where(Target.la_code == la_code).limit(1)).first():
            continue
        for kpi_id, (early, later) in DEMO_TARGETS.items():
            for effective_from, value in ((date(2022, 4, 1), early), (date(2025, 4, 1), later)):
                set_target(session, kpi_id, la_code, effective_from, value, set_by="demo", is_demo=True)
                added += 1
    return added


def all_targets(session: Session, la_codes: tuple[str, ...]) -> list[Target]:
    """Every target ever set for these LAs, newest first: the history the targets page shows."""
    return list(
        session.scalars(
            select(Target)
            .where(Target.la_code.in_(la_codes))
            .order_by(Target.set_at.desc(), Target.id.desc())
        )
    )
