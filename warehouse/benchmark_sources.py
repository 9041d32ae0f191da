"""Published benchmark sources declared as data (warehouse/benchmark_sources.toml), not as code.

A source names a shipped table (warehouse/data/real), its layout (DfE's keys, or OHID Fingertips'),
the rows it reads (column = value filters), the value column, how the table writes its years, and
the unit. warehouse/benchmarks.py turns every declared source into benchmark_value rows the same
way; only sources that need arithmetic of their own (ICPC timeliness, children missing more than
once, LAIT's long layout) are still written in code there.

They are declared beside the code rather than in the model (warehouse/model): each reads a file
shipped with the product, and benchmark_value is built from them when the warehouse is built, the
same for every partnership; a partnership's model files cannot ship a published table. A KPI in the
model names a source by its id (`benchmark`, and `source = "published"` for a KPI whose own figure is
the LA's published one), and the model check refuses an id declared nowhere.
"""

from __future__ import annotations

import tomllib
from enum import StrEnum
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

SOURCES_FILE = Path(__file__).with_name("benchmark_sources.toml")


class Layout(StrEnum):
    # time_period, geographic_level, region_code/name, old_la_code, new_la_code, la_name
    DFE = "dfe"
    # OHID Fingertips: Area Code, Area Name, Area Type (England or an LA), Time period, Value
    FINGERTIPS = "fingertips"


class Years(StrEnum):
    """How a table writes the year a figure is for; benchmark_value's time_period is the year it ends."""

    REPORTING_YEAR = "reporting_year"  # DfE: 2025 is the year ending in 2025 (2024/25)
    ACADEMIC_YEAR = "academic_year"  # DfE school statistics: 202425 is the 2024/25 school year
    FINANCIAL_YEAR = "financial_year"  # OHID: "2023/24"
    SNAPSHOT_YEAR = "snapshot_year"  # DfE workforce: 2025 is a count at a date in 2025 (30 September)


class BenchmarkSource(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,62}$", description="Its kpi_id in benchmark_value.")
    file: str = Field(description="The table in warehouse/data/real.")
    layout: Layout = Layout.DFE
    where: dict[str, str] = Field(default_factory=dict, description="Only rows with these column values.")
    value: str = Field(description="The column holding the figure (or the numerator of a derived one).")
    per: str | None = Field(
        default=None, description="A column to divide `value` by (x `scale`): a share worked out here."
    )
    scale: float = Field(default=100.0, description="The share's scale: 100 for a percentage.")
    per_10k_children: bool = Field(
        default=False,
        description="`value` per 10,000 children aged 0-17, from the ONS mid-year population in which "
        "the reporting year starts (as DfE does).",
    )
    years: Years = Years.REPORTING_YEAR
    unit: str = Field(description="What the figure is, in words: 'per 10,000 children aged 0 to 17'.")
    publisher: str = Field(default="DfE", description="Who publishes it: DfE or OHID.")

    @model_validator(mode="after")
    def _one_arithmetic(self) -> BenchmarkSource:
        if self.per and self.per_10k_children:
            raise ValueError(f"benchmark source {self.id}: a share (per) or a rate per 10,000, not both")
        return self

    @property
    def derived(self) -> bool:
        return bool(self.per or self.per_10k_children)

    def year_label(self, time_period: int) -> str:
        """The year a figure is for, as people write it: 2024/25, or 2025 for a count at a date."""
        if self.years is Years.SNAPSHOT_YEAR:
            return str(time_period)
        return f"{time_period - 1}/{time_period % 100:02d}"


@cache
def benchmark_sources() -> dict[str, BenchmarkSource]:
    """The declared sources by id, in the file's order."""
    declared = tomllib.loads(SOURCES_FILE.read_text(encoding="utf-8")).get("source", [])
    sources = [BenchmarkSource.model_validate(table) for table in declared]
    by_id = {source.id: source for source in sources}
    if len(by_id) != len(sources):
        raise ValueError(f"{SOURCES_FILE.name}: a source id is declared twice")
    return by_id
