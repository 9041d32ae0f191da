"""What the model's files declare besides KPIs (warehouse/kpis/model.py) and datasets
(warehouse/model/datasets.py): dimensions and measures.

Every name that reaches SQL is an identifier checked here, and every label is quoted by the code that
writes SQL (warehouse/model/sql.py), so a model file cannot inject SQL.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
Label = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Value(Spec):
    code: Label
    label: Label


class Reference(Spec):
    """The values a filter offers, read from a table of the warehouse."""

    table: Identifier
    value: Identifier
    label: Identifier
    by_la: bool = Field(
        default=False, description="The table has an la_code: offer the viewer's LAs' rows only."
    )


class Lookup(Spec):
    table: Identifier
    key: Identifier
    value: Identifier


class FromChild(Spec):
    """A dimension read from the child's record, so every dataset about a child carries it."""

    column: Identifier
    lookup: Lookup | None = None
    labels: dict[str, Label] = Field(
        default_factory=dict, description="What the record holds -> what is shown; true/false for yes/no."
    )
    missing: Label = Field(description="Shown when the record holds nothing.")


class Band(Spec):
    label: Label
    below_months: int = Field(gt=0)


class AgeBands(Spec):
    """The child's age on the date of the event, in bands of months from birth."""

    bands: tuple[Band, ...] = Field(min_length=1)
    unknown: Label = Field(description="No date of birth, or one after the event (an unborn child).")
    over: Label = Field(description="Past the last band.")

    @model_validator(mode="after")
    def _ascending(self) -> AgeBands:
        limits = [band.below_months for band in self.bands]
        if limits != sorted(set(limits)):
            raise ValueError("bands must be in ascending order of below_months, each limit once")
        return self


class Dimension(Spec):
    """A filter: one column of the cubes, one control of the filter bar, one key of the URL."""

    id: Identifier
    label: Label = Field(description="The filter bar's label.")
    describe: Label = Field(description="Words for the 'showing' line: '<describe>: value, value'.")
    url_key: Identifier
    column: Identifier | None = Field(default=None, description="The cube column; the id if not given.")
    datasets: Literal["all"] | tuple[Identifier, ...]
    values: tuple[Value, ...] = ()
    reference: Reference | None = None
    from_child: FromChild | None = None
    age_bands: AgeBands | None = None

    @model_validator(mode="after")
    def _one_source_of_values(self) -> Dimension:
        implied = bool(self.age_bands) or bool(self.from_child and self.from_child.labels)
        if [bool(self.values), self.reference is not None, implied].count(True) != 1:
            raise ValueError(
                "give the values offered one way: `values`, `reference`, `age_bands`, or `from_child` with `labels`"
            )
        if self.from_child and self.age_bands:
            raise ValueError("a dimension is either from_child or age_bands, not both")
        return self

    @property
    def cube_column(self) -> str:
        return self.column or self.id

    def carried_by(self, dataset: str) -> bool:
        return self.datasets == "all" or dataset in self.datasets

    def fixed_values(self) -> dict[str, str] | None:
        """The values offered, when the model gives them (None: they come from `reference`)."""
        if self.values:
            return {v.code: v.label for v in self.values}
        if self.age_bands:
            return {b.label: b.label for b in self.age_bands.bands} | {
                self.age_bands.unknown: self.age_bands.unknown
            }
        if self.from_child and self.from_child.labels:
            shown = [*self.from_child.labels.values(), self.from_child.missing]
            return {label: label for label in dict.fromkeys(shown)}
        return None


class MeasureTiming(StrEnum):
    FLOW = "flow"  # events dated in the period
    STOCK = "stock"  # open at the end of each month
    CHILDREN = "children"  # distinct children with an event in the period


class Measure(Spec):
    id: Identifier
    dataset: Identifier
    timing: MeasureTiming
    description: Label
