"""The quarterly multi-agency scorecard: the partnership's strategic priorities, each with its KPIs
over the last five quarters, the target in force and RAG, the direction of travel and benchmarks.

The priorities are declared in the model: a partnership's `[board]` priorities, else `[[priority]]`
and each KPI's `priority` (docs/model.md). An install's own $SAFEGUARD_HOME/scorecard.toml, the older
way to set them, is still honoured where no `[board]` declares priorities, and then replaces the
`[[priority]]` tables entirely. The figures
come from the KPI engine and the judgements from `assess`, so the scorecard shows what every other
page shows for the same quarter.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

if TYPE_CHECKING:  # the type of ValidationError.errors(), from pydantic's own core (installed with it)
    from pydantic_core import ErrorDetails

from warehouse.kpis.assessment import (
    UNCACHED,
    Benchmark,
    FigureSources,
    TargetInForce,
    TargetLookup,
    assess,
    national_is_total,
)
from warehouse.kpis.engine import SERIES_MONTHS, Change, Figure, Filters
from warehouse.kpis.formatting import shown_change
from warehouse.kpis.model import Direction, Kpi
from warehouse.kpis.periods import Period, PeriodKind, period_ending
from warehouse.kpis.rag import Rag
from warehouse.kpis.registry import REGISTRY, get_kpi
from warehouse.kpis.spc import SpcConfig, SpcResult, spc_for
from warehouse.kpis.suppression import SuppressionPolicy
from warehouse.model.files import Model, active_model
from warehouse.settings import Settings, get_settings

OVERRIDE_NAME = "scorecard.toml"
QUARTERS = 5


class ScorecardConfigError(ValueError):
    """A scorecard file that cannot be used; the message names the file and the problem."""


class ScorecardPriority(BaseModel):
    """A strategic priority and the KPIs that show progress on it, in the order shown."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=1)
    kpis: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _single_figure_kpis_from_the_registry(self) -> ScorecardPriority:
        unknown = [kpi_id for kpi_id in self.kpis if kpi_id not in REGISTRY]
        if unknown:
            known = ", ".join(k.id for k in REGISTRY.values() if not k.is_share)
            which = "which is not a KPI id" if len(unknown) == 1 else "which are not KPI ids"
            raise ValueError(f"priority {self.title!r} lists {_quoted(unknown)}, {which}; known ids: {known}")
        shares = [kpi_id for kpi_id in self.kpis if REGISTRY[kpi_id].is_share]
        if shares:
            raise ValueError(
                f"priority {self.title!r} lists {_quoted(shares)}: a share of a whole has no "
                "single figure to put in a scorecard"
            )
        repeated = sorted({kpi_id for kpi_id in self.kpis if self.kpis.count(kpi_id) > 1})
        if repeated:
            raise ValueError(f"priority {self.title!r} lists {_quoted(repeated)} more than once")
        return self


class ScorecardConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    priorities: tuple[ScorecardPriority, ...] = Field(min_length=1)

    @property
    def kpi_ids(self) -> tuple[str, ...]:
        """Every KPI once, so one engine call per quarter covers the whole scorecard."""
        return tuple(dict.fromkeys(kpi_id for p in self.priorities for kpi_id in p.kpis))


def _quoted(ids: list[str]) -> str:
    return ", ".join(repr(i) for i in ids)


def _problem(error: ErrorDetails) -> str:
    message = str(error["msg"]).removeprefix("Value error, ")
    where = ".".join(str(part) for part in error["loc"])
    return f"{message} (at {where})" if where else message


def _root_causes(errors: list[ErrorDetails]) -> list[ErrorDetails]:
    """Pydantic also calls a list "too short" when one of its items was refused: only the item's
    own error says what to fix."""

    def inside(outer: ErrorDetails, inner: ErrorDetails) -> bool:
        return inner is not outer and inner["loc"][: len(outer["loc"])] == outer["loc"]

    return [e for e in errors if not (e["type"] == "too_short" and any(inside(e, other) for other in errors))]


