"""The annual report's partnership work for a year: the actions completed in it and those still open
at its end, the reviews and audits held in it with their findings, and how each risk's score moved
over it.

Everything is read as the tracker, the reviews and the register hold it, within the viewer's LAs
and (for a partner limited to agencies) their agencies' actions and risks, as those pages show them
(docs/security.md): a review is the partnership's, so every review of the LAs is listed, but of its
actions only those the viewer may see are counted. Whether an action is overdue, an audit result's
comparison with the previous audit, and a risk's band and movement are the tracker's, the reviews'
and the register's own (`is_overdue`, `compare_with_previous`, `band`, `movement`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy.orm import Session

from appstate.actions import Action, ActionQuery, ActionUpdate, Status, is_overdue, list_actions
from appstate.reviews import Comparison, Review, ReviewQuery, compare_with_previous, list_reviews
from appstate.risks import Band, Movement, Risk, RiskQuery, RiskScore, band, list_risks, movement


def _closed_by(action: Action, day: date) -> ActionUpdate | None:
    """The update that completed or dropped the action, if that was on or before `day`."""
    return next(
        (
            u
            for u in action.updates
            if u.status in (Status.COMPLETE.value, Status.DROPPED.value) and u.at.date() <= day
        ),
        None,
    )


@dataclass(frozen=True)
class CompletedAction:
    action: Action
    completed_on: date


@dataclass(frozen=True)
class YearActions:
    completed: tuple[CompletedAction, ...]  # completed in the year, in the order completed
    open_at_end: tuple[Action, ...]  # raised by the year's end and not completed or dropped by then
    overdue_at_end: tuple[Action, ...]  # of those, past their due date at the year's end


def year_actions(
    session: Session, la_codes: tuple[str, ...], agencies: tuple[str, ...], start: date, end: date
) -> YearActions:
    """The actions of the LAs (and `agencies`, when given) completed between `start` and `end`, and
    those open at `end`."""
    actions = list_actions(session, ActionQuery(la_codes=la_codes, agencies=agencies))
    completed = []
    still_open = []
    for action in actions:
        closed = _closed_by(action, end)
        if closed is not None and closed.status == Status.COMPLETE.value and closed.at.date() >= start:
            completed.append(CompletedAction(action, closed.at.date()))
        elif closed is None and action.created_at.date() <= end:
            still_open.append(action)
    completed.sort(key=lambda c: (c.completed_on, c.action.id))
    overdue = tuple(a for a in still_open if is_overdue(Status.OPEN.value, a.due_date, end))
    return YearActions(tuple(completed), tuple(still_open), overdue)


@dataclass(frozen=True)
class YearReview:
    review: Review
    actions: tuple[Action, ...]  # raised from it, those the viewer may see
    comparisons: tuple[Comparison, ...]  # an audit's results beside the previous audit's


def year_reviews(
    session: Session, la_codes: tuple[str, ...], agencies: tuple[str, ...], start: date, end: date
) -> tuple[YearReview, ...]:
    """The reviews and audits of the LAs held between `start` and `end`, oldest first."""
    visible = {a.id: a for a in list_actions(session, ActionQuery(la_codes=la_codes, agencies=agencies))}
    held = [r for r in list_reviews(session, ReviewQuery(la_codes=la_codes)) if start <= r.held_on <= end]
    return tuple(
        YearReview(
            review,
            tuple(visible[i] for i in review.action_ids if i in visible),
            tuple(compare_with_previous(session, review)) if review.is_audit else (),
        )
        for review in sorted(held, key=lambda r: (r.held_on, r.id))
    )


@dataclass(frozen=True)
class RiskMove:
    """A risk's score at the year's start (None: added in the year) and at its end."""

    risk: Risk
    at_start: RiskScore | None
    at_end: RiskScore

    @property
    def movement(self) -> Movement:
        return movement(self.at_end.score, self.at_start.score if self.at_start else None)

    @property
    def band_at_end(self) -> Band:
        return band(self.at_end.score)

    @property
    def words(self) -> str:
        """'up from 9 (medium) to 16 (high)', 'added in the year at 12 (high)'."""
        end = f"{self.at_end.score} ({band(self.at_end.score).value})"
        if self.at_start is None:
            return f"added in the year at {end}"
        start = f"{self.at_start.score} ({band(self.at_start.score).value})"
        if self.movement is Movement.SAME:
            return f"no change: {end}"
        return f"{self.movement.value} from {start} to {end}"


def _score_at(risk: Risk, moment: datetime) -> RiskScore | None:
    """The risk's score in force at `moment`: its latest scoring by then."""
    scored = [s for s in risk.scores if s.at <= moment]
    return scored[-1] if scored else None


def risk_movement(
    session: Session, la_codes: tuple[str, ...], agencies: tuple[str, ...], start: date, end: date
) -> tuple[RiskMove, ...]:
    """Each risk of the LAs (and owned by `agencies`, when given) on the register by `end`, with its
    score at `start` and at `end`, highest at the end first. Its status is today's: the register
    keeps when a risk was scored, not when it was closed."""
    year_start = datetime.combine(start, time.min)
    year_end = datetime.combine(end, time.max)
    moves = []
    for risk in list_risks(session, RiskQuery(la_codes=la_codes, agencies=agencies)):
        at_end = _score_at(risk, year_end)
        if at_end is not None:
            moves.append(RiskMove(risk, _score_at(risk, year_start), at_end))
    return tuple(sorted(moves, key=lambda m: (-m.at_end.score, m.risk.id)))


@dataclass(frozen=True)
class YearWork:
    actions: YearActions
    reviews: tuple[YearReview, ...]
    risks: tuple[RiskMove, ...]


def year_work(
    session: Session, la_codes: tuple[str, ...], agencies: tuple[str, ...], start: date, end: date
) -> YearWork:
    """The year's actions, reviews and risks for the viewer's LAs and agencies."""
    return YearWork(
        year_actions(session, la_codes, agencies, start, end),
        year_reviews(session, la_codes, agencies, start, end),
        risk_movement(session, la_codes, agencies, start, end),
    )
