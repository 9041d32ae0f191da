"""Differencing attacks on the engine's protected figures, on the demo warehouse.

An attacker who knows the method (counts under 5 shown as c, the rest randomly rounded to a
multiple of 5) knows only that a shown figure R stands for a true count in `possible(R)`. For
random filter sets, and for a partner's scope (one agency) as well as an executive's (all), every
hidden count is checked against the views that would give it away if figures were exact: the
whole against its parts, and a period against its months. At least two values must stay possible,
and the true one must be among them (which also checks that `possible` describes the method).
"""

from __future__ import annotations

import random

import duckdb
import pytest

from warehouse.kpis.engine import Figure, Filters, evaluate
from warehouse.kpis.formatting import shown_change, shown_value
from warehouse.kpis.periods import Period, PeriodKind, add_months, parse_period, period_ending
from warehouse.kpis.registry import REGISTRY
from warehouse.kpis.suppression import NO_SUPPRESSION, SuppressionPolicy
from warehouse.model.files import active_model
from warehouse.model.specs import FigureValue

CITY = "E08000021"
PROTECTED = SuppressionPolicy()
COUNT_KPIS = ("contacts", "referrals", "s47", "icpc", "cp_starts", "missing_episodes")
SPLITS = {
    "ethnicity": ("White", "Mixed", "Asian", "Black", "Other", "Not known"),
    "gender": ("M", "F", "U"),
    "age_band": ("Under 1", "1-4", "5-9", "10-15", "16-17", "18+", "Unknown"),
}
SCOPES = {"partner": ("Police",), "executive": ()}


def possible(shown: Figure) -> range:
    """The true counts that a protected count figure may stand for."""
    if shown.suppressed:
        return range(5)
    value = int(shown.value)
    return range(max(value - 4, 5), value + 5)  # under 5 would have been c


def hidden_candidates(whole: Figure, others: list[Figure]) -> set[int]:
    """The hidden part's values (0 to 4) that fit: whole = hidden + the sum of the other parts."""
    low = sum(possible(o).start for o in others)
    high = sum(possible(o).stop - 1 for o in others)
    return {h for h in range(5) if any(low <= w - h <= high for w in possible(whole))}


@pytest.fixture(scope="module")
def con(demo_home):
    with duckdb.connect(str(demo_home / "warehouse.duckdb"), read_only=True) as connection:
        yield connection


def figures(con, period: Period, filters: Filters, policy) -> dict[str, Figure]:
    return {r.kpi.id: r.current for r in evaluate(con, COUNT_KPIS, period, filters, policy, series_months=1)}


