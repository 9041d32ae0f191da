"""The executive headline, worked out by hand on five judged KPIs."""

from __future__ import annotations

from tests.warehouse.kpis.test_exceptions import HALF, count, figure, judged
from warehouse.kpis.headline import headline
from warehouse.kpis.rag import Rag

# re_referral_12m: lower is better; 24% from 22% is worse. icpc_15wd: higher is better, 80% from
# 85% is worse. cp_repeat: 20% from 22% is better. referrals: neutral, so never "the wrong way".
# cp_2yrs: the same 3.0% as before (no change).
SET = [
    judged("re_referral_12m", figure(24.0), figure(22.0, HALF.previous()), rag=Rag.RED, target=20.0),
    judged("icpc_15wd", figure(80.0), figure(85.0, HALF.previous()), rag=Rag.AMBER, target=82.0),
    judged("cp_repeat", figure(20.0), figure(22.0, HALF.previous()), rag=Rag.GREEN, target=21.0),
    judged("referrals", count(1200), count(1000, HALF.previous())),
    judged("cp_2yrs", figure(3.0), figure(3.0, HALF.previous()), rag=Rag.GREEN, target=4.0),
]


def test_counts_each_rag_and_names_the_kpis_that_moved_the_wrong_way():
    found = headline(SET)
    assert (found.kpis, found.on_target, found.near, found.off) == (5, 2, 1, 1)
    assert found.worsened == ("Re-referrals within 12 months", "ICPCs within 15 working days")
    assert found.words() == (
        "2 of 4 KPIs with a target on target, 1 near, 1 off; 2 moved the wrong way on the previous "
        "period: Re-referrals within 12 months, ICPCs within 15 working days."
    )


def test_with_no_targets_and_nothing_worse_it_says_so():
    found = headline([SET[2].__class__(result=SET[2].result), SET[3]])
    assert found.words() == (
        "No KPI here has a target to judge it against; none moved the wrong way on the previous period."
    )


def test_kpis_with_no_data_for_the_period_are_named_and_judged_by_no_one():
    from warehouse.kpis.engine import Figure

    gap = Figure(HALF, None, None, None, no_data="Referrals not loaded for Apr 2024")
    found = headline([*SET[:3], judged("referrals", gap, count(1000, HALF.previous()))])
    assert (found.kpis, found.judged, found.worsened[-1]) == (4, 3, "ICPCs within 15 working days")
    assert found.words().endswith("ICPCs within 15 working days; no data for the period: Referrals.")
