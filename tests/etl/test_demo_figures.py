"""The demo's figures submitted by agencies (etl/demo_figures.py): every past quarter of each figures
dataset for both demo partnerships, at their scale, the same every time, with one correction and one
late return."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from etl.demo_figures import CITY, COUNTY, demo_submissions
from warehouse.model.files import read_model

AS_OF = date(2026, 11, 25)
FIRST_DAY = date(2022, 4, 1)  # the demo window's start: five financial years to AS_OF


def submissions():
    return demo_submissions(read_model(), AS_OF, FIRST_DAY)


def test_the_same_seed_makes_the_same_submissions():
    assert submissions() == submissions()


def test_every_past_quarter_is_submitted_but_the_late_one_and_one_is_corrected():
    found = Counter((s.la_code, s.dataset) for s, _ in submissions())
    # Q1 2022/23 to Q2 2026/27: 4 quarters a year for four years, and two of 2026/27 ended by 25 November.
    quarters = 4 * 4 + 2
    assert found == {
        (CITY, "health_returns"): quarters + 1,  # the correction
        (COUNTY, "health_returns"): quarters - 1,  # Q2 2026/27 is late (due 20 October 2026)
        (CITY, "education_returns"): quarters,
        (COUNTY, "education_returns"): quarters,
        (CITY, "partnership_returns"): quarters,
        (COUNTY, "partnership_returns"): quarters,
    }
    county_health = {
        s.period_start for s, _ in submissions() if (s.la_code, s.dataset) == (COUNTY, "health_returns")
    }
    assert date(2026, 7, 1) not in county_health and date(2026, 4, 1) in county_health
    assert all(s.source == "demo" and s.submitted_at.date() < AS_OF for s, _ in submissions())


def test_the_correction_adds_the_out_of_hours_referrals_a_week_later():
    q1 = [
        (s, {(f.measure, f.part): f.value for f in figures})
        for s, figures in submissions()
        if (s.la_code, s.dataset, s.period_start) == (CITY, "health_returns", date(2026, 4, 1))
    ]
    (first, before), (second, after) = q1
    assert (second.submitted_at - first.submitted_at).days == 7 and second.note and not first.note
    assert after == {
        ("crisis_team_referrals", ""): before[("crisis_team_referrals", "")] + 8,
        ("crisis_team_seen_24h", ""): before[("crisis_team_seen_24h", "")] + 6,
    }


def test_each_partnership_is_at_its_scale():
    def mean(la_code: str, measure: str) -> float:
        values = [
            sum(f.value for f in figures if f.measure == measure)
            for s, figures in submissions()
            if s.la_code == la_code and not s.note and any(f.measure == measure for f in figures)
        ]
        return sum(values) / len(values)

    assert 110 < mean(CITY, "crisis_team_referrals") < 130  # about 120 a quarter
    assert 85 < mean(COUNTY, "crisis_team_referrals") < 105  # about 95
    city_rate = mean(CITY, "ehe_open") / mean(CITY, "school_age_children")
    assert 0.008 < city_rate < 0.013  # about 1% of school-age children are home educated
    mean_score = mean(CITY, "feedback_score_total") / mean(CITY, "feedback_responses")
    assert 4.2 < mean_score < 4.8
    # A measure given in parts has every part: self-harm by age, training by agency.
    parts = {
        (f.measure, f.part) for s, figures in submissions() for f in figures if f.part and s.la_code == COUNTY
    }
    assert {p for m, p in parts if m == "self_harm_u18"} == {"0-12", "13-15", "16-17"}
    assert {p for m, p in parts if m == "trained_people"} == {"LA", "Health", "Police", "Education", "Other"}


def test_another_las_figures_are_the_citys_in_proportion_to_its_children():
    from etl.demo_figures import scale_of

    gateshead = scale_of("E08000037")  # 40,414 children aged 0 to 17 (ONS mid-2024); Newcastle 61,206
    assert gateshead.crisis_referrals == pytest.approx(120 * 40_414 / 61_206)  # 79.2 a quarter
    assert gateshead.school_age == pytest.approx(37_400 * 40_414 / 61_206)
    # shares are the city's
    assert (gateshead.crisis_24h_share, gateshead.home_educated_share) == (0.78, 0.0091)
