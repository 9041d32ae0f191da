"""Statistical process control: XmR charts read the way NHS England's "Making Data Count" reads them.

An XmR chart separates common-cause variation (the noise any process has) from special causes
(a real shift). The natural process limits are mean +/- 2.66 x the mean moving range; four rules
mark special causes; each special cause is improving or concerning by the KPI's direction; and a
target is judged against the limits: a process whose limits lie wholly on the good side of its
target consistently meets it.

How this reading is made, where the guidance leaves a choice:

- Suppressed or missing months are left out: the moving ranges run between consecutive known points.
- The chart is split into segments at its change points. Each segment's limits come from its own
  baseline, and the rules are read within a segment, against that segment's mean and limits, so no
  run crosses a change point. No moving range is screened out (some tools drop moving ranges
  above 3.267 x their mean before working out the limits; Making Data Count does not).
- Below `SpcConfig.min_points` known points the chart is drawn (points and limits) but says nothing:
  no point carries a rule and there is neither a variation signal nor an assurance.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from itertools import pairwise
from statistics import fmean
from typing import TYPE_CHECKING

from warehouse.kpis.model import Direction, Kpi, Timing, Unit

if TYPE_CHECKING:  # assessment imports the engine; a runtime import here would tie the two together
    from warehouse.kpis.assessment import Assessment

LIMIT_FACTOR = 2.66  # 3 / d2, the bias correction of a moving range of two points (d2 = 1.128), rounded
D2 = 1.128


class Rule(StrEnum):
    """The special-cause rules, in the order a point's side is taken from them."""

    OUTSIDE_LIMITS = "a point outside the process limits"
    TWO_OF_THREE = "two of three points beyond two sigma on the same side"
    SHIFT = "a run of points all above or all below the mean"
    TREND = "a run of points all rising or all falling"


class Side(StrEnum):
    HIGH = "high"
    LOW = "low"


class Signal(StrEnum):
    IMPROVEMENT = "improvement"
    CONCERN = "concern"
    NEITHER = "neither"  # a special cause on a KPI with no direction of good


class Variation(StrEnum):
    """The variation icon: what the latest point says."""

    COMMON_CAUSE = "common cause variation"
    IMPROVING_HIGH = "special cause improvement, high"
    IMPROVING_LOW = "special cause improvement, low"
    CONCERNING_HIGH = "special cause concern, high"
    CONCERNING_LOW = "special cause concern, low"
    NEITHER_HIGH = "special cause, high (no direction of good)"
    NEITHER_LOW = "special cause, low (no direction of good)"
    TOO_FEW_POINTS = "too few points"


class Assurance(StrEnum):
    """The assurance icon: whether the process will meet its target."""

    CONSISTENTLY_MEETS = "consistently meets the target"
    CONSISTENTLY_FAILS = "consistently fails the target"
    HIT_AND_MISS = "hit and miss"


@dataclass(frozen=True)
class SpcConfig:
    min_points: int = 12  # fewer: "too few points", and no signal at all
    shift_points: int = 7
    trend_points: int = 7  # NHS guidance; some use 6


@dataclass(frozen=True)
class Limits:
    """The limits of one segment of the chart: from `first_month` (the month of the segment's first
    known point) up to the next change point."""

    first_month: date
    baseline_points: int  # how many points the mean and moving range were worked out from
    mean: float
    mean_moving_range: float
    lower: float  # mean - 2.66 x mean moving range (may be below zero: it is not clipped)
    upper: float  # mean + 2.66 x mean moving range

    @property
    def sigma(self) -> float:
        return self.mean_moving_range / D2


@dataclass(frozen=True)
class SpcPoint:
    month: date
    value: float
    limits: Limits  # the segment's limits in force at this point
    rules: frozenset[Rule]  # every rule this point is part of; empty for common cause
    side: Side | None  # the side of the special cause (a rising trend is high); None for common cause
    signal: Signal | None  # None for common cause
    moving_range: float | None = None  # from the point before in the same segment; None at a segment's start


@dataclass(frozen=True)
class SpcResult:
    points: tuple[SpcPoint, ...]  # known values only: suppressed or missing months are left out
    enough_points: bool
    variation: Variation
    assurance: Assurance | None  # None: no target, no direction of good, or too few points
    target: float | None
    config: SpcConfig
    # The first month of the latest run of like special causes that includes the latest point.
    signal_since: date | None

    @property
    def latest_limits(self) -> Limits | None:
        return self.points[-1].limits if self.points else None


# A rule's marks: the index (within a segment) of each point it marks, with that point's side.
Marks = dict[int, Side]

_SIGNALS = {
    Direction.HIGHER_IS_BETTER: {Side.HIGH: Signal.IMPROVEMENT, Side.LOW: Signal.CONCERN},
    Direction.LOWER_IS_BETTER: {Side.HIGH: Signal.CONCERN, Side.LOW: Signal.IMPROVEMENT},
    Direction.NEUTRAL: {Side.HIGH: Signal.NEITHER, Side.LOW: Signal.NEITHER},
}
_VARIATIONS = {
    (Signal.IMPROVEMENT, Side.HIGH): Variation.IMPROVING_HIGH,
    (Signal.IMPROVEMENT, Side.LOW): Variation.IMPROVING_LOW,
    (Signal.CONCERN, Side.HIGH): Variation.CONCERNING_HIGH,
    (Signal.CONCERN, Side.LOW): Variation.CONCERNING_LOW,
    (Signal.NEITHER, Side.HIGH): Variation.NEITHER_HIGH,
    (Signal.NEITHER, Side.LOW): Variation.NEITHER_LOW,
}


