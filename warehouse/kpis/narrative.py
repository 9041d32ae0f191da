"""First drafts of "What is the data telling us?": one factual paragraph per KPI, from templates.

A draft says what the figures say, in a fixed order (the value, its changes, its place beside
the published benchmarks, the SPC reading and the target's assurance), so the author starts from
the facts and writes the why. It is deterministic: the same figures always give the same words,
with no external service, so a draft can be tested to the letter.

Suppression is respected: a suppressed figure carries no numbers, and the draft never looks for
them. It says the figure is suppressed, and gives no value or change worked out from it. A period
that no load covers is said to have no figures, with the reason.
"""

from __future__ import annotations

from datetime import date

from warehouse.kpis.assessment import Assessment, Benchmark
from warehouse.kpis.engine import Figure, KpiResult
from warehouse.kpis.formatting import (
    _ordinal,
    figure_period_label,
    format_number,
    format_published,
    format_rate,
    series_word,
    shown_change,
    shown_unit,
    stock_period_name,
)
from warehouse.kpis.model import Direction, Kpi, Timing, Unit
from warehouse.kpis.periods import Period, month
from warehouse.kpis.spc import Assurance, SpcResult, Variation
from warehouse.model.files import active_model

# Registry titles read as the subject of "... were 17.2% in 2024/25" except these.
_SENTENCE_NAMES = {
    "re_referral_12m": "Re-referrals",
    # A share KPI's draft is of its total, so it is named for what it counts.
    "contacts_by_source": "Contacts",
    "referrals_by_source": "Referrals",
    "cp_category": "CP plans started",
}

NEIGHBOURS_AVERAGE = "the statistical neighbours' average"
# Region names that read with "the": the North East, the East of England; not London or Yorkshire.
_COMPASS_POINTS = ("North", "South", "East", "West")

_SPECIAL_CAUSES = {
    Variation.IMPROVING_HIGH: "Special-cause improvement",
    Variation.IMPROVING_LOW: "Special-cause improvement",
    Variation.CONCERNING_HIGH: "Special-cause concern",
    Variation.CONCERNING_LOW: "Special-cause concern",
    Variation.NEITHER_HIGH: "Special-cause variation, high,",
    Variation.NEITHER_LOW: "Special-cause variation, low,",
}
_ASSURANCE_WORDS = {
    Assurance.CONSISTENTLY_MEETS: "is consistently met",
    Assurance.CONSISTENTLY_FAILS: "is consistently missed",
    Assurance.HIT_AND_MISS: "is hit and miss",
}


def draft_commentary(assessment: Assessment, spc: SpcResult | None, region_name: str | None = None) -> str:
    """A plain-text paragraph for the KPI's current period; `region_name` names the region's benchmark
    ("North East"), else it is "the region"."""
    sentences = (
        _figures_sentence(assessment, region_name),
        _published_reference(assessment, region_name),
        _spc_sentence(assessment, spc),
    )
    return " ".join(sentence for sentence in sentences if sentence)


def sentence_name(kpi: Kpi) -> str:
    """The KPI as the plural subject of a sentence. A share KPI's draft is of its total, so it is named
    for what it counts: the title of the model's count KPI of the same measure, else its own title's
    words before the split ("LADO allegations concluded, by outcome")."""
    if kpi.id in _SENTENCE_NAMES:
        return _SENTENCE_NAMES[kpi.id]
    if not kpi.is_share:
        return kpi.title
    totals = (
        k.title
        for k in active_model().kpis.values()
        if k.numerator == kpi.numerator and not k.is_share and k.denominator is None
    )
    return next(totals, kpi.title.split(" by ")[0].rstrip(", "))


# --- The figures: value, changes and benchmarks -------------------------------------------------


def _figures_sentence(assessment: Assessment, region_name: str | None) -> str:
    kpi, result = assessment.kpi, assessment.result
    current = result.current
    subject = f"{sentence_name(kpi)} {_period_phrase(kpi, current.period)}"
    if current.no_data:
        return f"There are no figures for {subject}: {current.no_data}."
    if current.suppressed:
        return f"{subject} are suppressed because the numbers are small, so no figures or changes are given."
    clauses = (
        _value_clause(kpi, current),
        _change_clause(kpi, result),
        _benchmark_clause(assessment, region_name),
    )
    return ", ".join(clause for clause in clauses if clause) + "."


def _value_clause(kpi: Kpi, figure: Figure) -> str:
    value = format_number(figure.value, shown_unit(kpi))
    text = f"{sentence_name(kpi)} were {value} {_period_phrase(kpi, figure.period)}"
    if kpi.per_10k and figure.rate_per_10k is not None:
        text += f" ({format_rate(figure)} per 10,000 children)"
    return text


