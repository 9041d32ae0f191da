"""What the executive KPI cards show, in the shape every baseline gives it, so each can be checked
equal to the engine figure by figure.

A card shows, for one LA (or all of England) and a period: the period's value, the previous period,
the same period last year and the monthly series (warehouse.kpis.engine.SERIES_MONTHS months to the
period's end), as the engine defines them. The baselines (bench/baseline.py: pandas two ways;
bench/sql_baseline.py: hand-written SQL on the facts) give the numerator and denominator of each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from warehouse.kpis.engine import SERIES_MONTHS, KpiResult
from warehouse.kpis.periods import Period, PeriodKind, add_months
from warehouse.kpis.registry import EXECUTIVE_KPIS

# KPI id -> (period, numerator, denominator or None for a count) for each figure of its card:
# current, previous, same period last year, then the monthly series, oldest first.
Figures = dict[str, list[tuple[Period, int, int | None]]]


@dataclass(frozen=True)
class Combination:
    la: str | None  # None: all of England
    period: Period

    @property
    def label(self) -> str:
        return f"{self.la or 'England'} {self.period.code}"


def card_periods(period: Period) -> list[Period]:
    """What a KPI card shows for `period`: the period, the previous one, the same period last
    year, and the SERIES_MONTHS months to its end (oldest first), as the engine defines them."""
    last = period.last_month
    series = [Period(PeriodKind.MONTH, add_months(last, -i)) for i in range(SERIES_MONTHS - 1, -1, -1)]
    return [period, period.previous(), period.same_period_last_year(), *series]


def month_end(month: date) -> date:
    """The last day of the month starting `month`: what a stock counts open at."""
    return date.fromordinal(add_months(month, 1).toordinal() - 1)


@dataclass(frozen=True)
class Totals:
    """What every card is made of, for one scope: by month, the events of each flow (and how many
    of them are flagged), the plans open at its end (and how many of them for 2 years or more); by
    window (first month, last month), the children missing (and how many twice or more)."""

    flows: dict[str, dict[date, tuple[int, int]]]  # "referrals", "icpcs", "starts", "returns"
    open_plans: dict[date, tuple[int, int]]
    children: dict[tuple[date, date], tuple[int, int]]

    def flow(self, name: str, period: Period) -> tuple[int, int]:
        """A flow's events in the period, and how many of them are flagged: the sum of its months."""
        months = self.flows[name]
        found = [months.get(m, (0, 0)) for m in period.month_starts()]
        return sum(n for n, _ in found), sum(flagged for _, flagged in found)

    def figures(self, periods: list[Period]) -> Figures:
        def ratio(name: str, p: Period) -> tuple[Period, int, int]:
            n, flagged = self.flow(name, p)
            return p, flagged, n

        def stock(p: Period) -> tuple[int, int]:
            return self.open_plans.get(p.last_month, (0, 0))

        def children(p: Period) -> tuple[int, int]:
            return self.children.get((p.first_month, p.last_month), (0, 0))

        return {
            "referrals": [(p, self.flow("referrals", p)[0], None) for p in periods],
            "re_referral_12m": [ratio("referrals", p) for p in periods],
            "icpc_15wd": [ratio("icpcs", p) for p in periods],
            "cp_open": [(p, stock(p)[0], None) for p in periods],
            "cp_repeat": [ratio("starts", p) for p in periods],
            "cp_2yrs": [(p, stock(p)[1], stock(p)[0]) for p in periods],
            "missing_repeat": [(p, children(p)[1], children(p)[0]) for p in periods],
            "rhi_72h": [ratio("returns", p) for p in periods],
        }


def engine_figures(results: list[KpiResult]) -> Figures:
    """The engine's figures in the baselines' shape: current, previous, last year, then the series."""
    return {
        r.kpi.id: [
            (f.period, f.numerator, f.denominator) for f in (r.current, r.previous, r.last_year, *r.series)
        ]
        for r in results
    }


def numbers_in(figures: Figures) -> int:
    """How many numbers the figures hold: a numerator each, and a denominator for the ratios."""
    return sum(1 + (den is not None) for card in figures.values() for _, _, den in card)


def check_equal(baseline: str, combination: Combination, ours: Figures, theirs: Figures) -> None:
    """Every figure of every card, period by period; stops the run at the first combination that differs:
    a speed-up over a baseline that computes something else would prove nothing."""
    differ = {
        kpi: [
            (engine, other) for engine, other in zip(ours[kpi], theirs[kpi], strict=True) if engine != other
        ]
        for kpi in EXECUTIVE_KPIS
        if len(ours[kpi]) != len(theirs[kpi]) or ours[kpi] != theirs[kpi]
    }
    if differ:
        raise AssertionError(
            f"{baseline} and the engine differ for {combination.label} "
            f"(KPI: [(engine, baseline) as (period, numerator, denominator)]): {differ}"
        )
