"""How KPI figures are written for people: one place for the CLI, cards, grids and exports."""

from __future__ import annotations

from collections.abc import Sequence

from warehouse.kpis.engine import Change, Figure
from warehouse.kpis.model import Direction, Kpi, Unit
from warehouse.kpis.periods import PeriodKind
from warehouse.kpis.suppression import SUPPRESSED

NOT_AVAILABLE = "n/a"
# A period that no load of the KPI's datasets covers (Figure.no_data says why): not 0, not n/a.
NO_DATA = "no data"


def format_number(value: float | None, unit: Unit) -> str:
    if value is None:
        return NOT_AVAILABLE
    if unit is Unit.PERCENT:
        return f"{value:.1f}%"
    if unit is Unit.RATIO:
        return f"{value:.2f}"
    if unit is Unit.RATE:
        return f"{value:,.1f}"
    return f"{value:,.0f}"


def format_published(value: float | None, unit: Unit, is_rate: bool) -> str:
    """A published benchmark figure: a rate per 10,000 to one decimal, else as the KPI's unit."""
    if value is None:
        return "not published"
    return f"{value:.1f}" if is_rate else format_number(value, unit)


def format_figure(kpi: Kpi, figure: Figure) -> str:
    """The headline of a share KPI is its total; its parts carry the percentages."""
    if figure.no_data:
        return NO_DATA
    if figure.suppressed:
        return SUPPRESSED
    return format_number(figure.value, Unit.COUNT if kpi.is_share else kpi.unit)


def _no_negative_zero(value: float, digits: int) -> float:
    """-0.04 shown to one decimal is "-0.0": a change too small to show is no change."""
    return 0.0 if round(value, digits) == 0 else value


def format_rank(kpi: Kpi, rank: int | None, group_size: int) -> str:
    if rank is None:
        return ""
    if kpi.direction is Direction.NEUTRAL:
        return f"{_ordinal(rank)} highest of {group_size}"
    return f"{rank} of {group_size}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def format_rate(figure: Figure) -> str:
    if figure.no_data:
        return NO_DATA
    if figure.suppressed:
        return SUPPRESSED
    return NOT_AVAILABLE if figure.rate_per_10k is None else f"{figure.rate_per_10k:.1f}"


def shown_change(kpi: Kpi, change: Change) -> Change:
    """The change as it is written: a change too small to show at the KPI's precision is none."""
    if change.absolute is None:
        return change
    digits = (
        2
        if kpi.unit is Unit.RATIO
        else 1
        if kpi.unit is Unit.RATE or (kpi.unit is Unit.PERCENT and not kpi.is_share)
        else 0
    )
    percent = None if change.percent is None else _no_negative_zero(change.percent, 1)
    return Change(_no_negative_zero(change.absolute, digits), percent)


def format_change(kpi: Kpi, change: Change) -> str:
    """'+2.1 points (+9.5%)' for a percentage, '+120 (+4.0%)' for a count; n/a for a zero base."""
    if change.absolute is None:
        return NOT_AVAILABLE
    change = shown_change(kpi, change)
    if kpi.unit is Unit.PERCENT and not kpi.is_share:
        absolute = f"{change.absolute:+.1f} points"
    elif kpi.unit is Unit.RATIO:
        absolute = f"{change.absolute:+.2f}"
    elif kpi.unit is Unit.RATE:
        absolute = f"{change.absolute:+,.1f}"
    else:
        absolute = f"{change.absolute:+,.0f}"
    relative = NOT_AVAILABLE if change.percent is None else f"{change.percent:+.1f}%"
    return f"{absolute} ({relative})"


_EVERY = {PeriodKind.MONTH: "monthly", PeriodKind.QUARTER: "quarterly", PeriodKind.FINANCIAL_YEAR: "yearly"}


def series_word(series: Sequence[Figure]) -> str:
    """How often a KPI's series has a point: 'monthly', or the cadence of the figures an agency
    submits ('quarterly' for a quarterly dataset: warehouse/kpis/figures.py)."""
    return _EVERY.get(series[0].period.kind, "monthly") if series else "monthly"
