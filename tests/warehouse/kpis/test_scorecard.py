"""The quarterly scorecard: priorities declared in the model (or an install's own scorecard.toml), the direction of
travel in words, and figures that are the engine's for each quarter."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from appstate.db import session
from appstate.targets import DEMO_TARGETS, lookup
from warehouse.kpis.engine import Figure, Filters, evaluate
from warehouse.kpis.periods import Period, PeriodKind, month, quarter
from warehouse.kpis.rag import rag
from warehouse.kpis.registry import get_kpi
from warehouse.kpis.scorecard import (
    ScorecardConfigError,
    Travel,
    build_scorecard,
    direction_of_travel,
    latest_quarter_ending_by,
    load_config,
    model_scorecard,
    override_path,
    quarters_to,
    scorecard_config,
)
from warehouse.kpis.suppression import SuppressionPolicy
from warehouse.model.files import ModelFile, read_model

CITY, COUNTY = "E08000021", "E06000057"
SOME_QUARTER = quarter(2025, 1)


def _toml(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- the configuration ---


# The board's scorecard as warehouse/kpis/scorecard.toml listed it before the model declared it.
BOARD_SCORECARD = [
    (
        "Front door: the right help at the right time",
        ("contacts", "contact_conversion", "referrals", "re_referral_12m", "referral_nfa"),
    ),
    (
        "Protecting children at risk",
        (
            "s47",
            "s47_to_icpc",
            "s47_nfa",
            "icpc",
            "icpc_15wd",
            "cp_starts",
            "cp_open",
            "pa_cp",
            "injury_admissions",
        ),
    ),
    ("Child protection plans that bring lasting change", ("cp_repeat", "cp_2yrs", "cp_2yrs_ended")),
    (
        "Children missing",
        (
            "missing_episodes",
            "children_missing",
            "missing_per_child",
            "missing_repeat",
            "rhi_72h",
            "rhi_accepted",
            "cme",  # children missing education, submitted by the education team
        ),
    ),
    # The record-level partner packs' priorities (warehouse/model/builtin/early_help.toml, ...), after the
    # core ones, in the name order of their files.
    (
        "Early help: support before problems grow",
        ("early_help_started", "early_help_assessed_45wd", "early_help_step_up", "early_help_step_down"),
    ),
    (
        "Exploitation: children safe outside the home",
        ("exploitation_open", "exploitation_high_risk", "nrm_referrals"),
    ),
    (
        "A safer workforce: allegations against people who work with children",
        ("lado_referrals", "lado_concluded_1m"),
    ),
    (
        "Domestic abuse: children safe at home",
        ("police_da_incidents", "police_da_repeat_12m", "encompass_before_school"),
    ),
    # published.toml: the LA's own published figures
    (
        "Children in care: healthy, in school and in the right number",
        ("cla_rate", "cla_health_assessments", "pa_cla"),
    ),
    ("Children's emotional health and wellbeing", ("crisis_24h", "self_harm_u18", "camhs_12wk")),
    (
        "A skilled multi-agency workforce that listens to children and families",
        ("training_reach", "training_good", "feedback_score"),
    ),
]


def test_the_models_priorities_are_the_boards_scorecard_with_single_figure_kpis(settings):
    config = scorecard_config()  # no scorecard.toml in the home: the model's
    assert [(p.title, p.kpis) for p in config.priorities] == BOARD_SCORECARD
    assert all(not get_kpi(kpi_id).is_share for p in config.priorities for kpi_id in p.kpis)


def test_a_local_kpi_joins_a_built_in_priority_and_a_local_priority_comes_after_the_built_in_ones():
    local = ModelFile(
        "ours.toml",
        '[[priority]]\nid = "neglect"\ntitle = "Neglect"\n\n'
        '[[kpi]]\nid = "referrals_local"\ntitle = "Referrals (ours)"\ndataset = "referrals"\nunit = "count"\n'
        'direction = "higher"\ntiming = "flow"\nnumerator = "referrals"\ndefinition = "Referrals."\n'
        'priority = "front_door"\n\n'
        '[[kpi]]\nid = "missing_local"\ntitle = "Missing (ours)"\ndataset = "missing_episodes"\n'
        'unit = "count"\ndirection = "lower"\ntiming = "flow"\nnumerator = "missing_episodes"\n'
        'definition = "Episodes."\npriority = "neglect"\n',
    )
    config = model_scorecard(read_model([local]))
    assert [(p.title, p.kpis) for p in config.priorities] == [
        (BOARD_SCORECARD[0][0], (*BOARD_SCORECARD[0][1], "referrals_local")),
        *BOARD_SCORECARD[1:],
        ("Neglect", ("missing_local",)),
    ]


def test_an_unknown_kpi_id_is_refused_naming_the_file_the_priority_and_the_id(tmp_path):
    path = _toml(tmp_path / "scorecard.toml", '[[priorities]]\ntitle = "Front door"\nkpis = ["referals"]\n')
    with pytest.raises(ScorecardConfigError) as refused:
        load_config(path)
    message = str(refused.value)
    assert message.startswith(f"{path}: ")
    assert "priority 'Front door' lists 'referals', which is not a KPI id" in message
    assert "too short" not in message and "at least 1 item" not in message  # only the cause, not its echo
    assert "referrals" in message.split("known ids:")[1]  # the id meant is offered


def test_a_share_kpi_and_a_repeated_kpi_are_refused(tmp_path):
    shares = _toml(tmp_path / "a.toml", '[[priorities]]\ntitle = "P"\nkpis = ["referrals_by_source"]\n')
    with pytest.raises(ScorecardConfigError, match="'referrals_by_source': a share of a whole"):
        load_config(shares)
    twice = _toml(tmp_path / "b.toml", '[[priorities]]\ntitle = "P"\nkpis = ["referrals", "referrals"]\n')
    with pytest.raises(ScorecardConfigError, match="'referrals' more than once"):
        load_config(twice)


def test_a_file_that_is_not_toml_or_has_the_wrong_shape_says_so(tmp_path):
    broken = _toml(tmp_path / "broken.toml", "[[priorities]\ntitle = ")
    with pytest.raises(ScorecardConfigError, match=r"broken\.toml: is not valid TOML"):
        load_config(broken)
    empty = _toml(tmp_path / "empty.toml", "priorities = []\n")
    with pytest.raises(ScorecardConfigError, match=r"empty\.toml: .*at least 1 item"):
        load_config(empty)
    misspelt = _toml(tmp_path / "misspelt.toml", '[[priorities]]\ntitle = "P"\nkpi = ["referrals"]\n')
    with pytest.raises(ScorecardConfigError) as refused:
        load_config(misspelt)
    assert str(refused.value) == (
        f"{misspelt}: Field required (at priorities.0.kpis); "
        "Extra inputs are not permitted (at priorities.0.kpi)"
    )


def test_an_installs_own_scorecard_toml_is_still_honoured_in_place_of_the_models_priorities(settings):
    assert override_path() is None
    settings.home.mkdir(parents=True)
    _toml(
        settings.home / "scorecard.toml",
        '[[priorities]]\ntitle = "Our one priority"\nkpis = ["cp_open", "icpc_15wd"]\n',
    )
    assert override_path() == settings.home / "scorecard.toml"
    config = scorecard_config()
    assert [(p.title, p.kpis) for p in config.priorities] == [("Our one priority", ("cp_open", "icpc_15wd"))]
    _toml(settings.home / "scorecard.toml", '[[priorities]]\ntitle = "X"\nkpis = ["nope"]\n')
    with pytest.raises(ScorecardConfigError, match=str(settings.home / "scorecard.toml")):
        scorecard_config()


# --- quarters and direction of travel ---


def test_the_end_quarter_is_the_latest_complete_one_by_the_date():
    # Q2 of 2026/27 is July to September 2026.
    assert latest_quarter_ending_by(date(2026, 10, 31)) == Period(PeriodKind.QUARTER, date(2026, 7, 1))
    assert latest_quarter_ending_by(date(2026, 9, 30)) == Period(PeriodKind.QUARTER, date(2026, 7, 1))
    assert latest_quarter_ending_by(date(2026, 9, 29)) == Period(PeriodKind.QUARTER, date(2026, 4, 1))
    assert latest_quarter_ending_by(date(2026, 3, 31)).label == "Q4 2025/26"


def test_five_quarters_run_oldest_first_across_financial_years():
    assert [q.label for q in quarters_to(quarter(2026, 1))] == [
        "Q1 2025/26",
        "Q2 2025/26",
        "Q3 2025/26",
        "Q4 2025/26",
        "Q1 2026/27",
    ]
    with pytest.raises(ValueError, match="runs to a quarter"):
        quarters_to(month(2026, 6))


def _figure(value: float | None, suppressed: bool = False) -> Figure:
    return Figure(SOME_QUARTER, value, None, None, suppressed=suppressed)


@pytest.mark.parametrize(
    ("kpi_id", "latest", "before", "expected"),
    [
        ("icpc_15wd", 80.0, 75.0, Travel.IMPROVING),  # higher is better, and it rose
        ("icpc_15wd", 70.0, 75.0, Travel.WORSENING),
        ("re_referral_12m", 20.0, 25.0, Travel.IMPROVING),  # lower is better, and it fell
        ("re_referral_12m", 26.0, 25.0, Travel.WORSENING),
        ("referrals", 900.0, 800.0, Travel.UP),  # neutral: only the direction
        ("referrals", 700.0, 800.0, Travel.DOWN),
        ("referrals", 800.0, 800.0, Travel.NO_CHANGE),
        ("re_referral_12m", 25.04, 25.0, Travel.NO_CHANGE),  # +0.04 points shows as 25.0% both times
        ("missing_per_child", 5.004, 5.0, Travel.NO_CHANGE),  # a ratio shows 2 decimals: 5.00 both times
        ("missing_per_child", 5.2, 5.0, Travel.WORSENING),
    ],
)
def test_direction_of_travel_is_judged_by_the_kpis_direction(kpi_id, latest, before, expected):
    travel, _ = direction_of_travel(get_kpi(kpi_id), _figure(latest), _figure(before))
    assert travel is expected


def test_no_comparison_when_either_quarter_has_no_figure():
    kpi = get_kpi("icpc_15wd")
    assert direction_of_travel(kpi, _figure(None, suppressed=True), _figure(75.0))[0] is Travel.NO_COMPARISON
    assert direction_of_travel(kpi, _figure(80.0), _figure(None))[0] is Travel.NO_COMPARISON


# --- on the demo warehouse ---


@pytest.fixture
def demo_con(demo_home):
    with duckdb.connect(str(demo_home / "warehouse.duckdb"), read_only=True) as con:
        yield con


@pytest.fixture
def demo_targets(demo_home):
    with session(f"sqlite:///{demo_home / 'appstate.sqlite'}") as db:
        yield lookup(db)


END = quarter(2026, 2)  # July to September 2026: the demo's last complete quarter


@pytest.mark.parametrize(
    "filters",
    [
        Filters(la_codes=(CITY,)),
        Filters(la_codes=(COUNTY,)),
        Filters(la_codes=(COUNTY,), age_band=("16-17",)),
    ],
    ids=["city", "county", "county-16-17"],
)
def test_every_quarter_is_the_engines_figure_for_that_quarter(demo_con, demo_targets, filters):
    policy = SuppressionPolicy()
    card = build_scorecard(demo_con, END, filters, policy, demo_targets)
    quarters = [quarter(2025, 2), quarter(2025, 3), quarter(2025, 4), quarter(2026, 1), quarter(2026, 2)]
    assert card.quarters == tuple(quarters)
    rows = [row for priority in card.priorities for row in priority.rows]
    ids = [row.kpi.id for row in rows]
    expected = {
        q: {r.kpi.id: r.current for r in evaluate(demo_con, ids, q, filters, policy)} for q in quarters
    }
    for row in rows:
        assert row.figures == tuple(expected[q][row.kpi.id] for q in quarters), row.kpi.id
        if not row.kpi.is_published:  # counted from records: each quarter its own, against the one before
            assert row.repeats == (False,) * 5, row.kpi.id
            assert row.travel is direction_of_travel(row.kpi, row.figures[-1], row.figures[-2])[0]
    suppressed = [row.kpi.id for row in rows if any(f.suppressed for f in row.figures)]
    assert suppressed or filters.la_codes == (CITY,)  # the county has small numbers: some show as c


def test_targets_rag_and_benchmarks_are_for_the_last_quarter(demo_con, demo_targets):
    card = build_scorecard(
        demo_con,
        END,
        Filters(la_codes=(CITY,)),
        SuppressionPolicy(),
        demo_targets,
    )
    rows = {row.kpi.id: row for priority in card.priorities for row in priority.rows}
    re_referral = rows["re_referral_12m"]
    # The demo's later target (from April 2025) is in force at 30 September 2026, with the default 5% band.
    assert re_referral.target.value == DEMO_TARGETS["re_referral_12m"][1] == 24.0
    assert re_referral.rag is rag(re_referral.latest.value, 24.0, re_referral.kpi.direction, 5.0)
    # c1 file, time_period 2025 (2024/25, the latest published): England 22.6
    assert (re_referral.benchmark.england, re_referral.benchmark.financial_year) == (22.6, "2024/25")
    assert rows["referrals"].target is None and rows["referrals"].rag is None  # a context measure
    assert rows["contacts"].benchmark is None  # DfE does not collect contacts


def test_several_las_together_have_no_targets_or_benchmarks(demo_con, demo_targets):
    card = build_scorecard(
        demo_con,
        END,
        Filters(la_codes=(CITY, COUNTY)),
        SuppressionPolicy(),
        demo_targets,
    )
    rows = [row for priority in card.priorities for row in priority.rows]
    assert all(row.target is None and row.rag is None and row.benchmark is None for row in rows)


def test_a_figure_published_once_a_year_is_shown_once_and_travels_on_the_year_before(demo_con):
    """absence_la.csv, Newcastle's pupils on a CP plan (CPPO at 31 March, all school types): 60.9%
    persistently absent in 2024/25, 57.1% in 2023/24. The five quarters to September 2026 all fall
    after 2024/25, the latest year published, so its figure stands for each and is shown once, in the
    last; a rise of 3.8 points is a worsening, since lower is better (was: five equal figures and
    "no change", the year compared with itself)."""
    card = build_scorecard(demo_con, END, Filters(la_codes=(CITY,)), SuppressionPolicy(), None)
    row = next(row for priority in card.priorities for row in priority.rows if row.kpi.id == "pa_cp")
    assert [figure.value for figure in row.figures] == [60.9] * 5
    assert row.repeats == (True, True, True, True, False)
    assert row.travel is Travel.WORSENING
    assert round(row.change.absolute, 1) == 3.8
