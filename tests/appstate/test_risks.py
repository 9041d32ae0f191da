"""The risk register: the bands, the movement and the overdue review worked out by hand; a risk
added with its first score, re-scored as new rows (never edited), closed, each step audited in the
same transaction; the links to KPIs and actions checked; the heat map's cells."""

from __future__ import annotations

import json
from datetime import date

import pytest

from appstate.actions import add_action
from appstate.audit import AuditQuery, recent_events
from appstate.risks import (
    Band,
    Movement,
    Risk,
    RiskQuery,
    RiskScore,
    add_risk,
    band,
    band_ranges,
    close_risk,
    heat_map,
    is_review_overdue,
    list_risks,
    movement,
    rescore_risk,
)

LA = "E08000021"
OTHER_LA = "E06000057"
TODAY = date(2026, 6, 15)


def _risk(db, title="Front door capacity", agency="Local authority", la=LA, likelihood=4, impact=3, **links):
    return add_risk(
        db,
        la,
        title,
        "Vacancies slow decisions on contacts",
        "Head of the front door",
        agency,
        "Agency staff; daily triage huddle",
        likelihood,
        impact,
        date(2026, 9, 1),
        "chair",
        **links,
    )


# --- worked out by hand ---


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (1, Band.LOW),
        (4, Band.LOW),  # 2 x 2, 1 x 4
        (5, Band.MEDIUM),  # 1 x 5
        (9, Band.MEDIUM),  # 3 x 3
        (10, Band.HIGH),  # 2 x 5
        (16, Band.HIGH),  # 4 x 4
        (20, Band.VERY_HIGH),  # 4 x 5
        (25, Band.VERY_HIGH),
    ],
)
def test_the_bands(score, expected):
    assert band(score) == expected


def test_every_score_the_grid_makes_has_one_band_and_nothing_else_does():
    made = {likelihood * impact for likelihood in range(1, 6) for impact in range(1, 6)}
    assert sorted(made) == [1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16, 20, 25]
    assert [band(s).value for s in sorted(made)] == ["low"] * 4 + ["medium"] * 4 + ["high"] * 4 + [
        "very high"
    ] * 2
    assert [(low, top, named.value) for low, top, named in band_ranges()] == [
        (1, 4, "low"),
        (5, 9, "medium"),
        (10, 16, "high"),
        (20, 25, "very high"),  # 17, 18 and 19 cannot be made
    ]
    for outside in (0, 26, -3):
        with pytest.raises(ValueError, match="1 to 25"):
            band(outside)


def test_movement_compares_the_score_with_the_one_before():
    assert movement(12, None) == Movement.NEW
    assert movement(12, 9) == Movement.UP
    assert movement(6, 9) == Movement.DOWN
    assert movement(12, 12) == Movement.SAME  # 3 x 4 after 4 x 3 is the same score


def test_a_review_is_overdue_when_its_date_has_passed_on_an_open_risk():
    assert is_review_overdue("open", date(2026, 6, 14), TODAY) is True
    assert is_review_overdue("open", TODAY, TODAY) is False  # due today is not late yet
    assert is_review_overdue("closed", date(2026, 1, 1), TODAY) is False


# --- stored ---


def test_a_risk_is_added_with_its_first_score_and_audited(db):
    risk = _risk(db, kpi_ids=["re_referral_12m", "cp_repeat", "re_referral_12m"])
    assert (risk.score, risk.previous_score, risk.band, risk.movement) == (12, None, Band.HIGH, Movement.NEW)
    assert risk.kpi_ids == ("cp_repeat", "re_referral_12m")  # once each
    assert risk.review_date == date(2026, 9, 1)
    assert risk.is_review_overdue(date(2026, 9, 2)) and not risk.is_review_overdue(date(2026, 9, 1))
    [first] = risk.scores
    assert (first.likelihood, first.impact, first.reason, first.by) == (4, 3, "first scored", "chair")
    [event] = recent_events(db, AuditQuery(actions=("risk_added",)))
    assert event.subject == f"risk {risk.id} ({LA}, Local authority)"
    assert json.loads(event.detail)["likelihood"] == 4 and json.loads(event.detail)["impact"] == 3


