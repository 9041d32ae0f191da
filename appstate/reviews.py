"""Learning reviews and audits: rapid reviews, child safeguarding practice reviews, multi-agency
audits and Section 11 self-assessments, their findings, the actions raised from them, and an
audit's results.

A review's findings are about the partnership's system (how agencies worked together, thresholds,
information sharing), never about a child: they are free text the board writes, cleaned and limited
like commentary, and the page says so where they are typed. The actions raised from a review are
actions of the action tracker (appstate/actions.py), linked by `ReviewAction` (a foreign key to the
action: an action comes from one review at most), and are tracked there; a review counts them.

An audit's results are, per criterion, how many cases were audited and how many met it. The
percentage met is worked out here from those two (never typed), and so is its comparison with the
previous audit of the same LA that audited the same criterion, matched by its normalised wording
(`criterion_key`): case, spaces and punctuation do not make a new criterion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Select,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from appstate.actions import Action, SourceKind, Status, add_action
from appstate.audit import record
from appstate.challenges import MAX_NAME, checked_text
from appstate.db import Base

MAX_TITLE = 300
MAX_CRITERION = 200
MAX_THEME = 40
MAX_THEMES = 8
THEME_SEPARATOR = "; "


class ReviewKind(StrEnum):
    RAPID_REVIEW = "rapid review"
    PRACTICE_REVIEW = "child safeguarding practice review"
    AUDIT = "multi-agency audit"
    SECTION_11 = "Section 11 self-assessment"


# The action tracker's source for an action raised from each kind of review: a Section 11
# self-assessment is an audit of each agency's arrangements, a rapid review the first step of a
# practice review.
ACTION_SOURCE = {
    ReviewKind.RAPID_REVIEW: SourceKind.PRACTICE_REVIEW,
    ReviewKind.PRACTICE_REVIEW: SourceKind.PRACTICE_REVIEW,
    ReviewKind.AUDIT: SourceKind.AUDIT,
    ReviewKind.SECTION_11: SourceKind.AUDIT,
}


class ReviewStatus(StrEnum):
    OPEN = "open"
    SIGNED_OFF = "signed off"


class Review(Base):
    __tablename__ = "review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    la_code: Mapped[str] = mapped_column(String(9), index=True)
    title: Mapped[str] = mapped_column(String(MAX_TITLE))
    kind: Mapped[str] = mapped_column(String(40))
    held_on: Mapped[date] = mapped_column(Date)  # held, or published
    agency: Mapped[str] = mapped_column(String(MAX_NAME))  # the lead agency
    themes_text: Mapped[str] = mapped_column(Text, default="")  # THEME_SEPARATOR between themes
    status: Mapped[str] = mapped_column(String(16), default=ReviewStatus.OPEN.value)
    signed_off_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    signed_off_by: Mapped[str] = mapped_column(String(120), default="")
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    findings: Mapped[list[ReviewFinding]] = relationship(order_by="ReviewFinding.number", lazy="selectin")
    action_links: Mapped[list[ReviewAction]] = relationship(
        order_by="ReviewAction.action_id", lazy="selectin"
    )
    results: Mapped[list[AuditResult]] = relationship(order_by="AuditResult.id", lazy="selectin")

    @property
    def themes(self) -> tuple[str, ...]:
        return tuple(t for t in self.themes_text.split(THEME_SEPARATOR) if t)

    @property
    def action_ids(self) -> tuple[int, ...]:
        return tuple(link.action_id for link in self.action_links)

    @property
    def is_audit(self) -> bool:
        return self.kind == ReviewKind.AUDIT.value


class ReviewFinding(Base):
    """A numbered finding: about the system, never a child."""

    __tablename__ = "review_finding"
    __table_args__ = (UniqueConstraint("review_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(DateTime)


class ReviewAction(Base):
    """An action of the tracker raised from the review: an action comes from one review at most."""

    __tablename__ = "review_action"

    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), index=True)


class AuditResult(Base):
    """One criterion of an audit: the cases audited and how many met it."""

    __tablename__ = "audit_result"
    __table_args__ = (UniqueConstraint("review_id", "criterion_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), index=True)
    criterion: Mapped[str] = mapped_column(String(MAX_CRITERION))  # as first worded
    criterion_key: Mapped[str] = mapped_column(String(MAX_CRITERION), index=True)  # normalised
    cases: Mapped[int] = mapped_column(Integer)
    met: Mapped[int] = mapped_column(Integer)
    by: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(DateTime)

    @property
    def percent(self) -> float:
        return percent_met(self.met, self.cases)


# --- the figures, worked out here only ---


def percent_met(met: int, cases: int) -> float:
    """The share of the cases audited that met the criterion, in per cent (43 of 50: 86.0)."""
    return 100 * met / cases


def percent_words(percent: float) -> str:
    """86.0 -> '86%', 85.714 -> '85.7%': one decimal place, dropped when it is nought."""
    rounded = round(percent, 1)
    return f"{rounded:.0f}%" if rounded == int(rounded) else f"{rounded:.1f}%"


def criterion_key(criterion: str) -> str:
    """The wording a criterion is matched on: lower case, punctuation and extra spaces gone
    ('Thresholds: appropriate.' and 'thresholds appropriate' are one criterion)."""
    return " ".join(re.sub(r"[^\w%]+", " ", criterion.casefold()).split())


class Direction(StrEnum):
    FIRST = "first audited"
    UP = "up"
    DOWN = "down"
    SAME = "no change"


@dataclass(frozen=True)
class Comparison:
    """A criterion's result beside the previous audit's on the same criterion."""

    result: AuditResult
    previous: AuditResult | None
    previous_review: Review | None

    @property
    def change(self) -> float | None:
        """The change in percentage points, to one decimal place (86% against 78%: +8.0)."""
        return None if self.previous is None else round(self.result.percent - self.previous.percent, 1)

    @property
    def direction(self) -> Direction:
        if self.change is None:
            return Direction.FIRST
        if self.change > 0:
            return Direction.UP
        return Direction.DOWN if self.change < 0 else Direction.SAME

    @property
    def words(self) -> str:
        """'up 8.0 points from 78%', or 'first audited' when no earlier audit had the criterion."""
        if self.previous is None:
            return Direction.FIRST.value
        previous = percent_words(self.previous.percent)
        if self.direction is Direction.SAME:
            return f"no change from {previous}"
        return f"{self.direction.value} {abs(self.change or 0):.1f} points from {previous}"


def compare_with_previous(session: Session, review: Review) -> list[Comparison]:
    """Each result of the audit beside the same criterion's result in the latest earlier audit of
    the same LA that audited it (earlier: held before, or the same day and recorded before)."""
    earlier = select(Review).where(
        Review.la_code == review.la_code,
        Review.kind == ReviewKind.AUDIT.value,
        (Review.held_on < review.held_on) | ((Review.held_on == review.held_on) & (Review.id < review.id)),
    )
    latest_first = sorted(session.scalars(earlier), key=lambda r: (r.held_on, r.id), reverse=True)
    comparisons = []
    for result in review.results:
        found = next(
            (
                (old, audit)
                for audit in latest_first
                for old in audit.results
                if old.criterion_key == result.criterion_key
            ),
            (None, None),
        )
        comparisons.append(Comparison(result, *found))
    return comparisons


def criteria_used(session: Session, la_codes: tuple[str, ...]) -> list[str]:
    """The criteria the LAs' audits have used, each once (its first wording), for choosing."""
    statement = (
        select(AuditResult.criterion_key, AuditResult.criterion)
        .join(Review, Review.id == AuditResult.review_id)
        .where(Review.la_code.in_(la_codes))
        .order_by(AuditResult.id)
    )
    first: dict[str, str] = {}
    for key, wording in session.execute(statement):
        first.setdefault(key, wording)
    return sorted(first.values(), key=str.casefold)


