"""What a KPI declaration holds. Declarations live in registry.py, one per KPI."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Unit(StrEnum):
    COUNT = "count"
    PERCENT = "percent"
    RATIO = "ratio"


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher"
    LOWER_IS_BETTER = "lower"
    NEUTRAL = "neutral"  # context only: no RAG colour, only the change


class Timing(StrEnum):
    FLOW = "flow"  # events whose date falls in the period
    STOCK = "stock"  # what is open at the end of the period


class Dimension(StrEnum):
    """The filters; each dataset carries some of them (Kpi.dimensions)."""

    AREA = "area"
    AGENCY = "agency"
    AGE_BAND = "age_band"
    GENDER = "gender"
    ETHNICITY = "ethnicity"
    CATEGORY = "category"
    IN_CARE = "in_care"


COMMON_DIMENSIONS = (
    Dimension.AREA,
    Dimension.AGENCY,
    Dimension.AGE_BAND,
    Dimension.GENDER,
    Dimension.ETHNICITY,
)


class Kpi(BaseModel):
    """One KPI: its definition in words and the cube measures that compute it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    title: str
    dataset: str
    definition: str = Field(description="The definition in words, as KPI-DEFINITIONS.md gives it.")
    unit: Unit
    direction: Direction
    timing: Timing
    numerator: str = Field(description="The cube measure counted on top.")
    denominator: str | None = Field(default=None, description="The cube measure divided by, if any.")
    per_10k: bool = Field(default=False, description="Also shown as a rate per 10,000 children aged 0 to 17.")
    breakdown: Dimension | None = Field(
        default=None, description="For a share KPI: the dimension whose parts are shown as % of the whole."
    )
    benchmark: str | None = Field(
        default=None, description="The KPI id in benchmark_value, if DfE publishes one."
    )
    rate_benchmark: str | None = None
    local_definition: bool = Field(default=False, description="No national definition: labelled as local.")
    dimensions: tuple[Dimension, ...] = COMMON_DIMENSIONS
    distinct_children: bool = Field(
        default=False, description="Counts children, not events, so it cannot be summed over months."
    )
    help: str = ""

    @property
    def is_share(self) -> bool:
        return self.breakdown is not None