def test_each_rescore_is_a_new_row_and_the_old_ones_stay_as_they_were(db):
    risk = _risk(db)  # 4 x 3 = 12
    rescore_risk(db, risk.id, 5, 4, "Two more vacancies", date(2026, 7, 1), "exec")  # 20
    risk = rescore_risk(db, risk.id, 2, 3, "Posts filled", date(2026, 12, 1), "data")  # 6
    assert [(s.likelihood, s.impact, s.score, s.by) for s in risk.scores] == [
        (4, 3, 12, "chair"),
        (5, 4, 20, "exec"),
        (2, 3, 6, "data"),
    ]
    assert (risk.score, risk.previous_score, risk.movement, risk.band) == (6, 20, Movement.DOWN, Band.MEDIUM)
    assert risk.review_date == date(2026, 12, 1)  # the latest review set the next
    assert db.query(RiskScore).count() == 3
    events = recent_events(db, AuditQuery(actions=("risk_rescored",)))
    assert [(json.loads(e.detail)["previous"], e.username) for e in reversed(events)] == [
        (12, "exec"),
        (20, "data"),
    ]


@pytest.mark.parametrize(
    ("likelihood", "impact", "reason", "said"),
    [
        (0, 3, "why", "the likelihood is 1 to 5"),
        (3, 6, "why", "the impact is 1 to 5"),
        (3, None, "why", "the impact is 1 to 5"),
        (3, 3, "  ", "the reason for the score is required"),
    ],
)
def test_a_rescore_needs_both_scales_in_range_and_a_reason(db, likelihood, impact, reason, said):
    risk = _risk(db)
    with pytest.raises(ValueError, match=said):
        rescore_risk(db, risk.id, likelihood, impact, reason, date(2026, 7, 1), "exec")
    db.rollback()
    assert [s.score for s in db.get(Risk, risk.id).scores] == [12]
    assert recent_events(db, AuditQuery(actions=("risk_rescored",))) == []


def test_a_closed_risk_keeps_its_scores_and_takes_no_more(db):
    risk = close_risk(db, _risk(db).id, "Merged into the workforce risk", "data")
    assert (risk.status, risk.closed_note, risk.score) == ("closed", "Merged into the workforce risk", 12)
    assert not risk.is_review_overdue(date(2030, 1, 1))
    with pytest.raises(ValueError, match=f"risk {risk.id} is closed"):
        rescore_risk(db, risk.id, 1, 1, "why", date(2026, 7, 1), "exec")
    [event] = recent_events(db, AuditQuery(actions=("risk_closed",)))
    assert json.loads(event.detail) == {"reason": "Merged into the workforce risk"}


def test_links_are_to_known_kpis_and_existing_actions_of_the_same_la(db):
    here = add_action(
        db, LA, "Recruit", "audit", "Audit", "Local authority", "HR", date(2026, 9, 1), "Filled", "x"
    )
    there = add_action(
        db, OTHER_LA, "Elsewhere", "audit", "Audit", "Police", "DI", date(2026, 9, 1), "Done", "x"
    )
    with pytest.raises(ValueError, match="there is no KPI 'made_up'"):
        _risk(db, kpi_ids=["made_up"])
    with pytest.raises(ValueError, match=f"there is no action {there.id} of this local authority"):
        _risk(db, action_ids=[there.id])
    with pytest.raises(ValueError, match="there is no action 999 "):
        _risk(db, action_ids=[999])
    db.rollback()
    assert db.query(Risk).count() == 0  # nothing half added
    assert _risk(db, action_ids=[here.id, here.id]).action_ids == (here.id,)


def test_the_list_is_scoped_and_highest_score_first_and_the_heat_map_groups_by_cell(db):
    low = _risk(db, "Low", likelihood=1, impact=2)
    police = _risk(db, "Police", agency="Police", likelihood=5, impact=4)
    same_cell = _risk(db, "Same cell", likelihood=5, impact=4)
    _risk(db, "Elsewhere", la=OTHER_LA, likelihood=5, impact=5)
    close_risk(db, low.id, "gone", "data")
    everything = list_risks(db, RiskQuery(la_codes=(LA,)))
    assert [r.title for r in everything] == ["Police", "Same cell", "Low"]
    assert [r.title for r in list_risks(db, RiskQuery(la_codes=(LA,), status=("open",)))] == [
        "Police",
        "Same cell",
    ]
    assert [r.title for r in list_risks(db, RiskQuery(la_codes=(LA,), agencies=("Police",)))] == ["Police"]
    cells = heat_map(everything)
    assert {cell: [r.id for r in risks] for cell, risks in cells.items()} == {
        (5, 4): [police.id, same_cell.id],
        (1, 2): [low.id],
    }
