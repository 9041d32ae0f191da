"""Learning reviews and audits: the percentage met and the comparison with the previous audit worked
out by hand (43 of 50 is 86%; against 39 of 50, 78%, that is up 8.0 points); criteria matched by
their normalised wording; findings numbered; results loaded all or nothing; actions raised into the
tracker and linked; a review's counts and flags; sign-off; every change audited."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from appstate.actions import Action, Status, change_status, record_progress
from appstate.audit import AuditQuery, recent_events
from appstate.reviews import (
    AuditResult,
    Comparison,
    Direction,
    ResultRow,
    Review,
    ReviewQuery,
    action_counts,
    add_finding,
    add_review,
    checked_result,
    checked_themes,
    compare_with_previous,
    criteria_used,
    criterion_key,
    list_reviews,
    percent_met,
    percent_words,
    raise_review_action,
    record_results,
    review_actions,
    sign_off_review,
)

LA = "E08000021"
OTHER_LA = "E06000057"
AUDIT = "multi-agency audit"


def _audit(db, held_on: date, la: str = LA, title: str = "Front door audit") -> Review:
    return add_review(db, la, title, AUDIT, held_on, "Local authority", "ann", themes="thresholds, consent")


def _result(met_now: int, met_then: int | None) -> Comparison:
    """A criterion met by `met_now` of 100 cases, and by `met_then` of 100 at the previous audit."""
    now = AuditResult(criterion="c", criterion_key="c", cases=100, met=met_now)
    then = (
        None if met_then is None else AuditResult(criterion="c", criterion_key="c", cases=100, met=met_then)
    )
    return Comparison(now, then, None)


# --- worked out by hand ---


def test_the_percentage_met_is_the_cases_meeting_it_over_the_cases_audited():
    assert percent_met(43, 50) == 86.0
    assert percent_met(0, 7) == 0.0
    assert percent_met(6, 7) == pytest.approx(85.714, abs=0.001)
    assert percent_words(86.0) == "86%"
    assert percent_words(100 * 6 / 7) == "85.7%"  # one decimal place, kept when it is not nought
    assert percent_words(100 * 2 / 3) == "66.7%"


def test_the_change_against_the_previous_audit_in_points_and_words():
    up = _result(86, 78)
    assert (up.change, up.direction, up.words) == (8.0, Direction.UP, "up 8.0 points from 78%")
    down = _result(70, 78)
    assert (down.change, down.direction, down.words) == (-8.0, Direction.DOWN, "down 8.0 points from 78%")
    same = _result(78, 78)
    assert (same.change, same.direction, same.words) == (0.0, Direction.SAME, "no change from 78%")
    first = _result(86, None)
    assert (first.change, first.direction, first.words) == (None, Direction.FIRST, "first audited")


def test_a_change_is_worked_out_from_the_exact_percentages_then_rounded():
    now = AuditResult(criterion="c", criterion_key="c", cases=7, met=6)  # 85.714...%
    then = AuditResult(criterion="c", criterion_key="c", cases=3, met=2)  # 66.666...%
    assert Comparison(now, then, None).change == 19.0  # 19.047... to one place, not 85.7 - 66.7
    assert Comparison(now, then, None).words == "up 19.0 points from 66.7%"


def test_a_criterion_is_matched_by_its_wording_without_case_spaces_or_punctuation():
    assert criterion_key("Thresholds: appropriate.") == "thresholds appropriate"
    assert criterion_key("  THRESHOLDS   appropriate ") == "thresholds appropriate"
    assert criterion_key("Voice of the child recorded (%)") == "voice of the child recorded %"
    assert criterion_key("Thresholds applied") != criterion_key("Thresholds appropriate")


def test_themes_are_split_cleaned_and_kept_once_each():
    assert checked_themes("neglect; thresholds, neglect\n information sharing") == (
        "neglect",
        "thresholds",
        "information sharing",
    )
    assert checked_themes("") == ()
    with pytest.raises(ValueError, match="at most 8 themes; this has 9"):
        checked_themes(",".join(f"theme {n}" for n in range(9)))
    with pytest.raises(ValueError, match="a theme is limited to 40 characters; this has 41"):
        checked_themes("x" * 41)


@pytest.mark.parametrize(
    ("criterion", "cases", "met", "message"),
    [
        ("", 50, 43, "row 4, field 'Criterion' is required"),
        ("x" * 201, 50, 43, "row 4, field 'Criterion' is limited to 200 characters; this has 201"),
        ("...", 50, 43, "row 4, field 'Criterion' has no words"),
        ("Thresholds", None, 43, "row 4, field 'Cases audited' is required"),
        ("Thresholds", "", 43, "row 4, field 'Cases audited' is required"),
        ("Thresholds", "fifty", 43, "row 4, field 'Cases audited' is a whole number; not 'fifty'"),
        ("Thresholds", 50.5, 43, "row 4, field 'Cases audited' is a whole number; not 50.5"),
        ("Thresholds", True, 43, "row 4, field 'Cases audited' is a whole number; not True"),
        ("Thresholds", 0, 0, "row 4, field 'Cases audited' is at least 1; not 0"),
        ("Thresholds", 50, None, "row 4, field 'Cases meeting it' is required"),
        ("Thresholds", 50, "-1", "row 4, field 'Cases meeting it' is a whole number; not '-1'"),
        ("Thresholds", 50, "86%", "row 4, field 'Cases meeting it' is a whole number; not '86%'"),
        (
            "Thresholds",
            50,
            51,
            "row 4, field 'Cases meeting it' \\(51\\) is more than the cases audited \\(50\\)",
        ),
    ],
)
def test_every_bad_result_is_refused_naming_where_and_the_field(criterion, cases, met, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        checked_result(criterion, cases, met, where="row 4")


def test_a_good_result_is_taken_from_text_or_numbers():
    assert checked_result(" Thresholds appropriate ", "50", 43.0) == ResultRow(
        "Thresholds appropriate", 50, 43
    )
    assert checked_result("Voice recorded", 12, "0") == ResultRow("Voice recorded", 12, 0)


# --- stored ---


def test_an_audit_is_compared_with_the_latest_earlier_audit_of_the_same_criterion(db):
    older = _audit(db, date(2025, 5, 1), title="Audit 2025")
    record_results(
        db,
        older.id,
        [ResultRow("Thresholds appropriate", 50, 36), ResultRow("Voice of the child recorded", 40, 30)],
        "ann",
    )
    previous = _audit(db, date(2025, 11, 1), title="Audit autumn 2025")
    record_results(db, previous.id, [ResultRow("thresholds: APPROPRIATE", 50, 39)], "ann")  # 78%
    elsewhere = _audit(db, date(2026, 1, 1), la=OTHER_LA, title="Northumberland audit")
    record_results(db, elsewhere.id, [ResultRow("Thresholds appropriate", 10, 1)], "ann")  # another LA's
    latest = _audit(db, date(2026, 5, 1), title="Audit 2026")
    record_results(
        db,
        latest.id,
        [
            ResultRow("Thresholds appropriate.", 50, 43),  # 86%
            ResultRow("Voice of the child recorded", 20, 15),  # 75%, last audited in 2025 at 75%
            ResultRow("Plans reviewed on time", 30, 27),  # never audited before
        ],
        "ann",
    )
    compared = compare_with_previous(db, db.get(Review, latest.id))
    assert [
        (
            c.result.criterion,
            percent_words(c.result.percent),
            c.previous_review and c.previous_review.title,
            c.change,
            c.words,
        )
        for c in compared
    ] == [
        ("Thresholds appropriate.", "86%", "Audit autumn 2025", 8.0, "up 8.0 points from 78%"),
        ("Voice of the child recorded", "75%", "Audit 2025", 0.0, "no change from 75%"),
        ("Plans reviewed on time", "90%", None, None, "first audited"),
    ]
    # the earlier audits are compared with theirs, never with a later one
    assert [c.words for c in compare_with_previous(db, db.get(Review, previous.id))] == [
        "up 6.0 points from 72%"
    ]
    assert criteria_used(db, (LA,)) == [
        "Plans reviewed on time",
        "Thresholds appropriate",  # its first wording
        "Voice of the child recorded",
    ]


def test_results_are_recorded_all_or_nothing_and_audited(db):
    audit = _audit(db, date(2026, 5, 1))
    record_results(db, audit.id, [ResultRow("Thresholds appropriate", 50, 43)], "ann")
    with pytest.raises(
        ValueError, match="row 3, field 'Criterion': 'THRESHOLDS appropriate' is already recorded"
    ):
        record_results(
            db,
            audit.id,
            [ResultRow("Consent sought", 10, 9, "row 2"), ResultRow("THRESHOLDS appropriate", 5, 5, "row 3")],
            "ann",
        )
    with pytest.raises(
        ValueError, match="row 3, field 'Criterion': 'consent sought' is given twice \\(row 2\\)"
    ):
        record_results(
            db,
            audit.id,
            [ResultRow("Consent sought", 10, 9, "row 2"), ResultRow("consent sought", 5, 5, "row 3")],
            "ann",
        )
    db.rollback()
    assert [(r.criterion, r.met, r.cases) for r in db.get(Review, audit.id).results] == [
        ("Thresholds appropriate", 43, 50)  # nothing of the refused loads kept
    ]
    [event] = recent_events(db, AuditQuery(actions=("audit_results",)))
    assert (event.rows, json.loads(event.detail)["criteria"]) == (1, ["Thresholds appropriate: 43 of 50"])
    review = add_review(db, LA, "Rapid review A", "rapid review", date(2026, 4, 1), "Police", "ann")
    with pytest.raises(ValueError, match="is a rapid review: only a multi-agency audit has results"):
        record_results(db, review.id, [ResultRow("Thresholds", 1, 1)], "ann")
    with pytest.raises(ValueError, match="there are no results to record"):
        record_results(db, audit.id, [], "ann")


def test_a_review_is_added_with_its_themes_and_findings_numbered(db):
    review = add_review(
        db,
        LA,
        "Child T rapid review",
        "rapid review",
        date(2026, 3, 2),
        "Police",
        "ann",
        themes="neglect; consent",
    )
    assert (review.themes, review.status, review.kind) == (("neglect", "consent"), "open", "rapid review")
    first = add_finding(db, review.id, "Agencies did not share the strategy discussion", "ann")
    second = add_finding(db, review.id, "  The threshold document was not used  ", "bob")
    assert [(f.number, f.text) for f in (first, second)] == [
        (1, "Agencies did not share the strategy discussion"),
        (2, "The threshold document was not used"),
    ]
    with pytest.raises(ValueError, match="the finding is required"):
        add_finding(db, review.id, "   ", "ann")
    with pytest.raises(ValueError, match="the finding is limited to 4,000 characters; this has 4,001"):
        add_finding(db, review.id, "x" * 4001, "ann")
    with pytest.raises(ValueError, match="a review is a rapid review, child safeguarding practice review"):
        add_review(db, LA, "A review", "serious case review", date(2026, 3, 2), "Police", "ann")
    with pytest.raises(ValueError, match="the title is required"):
        add_review(db, LA, "", "rapid review", date(2026, 3, 2), "Police", "ann")
    events = recent_events(db, AuditQuery(actions=("review_added", "review_finding")))
    assert [(e.action, e.subject) for e in reversed(events)] == [
        ("review_added", f"review {review.id} ({LA}, rapid review)"),
        ("review_finding", f"review {review.id} ({LA}, rapid review)"),
        ("review_finding", f"review {review.id} ({LA}, rapid review)"),
    ]


def test_actions_raised_from_a_review_are_the_trackers_and_counted_with_their_flags(db):
    review = add_review(
        db, LA, "CSPR Child T", "child safeguarding practice review", date(2026, 1, 5), "Police", "ann"
    )
    add_finding(db, review.id, "Strategy discussions were late", "ann")
    late = raise_review_action(
        db, review.id, "Strategy discussions in 24h", "Police", "DI", date(2026, 3, 1), "95%", "ann"
    )
    fine = raise_review_action(
        db, review.id, "Training", "Health", "Nurse", date(2026, 12, 1), "All staff", "ann"
    )
    done_one = raise_review_action(
        db, review.id, "New protocol", "Police", "DI", date(2026, 2, 1), "Signed", "ann"
    )
    change_status(db, done_one.id, Status.COMPLETE, "ann")
    record_progress(db, fine.id, 2, "begun", "ann")
    record_progress(db, fine.id, 1, "stalled", "ann")  # two low updates running: drifting
    stored = db.get(Action, late.id)
    assert (stored.source_kind, stored.source_ref) == ("practice review", "CSPR Child T")
    stored.created_at = datetime(2026, 1, 5, 9, 0)  # raised at the review, with no report since
    db.commit()
    review = db.get(Review, review.id)
    assert review.action_ids == (late.id, fine.id, done_one.id)
    actions = review_actions(db, review)
    # 2 March: the late action is overdue (due 1 March) but reported on within the quarter; the
    # training's last two updates both said 1 or 2: drifting
    counts = action_counts(review, actions, date(2026, 3, 2))
    assert (counts.findings, counts.actions, counts.open, counts.overdue, counts.drifting) == (1, 3, 2, 1, 1)
    assert counts.words == "1 finding, 3 actions, 1 overdue, 1 drifting"
    # 15 June: more than a quarter since the late action was raised with no report: drifting too
    assert (
        action_counts(review, actions, date(2026, 6, 15)).words
        == "1 finding, 3 actions, 1 overdue, 2 drifting"
    )
    [event] = [
        e
        for e in recent_events(db, AuditQuery(actions=("action_added",)))
        if e.subject.startswith(f"action {late.id} ")
    ]
    assert json.loads(event.detail)["source"] == "practice review: CSPR Child T"
    audit = _audit(db, date(2026, 5, 1))
    assert (
        db.get(
            Action,
            raise_review_action(db, audit.id, "Re-audit", "Police", "DI", date(2026, 9, 1), "x", "ann").id,
        ).source_kind
        == "audit"
    )


def test_a_refused_action_leaves_no_link_and_no_action(db):
    review = add_review(db, LA, "Rapid review", "rapid review", date(2026, 1, 5), "Police", "ann")
    with pytest.raises(ValueError, match="the named lead is required"):
        raise_review_action(db, review.id, "Training", "Health", "", date(2026, 12, 1), "All staff", "ann")
    db.rollback()
    assert db.get(Review, review.id).action_ids == () and db.query(Action).count() == 0


def test_a_review_is_signed_off_once_its_actions_are_done_and_then_takes_nothing_more(db):
    review = add_review(db, LA, "Rapid review", "rapid review", date(2026, 1, 5), "Police", "ann")
    action = raise_review_action(
        db, review.id, "Training", "Health", "Nurse", date(2026, 12, 1), "All", "ann"
    )
    with pytest.raises(ValueError, match=f"has 1 open action \\({action.id}\\): complete or drop them first"):
        sign_off_review(db, review.id, date(2026, 6, 1), "chair")
    change_status(db, action.id, Status.COMPLETE, "ann")
    with pytest.raises(ValueError, match="the sign-off date is before the review \\(05 January 2026\\)"):
        sign_off_review(db, review.id, date(2026, 1, 4), "chair")
    signed = sign_off_review(db, review.id, date(2026, 6, 1), "chair")
    assert (signed.status, signed.signed_off_on, signed.signed_off_by) == (
        "signed off",
        date(2026, 6, 1),
        "chair",
    )
    for refused in (
        lambda: add_finding(db, review.id, "late", "ann"),
        lambda: sign_off_review(db, review.id, date(2026, 7, 1), "chair"),
        lambda: raise_review_action(db, review.id, "More", "Health", "N", date(2026, 12, 1), "x", "ann"),
    ):
        with pytest.raises(ValueError, match=f"review {review.id} is signed off"):
            refused()
    [event] = recent_events(db, AuditQuery(actions=("review_signed_off",)))
    assert (event.username, json.loads(event.detail)["on"]) == ("chair", "2026-06-01")


def test_reviews_are_listed_latest_first_within_the_query(db):
    first = _audit(db, date(2025, 5, 1), title="Audit 2025")
    second = add_review(db, LA, "Rapid review", "rapid review", date(2026, 2, 1), "Police", "ann")
    _audit(db, date(2026, 1, 1), la=OTHER_LA, title="North")
    assert [r.id for r in list_reviews(db, ReviewQuery(la_codes=(LA,)))] == [second.id, first.id]
    assert [r.id for r in list_reviews(db, ReviewQuery(la_codes=(LA,), kinds=(AUDIT,)))] == [first.id]
    assert list_reviews(db, ReviewQuery(la_codes=(LA,), status=("signed off",))) == []