def xmr(
    series: Sequence[tuple[date, float | None]],
    direction: Direction,
    target: float | None = None,
    *,
    baseline_points: int | None = None,
    change_points: Sequence[date] = (),
    config: SpcConfig = SpcConfig(),
) -> SpcResult:
    """Read a monthly series as an XmR chart.

    `series` is (first day of month, value or None) in month order; None months are left out.
    `change_points` split the chart: a change point starts a new segment at the first known point
    on or after it (so a change point at a suppressed month starts at the next known month); a
    change point that is not one of the series' months, or that falls at or before the first known
    point, is ignored. `baseline_points` N works out each segment's limits from its first N points
    (all of them if it has fewer) and extends them over the rest; None uses every point.

    The rules, each read within a segment against that segment's mean and limits:
    - OUTSIDE_LIMITS: a value above the upper or below the lower limit.
    - TWO_OF_THREE: 2 or 3 of any 3 consecutive points beyond 2 sigma (sigma = mean moving range / 1.128)
      on the same side of the mean; the points beyond are marked, not a third point inside.
    - SHIFT: `shift_points` or more consecutive points all strictly above, or all strictly below,
      the mean; a point exactly on the mean breaks the run. Every point of the run is marked.
    - TREND: `trend_points` or more consecutive points each strictly above (or each strictly
      below) the one before; equal neighbours break the run. Every point of the run is marked.

    A point's side comes from the first rule, in Rule's order, that marks it; a point at the turn
    of a rising and a falling trend takes the side of the run it ends. `signal_since` counts back
    over points with the latest point's signal and side, across change points too.

    With fewer than `config.min_points` known points the points and limits are still given, but no
    point carries a rule, the variation is TOO_FEW_POINTS and there is no assurance.
    """
    _check_month_order(series)
    if baseline_points is not None and baseline_points < 2:
        raise ValueError("a baseline needs at least 2 points: limits come from their moving ranges")
    known = [(month, float(value)) for month, value in series if value is not None]
    enough = bool(known) and len(known) >= config.min_points
    months = [month for month, _ in known]
    points: list[SpcPoint] = []
    for start, end in _segments(months, {month for month, _ in series}, change_points):
        segment = known[start:end]
        points.extend(_segment_points(segment, direction, baseline_points, config, read_rules=enough))
    return SpcResult(
        points=tuple(points),
        enough_points=enough,
        variation=_variation(points, enough),
        assurance=_assurance(points[-1].limits, direction, target) if enough else None,
        target=target,
        config=config,
        signal_since=_signal_since(points),
    )


def spc_for(
    assessment: Assessment, config: SpcConfig = SpcConfig(), change_points: Sequence[date] = ()
) -> SpcResult:
    """The XmR reading of an assessed KPI's monthly series; suppressed months are left out, and each
    change point starts limits of its own.

    The target goes in only where one month's value can be set against it (see `target_applies`).
    """
    series = [
        (figure.period.first_month, None if figure.suppressed or figure.value is None else figure.value)
        for figure in assessment.result.series
    ]
    kpi = assessment.kpi
    target = assessment.target.value if assessment.target and target_applies(kpi) else None
    return xmr(series, kpi.direction, target, change_points=change_points, config=config)


def target_applies(kpi: Kpi) -> bool:
    """Whether a target can be read against single months. A percentage, a ratio or a stock (what is
    open at a month's end) means the same for a month as for the period the target is set for; a
    flow count's target is for the period's total, so one month's count would always fall short. A
    KPI of distinct children (missing more than once, episodes per missing child) counts each child
    once over the whole period, so a month's figure is a different, smaller measure than its target's."""
    if kpi.distinct_children:
        return False
    return kpi.unit in (Unit.PERCENT, Unit.RATIO, Unit.RATE) or kpi.timing is Timing.STOCK


def _check_month_order(series: Sequence[tuple[date, float | None]]) -> None:
    months = [month for month, _ in series]
    if any(later <= earlier for earlier, later in pairwise(months)):
        raise ValueError("an SPC series must be in month order, one value a month")


def _segments(
    months: list[date], series_months: set[date], change_points: Sequence[date]
) -> Iterator[tuple[int, int]]:
    """(start, end) indices of the known points in each segment."""
    if not months:
        return
    starts = {0}
    for change in change_points:
        if change in series_months and 0 < (start := bisect_left(months, change)) < len(months):
            starts.add(start)
    bounds = sorted(starts)
    yield from zip(bounds, [*bounds[1:], len(months)], strict=True)


def _moving_ranges(values: Sequence[float]) -> list[float]:
    return [abs(later - earlier) for earlier, later in pairwise(values)]


