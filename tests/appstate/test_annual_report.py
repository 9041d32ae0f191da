"""A year's partnership work (appstate/annual_report.py) at the year's edges: an action completed on
the year's last day counts, one completed the next day is still open at its end; a dropped action is
neither; a risk scored on the year's first morning starts the year at that score."""

from __future__ import annotations

from datetime import date, datetime, time

from appstate.actions import Action, Status, add_action, change_status
from appstate.annual_report import risk_movement, year_actions
from appstate.risks import Movement, Risk, add_risk, rescore_risk

LA = "E08000021"
START, END = date(2025, 4, 1), date(2026, 3, 31)


def _action(db, title: str, raised: date, due: date, closed: date | None = None, how=Status.COMPLETE) -> int:
    action = add_action(db, LA, title, "board meeting", "Board", "Police", "DI", due, "Done", "chair")
    if closed:
        change_status(db, action.id, how, "chair", note="not needed" if how is Status.DROPPED else "")
    stored = db.get(Action, action.id)
    stored.created_at = datetime.combine(raised, time(9))
    for update in stored.updates:
        update.at = datetime.combine(closed if update.status != Status.OPEN.value else raised, time(17))
    db.commit()
    return action.id


def test_actions_at_the_edges_of_the_year(db):
    _action(db, "last day", date(2025, 4, 1), date(2025, 6, 30), closed=END)
    _action(db, "next day", date(2025, 4, 1), date(2026, 3, 31), closed=date(2026, 4, 1))
    _action(db, "due on the last day", date(2026, 3, 31), date(2026, 3, 31))
    _action(db, "dropped", date(2025, 5, 1), date(2025, 6, 30), closed=date(2025, 7, 1), how=Status.DROPPED)
    _action(db, "raised after", date(2026, 4, 1), date(2026, 6, 30))
    found = year_actions(db, (LA,), (), START, END)
    assert [(c.action.title, c.completed_on) for c in found.completed] == [("last day", END)]
    assert [a.title for a in found.open_at_end] == ["next day", "due on the last day"]
    assert found.overdue_at_end == ()  # due on the year's last day: not yet late on it
    assert year_actions(db, (LA,), ("Health",), START, END).completed == ()  # another agency's


def test_a_risks_score_at_the_start_and_the_end_of_the_year(db):
    risk = add_risk(db, LA, "Capacity", "Vacancies", "Head", "Police", "Staff", 2, 3, END, "chair")
    rescore_risk(db, risk.id, 2, 3, "Reviewed", END, "chair")
    rescore_risk(db, risk.id, 5, 5, "Worse", END, "chair")
    scores = db.get(Risk, risk.id).scores
    for score, moment in zip(
        scores, [datetime.combine(START, time.min), datetime(2025, 10, 1), datetime(2026, 4, 1)]
    ):
        score.at = moment
    db.commit()
    [move] = risk_movement(db, (LA,), (), START, END)
    assert (move.at_start.score, move.at_end.score, move.movement) == (6, 6, Movement.SAME)
    assert move.words == "no change: 6 (medium)"
    assert risk_movement(db, (LA,), (), date(2024, 4, 1), date(2025, 3, 31)) == ()  # not yet on the register
