"""How KPI figures are written for people: one place for the CLI, cards, grids and exports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from warehouse.kpis.engine import Change, Figure
from warehouse.kpis.model import Direction, Kpi, Timing, Unit
from warehouse.kpis.periods import Period, PeriodKind, month
from warehouse.kpis.suppression import SUPPRESSED

NOT_AVAILABLE = "n/a"
# A period that no load of the KPI's datasets covers (Figure.no_data says why): not 0, not n/a.
NO_DATA = "no data"


# The decimals each unit is written to: every figure, change and judgement of it works from the
# value rounded to these, so what is said about a figure agrees with the figure shown.
DIGITS = {Unit.COUNT: 0, Unit.PERCENT: 1, Unit.RATIO: 2, Unit.RATE: 1}


def format_number(value: float | None, unit: Unit) -> str:
    if value is None:
        return NOT_AVAILABLE
    if unit is Unit.PERCENT:
        return f"{value:.{DIGITS[unit]}f}%"
    return f"{value:,.{DIGITS[unit]}f}"


def day_words(day: date) -> str:
    """A day as the product writes it: '31 October 2026'. The grids write theirs the same way in the
    browser (app/components/grid.py DAY_FORMAT), over values kept as ISO dates so they sort."""
    return f"{day.day} {day:%B %Y}"


def moment_words(moment: datetime) -> str:
    """A time of day as well: '31 October 2026, 14:05'."""
    return f"{day_words(moment)}, {moment:%H:%M}"


def shown_unit(kpi: Kpi) -> Unit:
    """The unit a KPI's headline is written in: a share KPI's is its total count (its parts carry
    the percentages)."""
    return Unit.COUNT if kpi.is_share else kpi.unit


def shown_value(kpi: Kpi, value: float | None) -> float | None:
    """A KPI's value (or its target) as it is written: rounded to its unit's decimals."""
    return None if value is None else round(value, DIGITS[shown_unit(kpi)])


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
    return format_number(figure.value, shown_unit(kpi))


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


def shown_change(kpi: Kpi, current: Figure, base: Figure) -> Change:
    """The change from `base` to `current` as the two figures are written (shown_value): 3.14% on
    3.11% is 3.1% on 3.1%, no change; 3.16% on 3.11% is 3.2% on 3.1%, +0.1 points (+3.2%). Every
    change, its arrow and its word (scorecard.travel) is this one, so none disagrees with the
    figures beside it. None when either figure has no value (suppressed, no data); the percent is
    also None from a base shown as 0 (written "n/a", never infinity)."""
    now, then = shown_value(kpi, current.value), shown_value(kpi, base.value)
    if now is None or then is None:
        return Change(None, None)
    # Rounded again: 3.2 - 3.1 is 0.10000000000000009 in binary; + 0.0 turns -0.0 into 0.0.
    absolute = round(now - then, DIGITS[shown_unit(kpi)]) + 0.0
    return Change(absolute, None if then == 0 else absolute / then * 100)


def change_arrow(change: Change) -> str:
    """The arrow beside a change (shown_change): which way the figure moved, not whether for the better."""
    if change.absolute is None:
        return "–"
    return "▲" if change.absolute > 0 else "▼" if change.absolute < 0 else "▶"


def format_change(kpi: Kpi, change: Change) -> str:
    """A change as shown_change works it out: '+2.1 points (+9.5%)' for a percentage, '+120 (+4.0%)'
    for a count, '0.0 points (0.0%)' for none (no sign: nothing moved); n/a for a zero base. The
    relative change keeps the sign of the absolute one, however small ('-1 (-0.0%)')."""
    if change.absolute is None:
        return NOT_AVAILABLE
    unit = shown_unit(kpi)
    sign = "+" if change.absolute else ""
    absolute = f"{change.absolute:{sign},.{DIGITS[unit]}f}" + (" points" if unit is Unit.PERCENT else "")
    relative = NOT_AVAILABLE if change.percent is None else f"{change.percent:{sign}.1f}%"
    return f"{absolute} ({relative})"


_EVERY = {PeriodKind.MONTH: "monthly", PeriodKind.QUARTER: "quarterly", PeriodKind.FINANCIAL_YEAR: "yearly"}


def series_word(series: Sequence[Figure]) -> str:
    """How often a KPI's series has a point: 'monthly', or the cadence of the figures an agency
    submits ('quarterly' for a quarterly dataset: warehouse/kpis/figures.py)."""
    return _EVERY.get(series[0].period.kind, "monthly") if series else "monthly"


def figure_period_label(kpi: Kpi, period: Period) -> str:
    """The period of a KPI's figure in words: a count of events is the period's ('12 months to
    November 2026'); a stock is what was open when it ended ('at the end of November 2026')."""
    if kpi.timing is Timing.STOCK:
        return f"at the end of {stock_period_name(period)}"
    return period.label


def stock_period_name(period: Period) -> str:
    # A stock is a snapshot at the period's end, so a rolling period is just its last month.
    if period.is_rolling:
        last = period.last_month
        return month(last.year, last.month).label
    return period.label
