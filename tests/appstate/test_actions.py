"""The action tracker: raise, report progress, complete or drop, each step kept and audited; the
overdue and drift flags worked out by hand on dates; the KPI links and the counts a KPI card shows."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from appstate.actions import (
    ActionQuery,
    ActionUpdate,
    KpiActions,
    Status,
    add_action,
    change_status,
    is_drifting,
    is_overdue,
    list_actions,
    months_before,
    open_actions_by_kpi,
    record_progress,
)
from appstate.audit import AuditQuery, recent_events

LA = "E08000021"
OTHER_LA = "E06000057"
TODAY = date(2026, 6, 15)


def _action(
    db, title="Audit re-referrals", agency="Police", due=date(2026, 9, 30), la=LA, kpis=(), by="chair"
):
    return add_action(
        db,
        la,
        title,
        "business plan priority",
        "Front door",
        agency,
        "DI Lead",
        due,
        "Under 22%",
        by,
        kpi_ids=kpis,
    )


# --- the flags, by hand on dates ---


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 6, 15), 3, date(2026, 3, 15)),
        (date(2026, 5, 31), 3, date(2026, 2, 28)),  # no 31 February: the month's last day
        (date(2024, 5, 31), 3, date(2024, 2, 29)),  # a leap year
        (date(2026, 2, 10), 3, date(2025, 11, 10)),  # across a year
        (date(2026, 1, 31), 1, date(2025, 12, 31)),
    ],
)
def test_months_before_counts_calendar_months(day, months, expected):
    assert months_before(day, months) == expected


def test_overdue_is_open_and_past_its_due_date():
    assert is_overdue("open", date(2026, 6, 14), TODAY) is True
    assert is_overdue("open", TODAY, TODAY) is False  # due today is not late yet
    assert is_overdue("complete", date(2026, 1, 1), TODAY) is False
    assert is_overdue("dropped", date(2026, 1, 1), TODAY) is False


def test_drift_is_a_quarter_without_a_report():
    # a quarter before 15 June 2026 is 15 March 2026
    assert is_drifting("open", date(2026, 3, 15), [], TODAY) is False  # raised exactly a quarter ago
    assert is_drifting("open", date(2026, 3, 14), [], TODAY) is True  # raised a day earlier, no report since
    assert is_drifting("open", date(2025, 1, 1), [(date(2026, 3, 15), 3)], TODAY) is False
    assert is_drifting("open", date(2025, 1, 1), [(date(2026, 3, 14), 3)], TODAY) is True
    assert is_drifting("complete", date(2025, 1, 1), [], TODAY) is False
    assert is_drifting("dropped", date(2025, 1, 1), [], TODAY) is False


def test_drift_is_progress_of_1_or_2_two_updates_running():
    recent = date(2026, 6, 1)
    assert is_drifting("open", recent, [(recent, 2), (recent, 1)], TODAY) is True
    assert is_drifting("open", recent, [(recent, 2), (recent, 2)], TODAY) is True
    assert is_drifting("open", recent, [(recent, 1)], TODAY) is False  # one low update is not a run
    assert is_drifting("open", recent, [(recent, 1), (recent, 3)], TODAY) is False  # the latest is good
    assert is_drifting("open", recent, [(recent, 1), (recent, 3), (recent, 2)], TODAY) is False
    assert is_drifting("open", recent, [(recent, 3), (recent, 2), (recent, 1)], TODAY) is True


def test_an_actions_flags_come_from_its_own_updates(db):
    action = _action(db, due=date(2026, 6, 1))
    record_progress(db, action.id, 2, "Started late", "di.lead")
    action = record_progress(db, action.id, 1, "Stalled", "di.lead")
    day = action.created_at.date()
    assert (action.progress, action.is_overdue(day), action.is_drifting(day)) == (
        1,
        day > date(2026, 6, 1),
        True,
    )
    # move the reports back a quarter and a day: drift also for want of a report
    for update in action.updates:
        update.at = datetime(2026, 3, 14, 12, 0)
    action.created_at = datetime(2026, 1, 5, 9, 0)
    db.commit()
    action.progress_updates[-1].progress = 4
    assert action.is_drifting(TODAY) is True  # no longer low, but no report since 14 March
    assert action.is_overdue(TODAY) is True


# --- the steps, each kept and audited ---


def test_an_action_is_raised_updated_twice_and_completed_with_its_history_and_audit(db):
    action = _action(db, kpis=["re_referral_12m", "referral_nfa", "re_referral_12m"])
    assert action.kpi_ids == ("re_referral_12m", "referral_nfa")  # once each, sorted
    record_progress(db, action.id, 2, "Audit planned", "di.lead")
    record_progress(db, action.id, 3, "Audit done; findings to the board", "di.lead")
    done = change_status(db, action.id, Status.COMPLETE, "chair")
    assert done.status == "complete" and done.progress == 3
    assert [(u.status, u.progress, u.note, u.by) for u in done.updates] == [
        ("open", None, "raised", "chair"),
        ("open", 2, "Audit planned", "di.lead"),
        ("open", 3, "Audit done; findings to the board", "di.lead"),
        ("complete", None, "", "chair"),
    ]
    events = list(
        reversed(
            recent_events(db, AuditQuery(actions=("action_added", "action_progress", "action_complete")))
        )
    )
    assert [(e.action, e.username, e.subject) for e in events] == [
        ("action_added", "chair", f"action {action.id} ({LA}, Police)"),
        ("action_progress", "di.lead", f"action {action.id} ({LA}, Police)"),
        ("action_progress", "di.lead", f"action {action.id} ({LA}, Police)"),
        ("action_complete", "chair", f"action {action.id} ({LA}, Police)"),
    ]
    assert json.loads(events[1].detail) == {"note": "Audit planned", "progress": 2}
    assert json.loads(events[0].detail)["kpis"] == ["re_referral_12m", "referral_nfa"]
    with pytest.raises(ValueError, match="is complete"):
        record_progress(db, action.id, 4, "After the fact", "di.lead")


def test_dropping_needs_a_reason_and_ends_the_action(db):
    action = _action(db)
    with pytest.raises(ValueError, match="the reason for dropping it is required"):
        change_status(db, action.id, Status.DROPPED, "chair")
    dropped = change_status(db, action.id, Status.DROPPED, "chair", note="Superseded by the new plan")
    assert (dropped.status, dropped.updates[-1].note) == ("dropped", "Superseded by the new plan")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kpis": ["no_such_kpi"]}, "there is no KPI 'no_such_kpi'"),
        ({"title": "  "}, "the action is required"),
        ({"agency": ""}, "the lead agency is required"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_kept(db, change, message):
    with pytest.raises(ValueError, match=message):
        _action(db, **change)
    db.rollback()
    assert list_actions(db, ActionQuery()) == []
    assert recent_events(db, AuditQuery(actions=("action_added",))) == []


def test_progress_is_on_the_1_to_4_scale_with_a_note(db):
    action = _action(db)
    for progress, note, message in (
        (0, "x", "progress is 1"),
        (5, "x", "progress is 1"),
        (3, "", "the note is required"),
    ):
        with pytest.raises(ValueError, match=message):
            record_progress(db, action.id, progress, note, "di.lead")
    db.rollback()
    assert db.query(ActionUpdate).filter(ActionUpdate.progress.is_not(None)).count() == 0


def test_the_list_filters_by_scope_agency_status_kpi_and_source(db):
    police = _action(db, "Police action", kpis=["icpc_15wd"])
    _action(db, "Health action", agency="Health", kpis=["icpc_15wd", "cp_repeat"])
    _action(db, "Northumberland action", la=OTHER_LA, kpis=["icpc_15wd"])
    change_status(db, police.id, Status.COMPLETE, "chair")

    def titles(**query):
        return [a.title for a in list_actions(db, ActionQuery(**query))]

    assert titles(la_codes=(LA,)) == ["Police action", "Health action"]
    assert titles(la_codes=(LA,), agencies=("Police",)) == ["Police action"]
    assert titles(status=("open",)) == ["Health action", "Northumberland action"]
    assert titles(kpi_id="cp_repeat") == ["Health action"]
    assert titles(source_kind="audit") == []


def test_a_kpi_card_counts_the_open_actions_in_scope_and_the_overdue_ones(db):
    _action(db, "Late police", due=date(2026, 6, 1), kpis=["icpc_15wd", "cp_repeat"])
    _action(db, "Police on time", due=date(2026, 9, 1), kpis=["icpc_15wd"])
    _action(db, "Late health", agency="Health", due=date(2026, 5, 1), kpis=["icpc_15wd"])
    done = _action(db, "Done police", due=date(2026, 5, 1), kpis=["icpc_15wd"])
    change_status(db, done.id, Status.COMPLETE, "chair")
    _action(db, "Northumberland", la=OTHER_LA, due=date(2026, 5, 1), kpis=["icpc_15wd"])

    newcastle = open_actions_by_kpi(db, ActionQuery(la_codes=(LA,)), TODAY)
    assert newcastle == {"icpc_15wd": KpiActions(3, 2), "cp_repeat": KpiActions(1, 1)}
    police = open_actions_by_kpi(db, ActionQuery(la_codes=(LA,), agencies=("Police",)), TODAY)
    assert police == {"icpc_15wd": KpiActions(2, 1), "cp_repeat": KpiActions(1, 1)}
    assert [KpiActions(3, 1).words, KpiActions(1, 0).words] == [
        "3 open actions, 1 overdue",
        "1 open action, 0 overdue",
    ]