def random_filters(rng: random.Random, agencies: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    chosen: dict[str, tuple[str, ...]] = {"agency": agencies}
    for field, values in SPLITS.items():
        if rng.random() < 0.4:
            chosen[field] = tuple(sorted(rng.sample(values, rng.randint(2, len(values) - 1))))
    return chosen


def random_period(rng: random.Random) -> Period:
    month = add_months(parse_period("2026-10").first_month, -rng.randint(0, 30))
    kind = rng.choice([PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.ROLLING_12])
    return parse_period(month.strftime("%Y-%m")) if kind is PeriodKind.MONTH else period_ending(kind, month)


@pytest.mark.parametrize("role", SCOPES)
def test_no_hidden_part_can_be_worked_out_from_the_whole_and_the_other_parts(con, role):
    rng = random.Random(f"parts-{role}")
    checked = 0
    for _ in range(25):
        base = random_filters(rng, SCOPES[role])
        split = rng.choice(list(SPLITS))
        period = random_period(rng)
        values = base.get(split, SPLITS[split])
        whole = figures(con, period, Filters((CITY,), **base), PROTECTED)
        parts = {
            v: figures(con, period, Filters((CITY,), **(base | {split: (v,)})), PROTECTED) for v in values
        }
        exact = {
            v: figures(con, period, Filters((CITY,), **(base | {split: (v,)})), NO_SUPPRESSION)
            for v in values
        }
        for kpi_id in COUNT_KPIS:
            for value, part in parts.items():
                true = int(exact[value][kpi_id].value)
                if not 1 <= true <= 4:
                    continue
                assert part[kpi_id].suppressed
                others = [parts[v][kpi_id] for v in values if v != value]
                candidates = hidden_candidates(whole[kpi_id], others)
                assert true in candidates
                assert len(candidates) >= 2, (kpi_id, period.code, base, split, value, candidates)
                checked += 1
    assert checked >= 20  # the demo has plenty of small cells: the test must have met them


@pytest.mark.parametrize("role", SCOPES)
def test_no_hidden_month_can_be_worked_out_from_its_period_and_the_other_months(con, role):
    rng = random.Random(f"months-{role}")
    checked = 0
    for _ in range(25):
        base = random_filters(rng, SCOPES[role]) | {"ethnicity": (rng.choice(SPLITS["ethnicity"]),)}
        kind = rng.choice([PeriodKind.QUARTER, PeriodKind.ROLLING_12, PeriodKind.FINANCIAL_YEAR])
        period = period_ending(kind, add_months(parse_period("2026-10").first_month, -rng.randint(0, 24)))
        filters = Filters((CITY,), **base)
        months = len(period.month_starts())
        results = evaluate(con, COUNT_KPIS, period, filters, PROTECTED, series_months=months)
        truth = evaluate(con, COUNT_KPIS, period, filters, NO_SUPPRESSION, series_months=months)
        for shown, exact in zip(results, truth):
            if exact.current.no_data:  # a quarter or year running past the demo's last loaded month
                continue
            for i, month in enumerate(shown.series):
                true = int(exact.series[i].value)
                if not 1 <= true <= 4:
                    continue
                assert month.suppressed
                others = [m for j, m in enumerate(shown.series) if j != i]
                candidates = hidden_candidates(shown.current, others)
                assert true in candidates
                assert len(candidates) >= 2, (shown.kpi.id, period.code, base, month.period.code, candidates)
                checked += 1
    assert checked >= 20


@pytest.mark.parametrize("field", SPLITS)
def test_the_same_records_give_the_same_figure_however_they_are_asked_for(con, field):
    """No filter, and every value of a filter ticked, are the same children: the same figures, so
    asking the same thing two ways gives no second draw of the rounding to average."""
    period = parse_period("2025-26-Q2")
    everyone = evaluate(con, list(REGISTRY), period, Filters((CITY,)), PROTECTED)
    ticked = evaluate(con, list(REGISTRY), period, Filters((CITY,), **{field: SPLITS[field]}), PROTECTED)

    def shown(result) -> list:  # rates per 10,000 apply only to unfiltered views, so they are left out
        return [
            (f.value, f.numerator, f.denominator, f.suppressed)
            for f in (result.current, result.previous, *result.series)
        ] + list(result.parts)

    for a, b in zip(everyone, ticked):
        assert shown(a) == shown(b), a.kpi.id


def test_every_protected_figure_is_made_from_protected_counts(con):
    period = parse_period("R12-2026-09")
    for result in evaluate(con, list(REGISTRY), period, Filters((CITY,), agency=("Police",)), PROTECTED):
        if result.kpi.is_published:  # a published figure is public, and made of no counts of ours
            assert all(f.numerator is None for f in (result.current, *result.series)), result.kpi.id
            continue
        for figure in (result.current, result.previous, result.last_year, *result.series):
            # No numbers at all: suppressed, or no data (figures an agency has not submitted).
            if figure.suppressed or figure.no_data:
                assert (figure.value, figure.numerator, figure.denominator, figure.rate_per_10k) == (
                    None,
                ) * 4
                continue
            # A total of scores an agency submits (value kind "number") is not a count: only the count
            # it is divided by is protected (warehouse/kpis/figures.py).
            scores = active_model().measures[result.kpi.numerator].value == FigureValue.NUMBER
            counts = ([] if scores else [figure.numerator]) + (
                [figure.denominator] if result.kpi.denominator else []
            )
            assert all(n >= 5 and n % 5 == 0 for n in counts), (result.kpi.id, counts)
            if result.kpi.denominator and figure.denominator:
                scale = 100 if result.kpi.unit.value == "percent" else 1
                assert figure.value == pytest.approx(figure.numerator / figure.denominator * scale)
        change = shown_change(result.kpi, result.current, result.previous)
        if change.absolute is not None:
            shown = [shown_value(result.kpi, f.value) for f in (result.current, result.previous)]
            assert change.absolute == pytest.approx(shown[0] - shown[1])
        for part in result.parts:
            assert part.count >= 5 and part.count % 5 == 0
