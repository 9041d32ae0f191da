"""What a KPI declaration holds. Declarations live in the model's files (warehouse/model/builtin/kpis.toml
and a partnership's own in $SAFEGUARD_HOME/model), one per KPI."""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from warehouse.model.specs import Identifier


class Unit(StrEnum):
    COUNT = "count"
    PERCENT = "percent"
    RATIO = "ratio"
    RATE = "rate"  # a published rate or average (per 10,000, cases per worker): one decimal


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher"
    LOWER_IS_BETTER = "lower"
    NEUTRAL = "neutral"  # context only: no RAG colour, only the change


class Timing(StrEnum):
    FLOW = "flow"  # events whose date falls in the period
    STOCK = "stock"  # what is open at the end of the period


class Kpi(BaseModel):
    """One KPI: its definition in words and the cube measures that compute it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Identifier = Field(description="Its name everywhere: lower case letters, digits and _.")
    title: str = Field(min_length=1, max_length=120, description="As cards, tables and the pack show it.")
    source: Literal["measures", "published"] = Field(
        default="measures",
        description='Where its figure comes from: "measures" (counted from the loaded records), or '
        '"published": the LA\'s own figure in the published table its `benchmark` names, for the latest '
        "year published (no dataset, no measures).",
    )
    dataset: Identifier | None = Field(default=None, description="The dataset its measures count.")
    definition: str = Field(description="The definition in words, as KPI-DEFINITIONS.md gives it.")
    unit: Unit = Field(
        description="count, percent (numerator as a % of denominator), ratio, or rate (a published rate "
        "or average, to one decimal)."
    )
    direction: Direction = Field(description="Which way is good: higher, lower, or neutral (no RAG colour).")
    timing: Timing = Field(description="flow (events in the period) or stock (open at the period's end).")
    numerator: Identifier | None = Field(default=None, description="The measure counted on top.")
    denominator: Identifier | None = Field(default=None, description="The measure divided by, if any.")
    per_10k: bool = Field(default=False, description="Also shown as a rate per 10,000 children aged 0 to 17.")
    breakdown: Identifier | None = Field(
        default=None, description="For a share KPI: the dimension whose parts are shown as % of the whole."
    )
    benchmark: str | None = Field(
        default=None, description="The KPI id in benchmark_value, if DfE publishes one."
    )
    rate_benchmark: str | None = Field(
        default=None, description="The benchmark_value id of its rate per 10,000."
    )
    benchmark_population: dict[Identifier, tuple[str, ...]] = Field(
        default_factory=dict,
        description="The filter that matches whom the published figures count (DfE's missing figures: "
        "children in care): compared with them only under exactly this filter.",
    )
    local_definition: bool = Field(default=False, description="No national definition: labelled as local.")
    dimensions: tuple[str, ...] = Field(
        default=(), description="Filled in by the model: the dimensions its dataset carries."
    )
    distinct_children: bool = Field(
        default=False, description="Counts children, not events, so it cannot be summed over months."
    )
    executive: bool = Field(default=False, description="In the executive summary's default set.")
    priority: Identifier | None = Field(
        default=None,
        description="The scorecard priority (a [[priority]] id) it shows progress on; under it, KPIs are in "
        "the order the model declares them. A share has no single figure, so it has none.",
    )
    help: str = Field(default="", description="A note shown under the definition.")
    agency: str = Field(
        default="Local authority",
        description="The partner agency whose work it measures (an agency group, as partner accounts name "
        "them): that agency's partners write its commentary and answer its challenges.",
    )

    @model_validator(mode="after")
    def _source_keys(self) -> Kpi:
        if not self.is_published:
            if self.dataset is None or self.numerator is None:
                raise ValueError("a KPI counted from measures needs its `dataset` and its `numerator`")
            return self
        if self.benchmark is None:
            raise ValueError("a published KPI names its published table in `benchmark`")
        counted = ("dataset", "numerator", "denominator", "breakdown", "rate_benchmark")
        given = [key for key in counted if getattr(self, key) is not None]
        given += [key for key in ("per_10k", "distinct_children") if getattr(self, key)]
        given += ["benchmark_population"] if self.benchmark_population else []
        if given:
            raise ValueError(f"a published KPI counts no records, so it has no {', '.join(given)}")
        return self

    @property
    def is_share(self) -> bool:
        return self.breakdown is not None

    @property
    def dataset_id(self) -> str:
        """The dataset a counted KPI's measures count (a published KPI has none: asking is a bug)."""
        if self.dataset is None:
            raise ValueError(f"{self.id} is a published figure: it counts no dataset")
        return self.dataset

    @property
    def numerator_id(self) -> str:
        """A counted KPI's numerator measure (a published KPI has none: asking is a bug)."""
        if self.numerator is None:
            raise ValueError(f"{self.id} is a published figure: it has no numerator")
        return self.numerator

    @cached_property  # asked for every figure the engine works out
    def measure_ids(self) -> tuple[str, ...]:
        """The measures it counts: its numerator, and its denominator if it has one (a published KPI: none)."""
        return tuple(m for m in (self.numerator, self.denominator) if m is not None)

    @property
    def is_published(self) -> bool:
        """Its figure is the LA's own published one (warehouse/kpis/published.py), not a count."""
        return self.source == "published"
