"""The challenge log: raise, answer, close, with every step kept, and overdue flags."""

from __future__ import annotations

from datetime import date

import pytest

from appstate.challenges import (
    ChallengeQuery,
    answer_challenge,
    close_challenge,
    list_challenges,
    raise_challenge,
)

LA = "E08000021"
TODAY = date(2026, 6, 15)


def test_a_challenge_moves_from_open_to_answered_to_closed_with_its_history(db):
    entry = raise_challenge(
        db,
        LA,
        "Why did re-referrals rise in Q3?",
        "Police",
        date(2026, 6, 30),
        "chair",
        kpi_id="re_referral_12m",
        agency="Police",
    )
    answer_challenge(db, entry.id, "A change in the MASH triage.", "police.lead")
    closed = close_challenge(db, entry.id, "chair", note="Accepted")
    assert (closed.status, closed.response) == ("closed", "A change in the MASH triage.")
    assert [(u.status, u.by, u.note) for u in closed.updates] == [
        ("open", "chair", "raised"),
        ("answered", "police.lead", "A change in the MASH triage."),
        ("closed", "chair", "Accepted"),
    ]
    with pytest.raises(ValueError, match="is closed"):
        answer_challenge(db, entry.id, "Late answer", "police.lead")


def test_only_open_entries_past_their_due_date_are_overdue(db):
    late = raise_challenge(db, LA, "Q1", "Health", date(2026, 6, 14), "chair", agency="Health")
    due_today = raise_challenge(db, LA, "Q2", "Health", TODAY, "chair", agency="Health")
    answered_late = raise_challenge(db, LA, "Q3", "Police", date(2026, 5, 1), "chair", agency="Police")
    answer_challenge(db, answered_late.id, "Done", "police.lead")
    assert [late.is_overdue(TODAY), due_today.is_overdue(TODAY)] == [True, False]
    overdue = list_challenges(db, ChallengeQuery(overdue_only=True), TODAY)
    assert [c.question for c in overdue] == ["Q1"]


def test_the_list_filters_by_scope_status_kpi_and_agency(db):
    raise_challenge(db, LA, "Newcastle police", "Police", date(2026, 7, 1), "chair", agency="Police")
    raise_challenge(db, LA, "Newcastle ICPCs", "LA", date(2026, 7, 2), "chair", kpi_id="icpc_15wd")
    raise_challenge(db, "E06000057", "Northumberland", "Police", date(2026, 7, 3), "chair", agency="Police")
    newcastle = ChallengeQuery(la_codes=(LA,))
    assert [c.question for c in list_challenges(db, newcastle, TODAY)] == [
        "Newcastle police",
        "Newcastle ICPCs",
    ]
    assert [c.question for c in list_challenges(db, ChallengeQuery(agency="Police"), TODAY)] == [
        "Newcastle police",
        "Northumberland",
    ]
    assert [c.question for c in list_challenges(db, ChallengeQuery(kpi_id="icpc_15wd"), TODAY)] == [
        "Newcastle ICPCs"
    ]
    assert list_challenges(db, ChallengeQuery(status=("closed",)), TODAY) == []


def test_a_challenge_needs_a_kpi_or_an_agency_a_question_and_an_owner(db):
    with pytest.raises(ValueError, match="KPI, an agency or both"):
        raise_challenge(db, LA, "Q", "Police", TODAY, "chair")
    with pytest.raises(ValueError, match="the question is required"):
        raise_challenge(db, LA, "  ", "Police", TODAY, "chair", agency="Police")
    with pytest.raises(ValueError, match="the owner is required"):
        raise_challenge(db, LA, "Q", "", TODAY, "chair", agency="Police")
    assert list_challenges(db, ChallengeQuery(), TODAY) == []
