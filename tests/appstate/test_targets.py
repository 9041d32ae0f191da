"""A target is checked against its KPI's unit and direction of good before it is kept: one that
every figure meets, or none can, would make the RAG say nothing about the partnership's work."""

from __future__ import annotations

from datetime import date

import pytest

from appstate.targets import lookup, set_target, target_history, target_in_force, target_problem
from warehouse.kpis.registry import get_kpi

LA = "E08000021"


@pytest.mark.parametrize(
    ("kpi_id", "value", "tolerance", "expected"),
    [
        # re_referral_12m: a %, lower is better; icpc_15wd: a %, higher is better;
        # missing_per_child: a ratio, lower is better; referrals: context only.
        ("re_referral_12m", 22.0, 5.0, None),
        ("re_referral_12m", 0.0, 5.0, None),  # none re-referred: hard, but it means something
        ("icpc_15wd", 100.0, 0.0, None),
        ("missing_per_child", 2.5, 100.0, None),
        ("referrals", 100.0, 5.0, "Referrals is a context measure (neutral direction): it has no target"),
        ("icpc_15wd", 150.0, 5.0, "ICPCs within 15 working days is a % (0 to 100), so a target of 150.0% could never be met"),
        ("re_referral_12m", -5.0, 5.0, "Re-referrals within 12 months cannot be below 0, so a target of -5.0% makes no sense"),
        ("missing_per_child", -0.5, 5.0, "Episodes per missing child cannot be below 0, so a target of -0.50 makes no sense"),
        ("icpc_15wd", 0.0, 5.0, "higher is better for ICPCs within 15 working days, so a target of 0.0% is met by any figure"),
        ("re_referral_12m", 100.0, 5.0, "lower is better for Re-referrals within 12 months, so a target of 100.0% is met by any figure"),
        ("icpc_15wd", float("nan"), 5.0, "the target for ICPCs within 15 working days must be a number"),
        ("icpc_15wd", float("inf"), 5.0, "the target for ICPCs within 15 working days must be a number"),
        ("icpc_15wd", 90.0, -1.0, "the tolerance band is a % of the target, from 0 to 100"),
        ("icpc_15wd", 90.0, 250.0, "the tolerance band is a % of the target, from 0 to 100"),
    ],
)  # fmt: skip
def test_a_target_is_judged_by_its_kpis_unit_and_direction(kpi_id, value, tolerance, expected):
    assert target_problem(get_kpi(kpi_id), value, tolerance) == expected


def test_a_refused_target_is_not_kept(db):
    with pytest.raises(ValueError, match="could never be met"):
        set_target(db, "icpc_15wd", LA, date(2025, 4, 1), 150.0, "ann")
    set_target(db, "icpc_15wd", LA, date(2025, 4, 1), 90.0, "ann")
    assert [t.value for t in target_history(db, "icpc_15wd", LA)] == [90.0]


def test_the_target_in_force_is_the_latest_to_take_effect_and_of_those_the_latest_set(db):
    set_target(db, "icpc_15wd", LA, date(2024, 4, 1), 80.0, "ann")
    set_target(db, "icpc_15wd", LA, date(2025, 4, 1), 85.0, "ann")
    set_target(db, "icpc_15wd", LA, date(2025, 4, 1), 88.0, "bob")  # revised: the later one counts
    set_target(db, "icpc_15wd", "E06000057", date(2024, 4, 1), 70.0, "cat")  # another LA's
    set_target(db, "re_referral_12m", LA, date(2024, 4, 1), 22.0, "ann", tolerance_percent=10.0)
    target_for = lookup(db)
    expected = {
        date(2024, 3, 31): None,
        date(2024, 4, 1): 80.0,
        date(2025, 3, 31): 80.0,
        date(2025, 4, 1): 88.0,
    }
    for on, value in expected.items():
        found = target_for("icpc_15wd", LA, on)
        assert (found.value if found else None) == value, on
        in_force = target_in_force(db, "icpc_15wd", LA, on)
        assert (in_force.value if in_force else None) == value, on
    assert target_for("icpc_15wd", "E06000057", date(2025, 4, 1)).value == 70.0
    referrals = target_for("re_referral_12m", LA, date(2026, 1, 1))
    assert (referrals.value, referrals.tolerance_percent) == (22.0, 10.0)
    assert target_for("cp_repeat", LA, date(2026, 1, 1)) is None