def _limits(segment: Sequence[tuple[date, float]], baseline_points: int | None) -> Limits:
    baseline = [value for _, value in segment[:baseline_points]]
    mean = fmean(baseline)
    ranges = _moving_ranges(baseline)
    # One point has no moving range: its limits close on the mean rather than being left undefined.
    mean_range = fmean(ranges) if ranges else 0.0
    spread = LIMIT_FACTOR * mean_range
    return Limits(segment[0][0], len(baseline), mean, mean_range, mean - spread, mean + spread)


def _segment_points(
    segment: Sequence[tuple[date, float]],
    direction: Direction,
    baseline_points: int | None,
    config: SpcConfig,
    read_rules: bool,
) -> Iterator[SpcPoint]:
    limits = _limits(segment, baseline_points)
    values = [value for _, value in segment]
    marks = _rule_marks(values, limits, config) if read_rules else {}
    ranges = [None, *_moving_ranges(values)]
    for index, (month, value) in enumerate(segment):
        rules = frozenset(rule for rule, marked in marks.items() if index in marked)
        side = next((marks[rule][index] for rule in Rule if rule in rules), None)
        signal = _SIGNALS[direction][side] if side else None
        yield SpcPoint(month, value, limits, rules, side, signal, ranges[index])


def _rule_marks(values: Sequence[float], limits: Limits, config: SpcConfig) -> dict[Rule, Marks]:
    return {
        Rule.OUTSIDE_LIMITS: _outside_limits(values, limits),
        Rule.TWO_OF_THREE: _two_of_three(values, limits),
        Rule.SHIFT: _shifts(values, limits.mean, config.shift_points),
        Rule.TREND: _trends(values, config.trend_points),
    }


def _outside_limits(values: Sequence[float], limits: Limits) -> Marks:
    marks: Marks = {}
    for index, value in enumerate(values):
        if value > limits.upper:
            marks[index] = Side.HIGH
        elif value < limits.lower:
            marks[index] = Side.LOW
    return marks


def _two_of_three(values: Sequence[float], limits: Limits) -> Marks:
    high, low = limits.mean + 2 * limits.sigma, limits.mean - 2 * limits.sigma
    beyond = [Side.HIGH if value > high else Side.LOW if value < low else None for value in values]
    marks: Marks = {}
    for first in range(len(values) - 2):
        window = range(first, first + 3)
        for side in Side:
            on_side = [index for index in window if beyond[index] is side]
            if len(on_side) >= 2:
                marks.update(dict.fromkeys(on_side, side))
    return marks


def _shifts(values: Sequence[float], mean: float, min_points: int) -> Marks:
    sides = [Side.HIGH if value > mean else Side.LOW if value < mean else None for value in values]
    return _mark_runs(_maximal_runs(sides), min_points)


def _trends(values: Sequence[float], min_points: int) -> Marks:
    # steps[i] is the step into point i (rising is high); a run of k like steps spans k + 1 points,
    # the point it starts from included.
    steps = [
        None,
        *(
            Side.HIGH if later > earlier else Side.LOW if later < earlier else None
            for earlier, later in pairwise(values)
        ),
    ]
    return _mark_runs(((start - 1, end, side) for start, end, side in _maximal_runs(steps)), min_points)


def _mark_runs(runs: Iterable[tuple[int, int, Side]], min_points: int) -> Marks:
    marks: Marks = {}
    for start, end, side in runs:
        if end - start >= min_points:
            for index in range(start, end):
                marks.setdefault(index, side)  # a turning point keeps the side of the run it ends
    return marks


def _maximal_runs(labels: Sequence[Side | None]) -> Iterator[tuple[int, int, Side]]:
    """(start, end, side) of each maximal run of equal, non-None labels."""
    start = 0
    for index in range(1, len(labels) + 1):
        if index == len(labels) or labels[index] != labels[start]:
            side = labels[start]
            if side is not None:
                yield start, index, side
            start = index


def _variation(points: Sequence[SpcPoint], enough: bool) -> Variation:
    if not enough:
        return Variation.TOO_FEW_POINTS
    latest = points[-1]
    if latest.signal is None or latest.side is None:
        return Variation.COMMON_CAUSE
    return _VARIATIONS[(latest.signal, latest.side)]


def _assurance(limits: Limits, direction: Direction, target: float | None) -> Assurance | None:
    if target is None or direction is Direction.NEUTRAL:
        return None
    if limits.lower <= target <= limits.upper:
        return Assurance.HIT_AND_MISS
    target_below_limits = target < limits.lower
    meets = target_below_limits if direction is Direction.HIGHER_IS_BETTER else not target_below_limits
    return Assurance.CONSISTENTLY_MEETS if meets else Assurance.CONSISTENTLY_FAILS


def _signal_since(points: Sequence[SpcPoint]) -> date | None:
    if not points or points[-1].signal is None:
        return None
    latest = points[-1]
    since = latest.month
    for point in reversed(points[:-1]):
        if (point.signal, point.side) != (latest.signal, latest.side):
            break
        since = point.month
    return since