# --- checking what is typed or uploaded ---


def checked_themes(text: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Themes typed with commas or semicolons between them, each a few words, once each."""
    parts = re.split(r"[;,\n]", text) if isinstance(text, str) else list(text)
    themes = tuple(dict.fromkeys(checked_text(p, "a theme", required=False, limit=MAX_THEME) for p in parts))
    themes = tuple(t for t in themes if t)
    if len(themes) > MAX_THEMES:
        raise ValueError(f"a review has at most {MAX_THEMES} themes; this has {len(themes)}")
    return themes


def _whole_number(value: object, what: str) -> int:
    """A count typed as text or read from a spreadsheet (where 50 may come as 50.0)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(f"{what} is required")
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip()
    if isinstance(value, bool) or not re.fullmatch(r"\d+", text):
        raise ValueError(
            f"{what} is a whole number; not {value.strip() if isinstance(value, str) else value!r}"
        )
    return int(text)


@dataclass(frozen=True)
class ResultRow:
    """A criterion's result as typed or uploaded, checked; `where` says where it came from."""

    criterion: str
    cases: int
    met: int
    where: str = ""

    @property
    def key(self) -> str:
        return criterion_key(self.criterion)


CRITERION, CASES, MET = "Criterion", "Cases audited", "Cases meeting it"  # the fields, as the forms name them


def checked_result(criterion: object, cases: object, met: object, where: str = "") -> ResultRow:
    """A result's three fields checked; each error names the field (and `where`, if given)."""
    prefix = f"{where}, " if where else ""
    try:
        wording = checked_text(
            "" if criterion is None else str(criterion), f"field '{CRITERION}'", limit=MAX_CRITERION
        )
        if not criterion_key(wording):
            raise ValueError(f"field '{CRITERION}' has no words")
        audited = _whole_number(cases, f"field '{CASES}'")
        meeting = _whole_number(met, f"field '{MET}'")
    except ValueError as error:
        raise ValueError(f"{prefix}{error}") from None
    if audited < 1:
        raise ValueError(f"{prefix}field '{CASES}' is at least 1; not {audited}")
    if meeting > audited:
        raise ValueError(f"{prefix}field '{MET}' ({meeting}) is more than the cases audited ({audited})")
    return ResultRow(wording, audited, meeting, where)


# --- changes: each committed with its audit row ---


def _subject(review: Review) -> str:
    return f"review {review.id} ({review.la_code}, {review.kind})"


def add_review(
    session: Session,
    la_code: str,
    title: str,
    kind: str,
    held_on: date,
    agency: str,
    created_by: str,
    themes: str | list[str] | tuple[str, ...] = (),
) -> Review:
    if kind not in {k.value for k in ReviewKind}:
        raise ValueError(f"a review is a {', '.join(k.value for k in ReviewKind)}; not {kind!r}")
    review = Review(
        la_code=la_code,
        title=checked_text(title, "the title", limit=MAX_TITLE),
        kind=kind,
        held_on=held_on,
        agency=checked_text(agency, "the lead agency", limit=MAX_NAME),
        themes_text=THEME_SEPARATOR.join(checked_themes(themes)),
        status=ReviewStatus.OPEN.value,
        signed_off_by="",
        created_by=created_by,
        created_at=datetime.now(),
    )
    session.add(review)
    session.flush()  # the change and its audit row are committed together, by record
    record(
        session,
        created_by,
        "review_added",
        subject=_subject(review),
        title=review.title,
        held_on=held_on,
        themes=list(review.themes),
    )
    session.refresh(review)
    return review


def _open_review(session: Session, review_id: int) -> Review:
    review = session.get(Review, review_id)
    if review is None:
        raise ValueError(f"there is no review {review_id}")
    if review.status != ReviewStatus.OPEN.value:
        raise ValueError(f"review {review_id} is signed off: nothing more is added to it")
    return review


def add_finding(session: Session, review_id: int, text: str, by: str) -> ReviewFinding:
    """The review's next finding, numbered after the last."""
    cleaned = checked_text(text, "the finding")
    review = _open_review(session, review_id)
    finding = ReviewFinding(
        review_id=review.id,
        number=(
            session.scalar(select(func.max(ReviewFinding.number)).where(ReviewFinding.review_id == review.id))
            or 0
        )
        + 1,
        text=cleaned,
        by=by,
        at=datetime.now(),
    )
    session.add(finding)
    session.flush()  # the change and its audit row are committed together, by record
    record(session, by, "review_finding", subject=_subject(review), number=finding.number)
    session.refresh(review)
    return finding


def record_results(session: Session, review_id: int, rows: list[ResultRow], by: str) -> list[AuditResult]:
    """An audit's results, all or none: a criterion already recorded for this audit, or twice in
    `rows`, refuses the lot (each error says where the row came from)."""
    review = _open_review(session, review_id)
    if not review.is_audit:
        raise ValueError(f"review {review_id} is a {review.kind}: only a multi-agency audit has results")
    if not rows:
        raise ValueError("there are no results to record")
    seen = {r.criterion_key: "already recorded for this audit" for r in review.results}
    for row in rows:
        if row.key in seen:
            where = f"{row.where}, " if row.where else ""
            raise ValueError(f"{where}field '{CRITERION}': '{row.criterion}' is {seen[row.key]}")
        seen[row.key] = f"given twice ({row.where or 'above'})"
    now = datetime.now()
    results = [
        AuditResult(
            review_id=review.id,
            criterion=row.criterion,
            criterion_key=row.key,
            cases=row.cases,
            met=row.met,
            by=by,
            at=now,
        )
        for row in rows
    ]
    session.add_all(results)
    session.flush()  # the change and its audit row are committed together, by record
    record(
        session,
        by,
        "audit_results",
        subject=_subject(review),
        rows=len(results),
        criteria=[f"{r.criterion}: {r.met} of {r.cases}" for r in results],
    )
    session.refresh(review)
    return results


def raise_review_action(
    session: Session,
    review_id: int,
    title: str,
    agency: str,
    lead: str,
    due_date: date,
    success_measure: str,
    created_by: str,
    kpi_ids: list[str] | tuple[str, ...] = (),
) -> Action:
    """An action of the tracker raised from the review, its source the review's kind and title; the
    action and its link to the review are committed together."""
    review = _open_review(session, review_id)
    action = add_action(
        session,
        review.la_code,
        title,
        ACTION_SOURCE[ReviewKind(review.kind)].value,
        review.title,
        agency,
        lead,
        due_date,
        success_measure,
        created_by,
        kpi_ids=kpi_ids,
        link=lambda action: ReviewAction(action_id=action.id, review_id=review.id),
    )
    session.refresh(review)
    return action


def sign_off_review(session: Session, review_id: int, signed_off_on: date, by: str) -> Review:
    """The board signs the review off once every action raised from it is complete or dropped."""
    review = _open_review(session, review_id)
    open_actions = [a for a in review_actions(session, review) if a.status == Status.OPEN.value]
    if open_actions:
        raise ValueError(
            f"review {review_id} has {len(open_actions)} open action{'s' if len(open_actions) != 1 else ''} "
            f"({', '.join(str(a.id) for a in open_actions)}): complete or drop them first"
        )
    if signed_off_on < review.held_on:
        raise ValueError(f"the sign-off date is before the review ({review.held_on:%d %B %Y})")
    review.status = ReviewStatus.SIGNED_OFF.value
    review.signed_off_on = signed_off_on
    review.signed_off_by = by
    session.flush()  # the change and its audit row are committed together, by record
    record(session, by, "review_signed_off", subject=_subject(review), on=signed_off_on)
    session.refresh(review)
    return review


# --- reading ---


def review_actions(session: Session, review: Review) -> list[Action]:
    """Every action raised from the review, by number (callers keep those in the viewer's scope)."""
    if not review.action_ids:
        return []
    return list(session.scalars(select(Action).where(Action.id.in_(review.action_ids)).order_by(Action.id)))


@dataclass(frozen=True)
class ReviewQuery:
    """Which reviews to list; empty fields match everything."""

    la_codes: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    status: tuple[str, ...] = ()


def _statement(query: ReviewQuery) -> Select[Review]:
    statement = select(Review).order_by(Review.held_on.desc(), Review.id.desc())
    if query.la_codes:
        statement = statement.where(Review.la_code.in_(query.la_codes))
    if query.kinds:
        statement = statement.where(Review.kind.in_(query.kinds))
    if query.status:
        statement = statement.where(Review.status.in_(query.status))
    return statement


def list_reviews(session: Session, query: ReviewQuery) -> list[Review]:
    """The reviews, latest first."""
    return list(session.scalars(_statement(query)))


@dataclass(frozen=True)
class ActionCounts:
    """What a review says of its actions: '12 findings, 33 actions, 5 overdue, 2 drifting'."""

    findings: int
    actions: int
    open: int
    overdue: int
    drifting: int

    @property
    def words(self) -> str:
        def counted(n: int, noun: str) -> str:
            return f"{n} {noun}{'' if n == 1 else 's'}"

        return (
            f"{counted(self.findings, 'finding')}, {counted(self.actions, 'action')}, "
            f"{self.overdue} overdue, {self.drifting} drifting"
        )


def action_counts(review: Review, actions: list[Action], today: date) -> ActionCounts:
    """The review's findings and `actions` (those raised from it that the viewer may see), with how
    many are open, overdue and drifting, as the action tracker flags them."""
    return ActionCounts(
        findings=len(review.findings),
        actions=len(actions),
        open=sum(a.status == Status.OPEN.value for a in actions),
        overdue=sum(a.is_overdue(today) for a in actions),
        drifting=sum(a.is_drifting(today) for a in actions),
    )