def _change_clause(kpi: Kpi, result: KpiResult) -> str | None:
    bases = [result.previous]
    if result.last_year.period != result.previous.period:  # a financial year's previous is last year
        bases.append(result.last_year)
    changes = [_change_on(kpi, result.current, base) for base in bases]
    shown = [change for change in changes if change]
    return _join(shown) if shown else None


def _change_on(kpi: Kpi, current: Figure, base: Figure) -> str | None:
    if base.suppressed:
        return None
    change = shown_change(kpi, current, base)
    if change.absolute is None:
        return None
    return f"{_movement(kpi, change.absolute, change.percent)} on {_base_period_name(kpi, base.period)}"


def _movement(kpi: Kpi, absolute: float, percent: float | None) -> str:
    """'down 6.2 points' for a percentage, 'up 120 (4.0%)' for a count or a ratio."""
    if absolute == 0:
        return "unchanged"
    direction = "up" if absolute > 0 else "down"
    size = abs(absolute)
    unit = shown_unit(kpi)
    if unit is Unit.PERCENT:
        return f"{direction} {size:.1f} points"
    amount = format_number(size, unit)
    if percent is None:  # from zero there is no relative change
        return f"{direction} {amount}"
    return f"{direction} {amount} ({format_number(abs(percent), Unit.PERCENT)})"


def _benchmark_clause(assessment: Assessment, region_name: str | None) -> str | None:
    """'below England (22.6%) and 2nd lowest of 11 with statistical neighbours'."""
    benchmark = _benchmark(assessment)
    if benchmark is None or not _can_compare(assessment, benchmark):
        return None
    kpi = assessment.kpi
    comparisons = _comparisons(assessment, benchmark, region_name)
    parts = []
    if comparisons:
        parts.append(("a rate " if benchmark.is_rate else "") + _relations(comparisons))
    if rank := _rank_phrase(kpi, benchmark):
        parts.append(rank)
    if not parts:
        return None
    # A list of comparators already has its own "and": a comma keeps the rank apart from it.
    text = (", and " if len(comparisons) > 1 else " and ").join(parts)
    if not benchmark.matches_period:
        text += f" in {benchmark.financial_year}, the latest published"
    return text


def _benchmark(assessment: Assessment) -> Benchmark | None:
    # Published figures for a share KPI are of its parts, and its draft is of its total.
    return None if assessment.kpi.is_share else assessment.benchmark


def _can_compare(assessment: Assessment, benchmark: Benchmark) -> bool:
    """Whether the LA's figure can be called above or below the published ones."""
    current = assessment.result.current
    if current.suppressed or assessment.compared_value is None:
        return False
    kpi = assessment.kpi
    # Published figures are for a year: a flow counted over fewer months, or its rate, would look small.
    counts_a_flow = kpi.timing is Timing.FLOW and (kpi.unit is Unit.COUNT or benchmark.is_rate)
    return not counts_a_flow or current.period.months == 12


def _comparisons(
    assessment: Assessment, benchmark: Benchmark, region_name: str | None
) -> list[tuple[str, str]]:
    """(relation, 'England (22.6%)') for each published figure the LA's can stand beside."""
    kpi, la_value = assessment.kpi, assessment.compared_value
    if la_value is None:  # _can_compare has said no already
        return []
    digits = _shown_digits(kpi, benchmark)
    return [
        (_relation(la_value, value, digits), f"{name} ({_published(kpi, benchmark, value)})")
        for name, value in _published_figures(
            benchmark, region_name, one_la_only=assessment.national_is_total
        )
    ]


def _published_figures(
    benchmark: Benchmark, region_name: str | None, one_la_only: bool = False
) -> list[tuple[str, float]]:
    named = [] if one_la_only else [("England", benchmark.england), (_region(region_name), benchmark.region)]
    named.append((NEIGHBOURS_AVERAGE, benchmark.neighbour_mean))
    return [(name, value) for name, value in named if value is not None]


def _published(kpi: Kpi, benchmark: Benchmark, value: float) -> str:
    return format_published(value, kpi.unit, benchmark.is_rate)


def _region(region_name: str | None) -> str:
    if not region_name:
        return "the region"
    if region_name.startswith(_COMPASS_POINTS):
        return f"the {region_name}"
    return region_name