def load_config(path: Path) -> ScorecardConfig:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ScorecardConfigError(f"{path}: cannot be read ({error.strerror or error})") from None
    except UnicodeDecodeError:
        raise ScorecardConfigError(f"{path}: is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ScorecardConfigError(f"{path}: is not valid TOML ({error})") from None
    try:
        return ScorecardConfig.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(_problem(e) for e in _root_causes(error.errors()))
        raise ScorecardConfigError(f"{path}: {problems}") from None


def override_path(settings: Settings | None = None) -> Path | None:
    """The install's own $SAFEGUARD_HOME/scorecard.toml, if it has one."""
    override = (settings or get_settings()).home / OVERRIDE_NAME
    return override if override.is_file() else None


def model_scorecard(model: Model) -> ScorecardConfig:
    """The model's priorities, each with its KPIs: the partnership's `[board]`, else the
    `[[priority]]` tables with the KPIs that name them (Model.scorecard_priorities)."""
    # Built without validation: read_model has checked every id against this model's own KPIs, which
    # for a model not yet served are not the registry's.
    return ScorecardConfig.model_construct(
        priorities=tuple(
            ScorecardPriority.model_construct(title=title, kpis=kpis)
            for title, kpis in model.scorecard_priorities
        )
    )


def scorecard_config(settings: Settings | None = None) -> ScorecardConfig:
    """The served model's `[board]` priorities where a partnership declared them; else the install's
    own scorecard.toml if it has one (read on each call, so an edit shows on the next page load
    without a restart); else the model's `[[priority]]` tables. The board wins over scorecard.toml:
    it is the newer declaration, checked by `safeguard model check` before it is applied."""
    model = active_model()
    override = None if model.board.priority is not None else override_path(settings)
    return load_config(override) if override else model_scorecard(model)


class Travel(StrEnum):
    IMPROVING = "improving"
    WORSENING = "worsening"
    NO_CHANGE = "no change"
    NO_COMPARISON = "no comparison"
    UP = "up"  # neutral KPIs: a rise is neither good nor bad
    DOWN = "down"


def direction_of_travel(kpi: Kpi, latest: Figure, before: Figure) -> tuple[Travel, Change]:
    """The latest period against the one before (a quarter; a published figure's year), judged by the KPI's direction. A change too
    small to show at the KPI's precision is no change, so the words agree with the figures."""
    change = shown_change(kpi, latest, before)
    return travel(kpi, change), change


def travel(kpi: Kpi, change: Change) -> Travel:
    """A change as shown (shown_change), judged by the KPI's direction of good."""
    if change.absolute is None:
        return Travel.NO_COMPARISON
    if change.absolute == 0:
        return Travel.NO_CHANGE
    rising = change.absolute > 0
    if kpi.direction is Direction.NEUTRAL:
        return Travel.UP if rising else Travel.DOWN
    improving = rising == (kpi.direction is Direction.HIGHER_IS_BETTER)
    return Travel.IMPROVING if improving else Travel.WORSENING


def latest_quarter_ending_by(day: date) -> Period:
    """The latest complete quarter that ends on or before `day`."""
    found = period_ending(PeriodKind.QUARTER, day)
    return found if found.end <= day else found.previous()


def quarters_to(end: Period, count: int = QUARTERS) -> tuple[Period, ...]:
    """`count` quarters ending with `end`, oldest first."""
    if end.kind is not PeriodKind.QUARTER:
        raise ValueError(f"a scorecard runs to a quarter, not {end.label}")
    return tuple(end.shifted(-end.months * back) for back in range(count - 1, -1, -1))


REPEATED = "–"  # a quarter whose figure is the next quarter's again (ScorecardRow.repeats)


def repeated_words(figure: Figure) -> str:
    return f"the next quarter's figure again: {figure.period.label}'s, published once a year"


def is_year_figure(figure: Figure, quarter: Period) -> bool:
    """Whether the figure shown in `quarter` is one published for a year, which names its year."""
    return figure.period != quarter and not figure.no_data


def year_figure_words(figure: Figure) -> str:
    """A figure published for a year, shown in a quarter: which year's it is."""
    return f"{figure.period.label}'s figure, the latest year published"


@dataclass(frozen=True)
class ScorecardRow:
    kpi: Kpi
    figures: tuple[Figure, ...]  # one per quarter, oldest first; suppressed ones say so
    target: TargetInForce | None  # in force at the end of the last quarter
    rag: Rag | None  # the last quarter against that target
    travel: Travel
    change: Change  # the last quarter on the one before, as shown
    benchmark: Benchmark | None  # England and statistical neighbours, latest published year
    spc: SpcResult  # the monthly series to the end of the last quarter, read as an XmR chart

    @property
    def latest(self) -> Figure:
        return self.figures[-1]

    @property
    def repeats(self) -> tuple[bool, ...]:
        """Per quarter, whether its figure is the next quarter's again: a figure published once a
        year stands for every quarter until the next year's, and is shown once, in its last one."""
        return tuple(
            figure.period == later.period
            for figure, later in zip(self.figures, self.figures[1:], strict=False)
        ) + (False,)

    @property
    def national_is_total(self) -> bool:
        return national_is_total(self.kpi, self.benchmark)


@dataclass(frozen=True)
class PriorityRows:
    title: str
    rows: tuple[ScorecardRow, ...]


@dataclass(frozen=True)
class Scorecard:
    quarters: tuple[Period, ...]  # oldest first
    priorities: tuple[PriorityRows, ...]

    @property
    def end(self) -> Period:
        return self.quarters[-1]


def build_scorecard(
    con: duckdb.DuckDBPyConnection,
    end: Period,
    filters: Filters,
    policy: SuppressionPolicy,
    targets: TargetLookup | None,
    sources: FigureSources = UNCACHED,
    config: ScorecardConfig | None = None,
    spc_config: SpcConfig = SpcConfig(),
) -> Scorecard:
    """The scorecard for the scope and filters, for the five quarters to `end`: one engine call, the
    last quarter's with the earlier quarters' figures read alongside; suppression is the engine's,
    by `policy`."""
    config = config or scorecard_config()
    quarters = quarters_to(end)
    kpi_ids = config.kpi_ids
    judged = assess(
        con,
        kpi_ids,
        end,
        filters,
        policy,
        targets,
        series_months=SERIES_MONTHS,
        sources=sources,
        also=quarters[:-1],
    )
    latest = {a.kpi.id: a for a in judged}

    def row(kpi_id: str) -> ScorecardRow:
        assessment = latest[kpi_id]
        result = assessment.result
        shown = (*result.also, result.current)
        # The period before the last: the quarter before, or for a published figure the year before
        # (its quarters repeat the same year's figure).
        travel, change = direction_of_travel(get_kpi(kpi_id), result.current, result.previous)
        return ScorecardRow(
            kpi=assessment.kpi,
            figures=shown,
            target=assessment.target,
            rag=assessment.rag,
            travel=travel,
            change=change,
            benchmark=assessment.benchmark,
            spc=spc_for(assessment, spc_config),
        )

    return Scorecard(
        quarters=quarters,
        priorities=tuple(PriorityRows(p.title, tuple(row(k) for k in p.kpis)) for p in config.priorities),
    )