def _shown_digits(kpi: Kpi, benchmark: Benchmark) -> int:
    if benchmark.is_rate or kpi.unit in (Unit.PERCENT, Unit.RATE):
        return 1
    return 2 if kpi.unit is Unit.RATIO else 0


def _relation(la_value: float, published: float, digits: int) -> str:
    # Judged as written: 22.64 beside 22.58 reads 22.6 beside 22.6, which is "the same as".
    la, other = round(la_value, digits), round(published, digits)
    if la == other:
        return "the same as"
    return "above" if la > other else "below"


def _relations(comparisons: list[tuple[str, str]]) -> str:
    """'below England (22.6%) and the North East (19.0%) but above the region (16.0%)'."""
    grouped: dict[str, list[str]] = {}
    for relation, named in comparisons:
        grouped.setdefault(relation, []).append(named)
    phrases = [f"{relation} {_join(names)}" for relation, names in grouped.items()]
    return " but ".join(phrases) if len(phrases) == 2 else _join(phrases)


def _rank_phrase(kpi: Kpi, benchmark: Benchmark) -> str | None:
    """Rank 1 is the best by the KPI's direction, so for lower-is-better it is the lowest."""
    rank, size = benchmark.rank, benchmark.group_size
    if rank is None:
        return None
    lowest_first = kpi.direction is Direction.LOWER_IS_BETTER
    end, other_end = ("lowest", "highest") if lowest_first else ("highest", "lowest")
    if rank == 1:
        place = f"the {end}"
    elif rank == size:
        place = f"the {other_end}"
    else:
        place = f"{_ordinal(rank)} {end}"
    return f"{place} of {size} with statistical neighbours"


def _published_reference(assessment: Assessment, region_name: str | None) -> str | None:
    """The published figures for reference, when the LA's figure cannot be set beside them."""
    benchmark = _benchmark(assessment)
    if benchmark is None or _can_compare(assessment, benchmark):
        return None
    figures = _published_figures(benchmark, region_name)
    if not figures:
        return None
    what = "Published rates per 10,000 children" if benchmark.is_rate else "Published figures"
    year = benchmark.financial_year + ("" if benchmark.matches_period else ", the latest")
    shown = [f"{name} {_published(assessment.kpi, benchmark, value)}" for name, value in figures]
    return f"{what} for {year}: {_join(shown)}."


# --- SPC and assurance ---------------------------------------------------------------------------


def _spc_sentence(assessment: Assessment, spc: SpcResult | None) -> str | None:
    if spc is None:
        return None
    every = series_word(assessment.result.series)  # monthly, or a submitted dataset's quarterly
    parts = [_spc_reading(spc, every), _assurance_clause(assessment, spc)]
    return "; ".join(part for part in parts if part) + "."


def _spc_reading(spc: SpcResult, every: str = "monthly") -> str:
    if not spc.enough_points or spc.variation is Variation.TOO_FEW_POINTS:
        return f"Too few {every} points for an SPC reading"
    if spc.variation is Variation.COMMON_CAUSE:
        return f"{every.capitalize()} figures show only common-cause variation"
    reading = _SPECIAL_CAUSES[spc.variation]
    if spc.signal_since is None:
        return reading.removesuffix(",")
    return f"{reading} since {_month_name(spc.signal_since)}"


def _assurance_clause(assessment: Assessment, spc: SpcResult) -> str | None:
    if spc.assurance is None or assessment.target is None:
        return None
    target = _target_text(assessment.kpi, assessment.target.value)
    return f"the {target} target {_ASSURANCE_WORDS[spc.assurance]}"


def _target_text(kpi: Kpi, value: float) -> str:
    # Targets are set as round numbers: "the 20% target" reads better than "the 20.0% target".
    text = format_number(value, shown_unit(kpi))
    return text.removesuffix(".0%") + "%" if text.endswith(".0%") else text


# --- Periods and words ---------------------------------------------------------------------------


def _period_phrase(kpi: Kpi, period: Period) -> str:
    """'in 2024/25'; a stock is what is open 'at the end of March 2025'."""
    if kpi.timing is Timing.STOCK:
        return figure_period_label(kpi, period)
    return f"in the {period.label}" if period.is_rolling else f"in {period.label}"


def _base_period_name(kpi: Kpi, period: Period) -> str:
    """A period compared with, in its short form: 'on 2023/24', 'on the 12 months to Feb 2025'."""
    if kpi.timing is Timing.STOCK:
        return stock_period_name(period)
    return f"the {period.short_label}" if period.is_rolling else period.label


def _month_name(first_of_month: date) -> str:
    return month(first_of_month.year, first_of_month.month).label


def _join(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
