"""What the model's files declare besides KPIs (warehouse/kpis/model.py) and datasets
(warehouse/model/datasets.py): dimensions, measures, pages and the scorecard's priorities.

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

    id: Identifier = Field(description="Its name in KPIs (breakdown) and filters.")
    label: Label = Field(description="The filter bar's label.")
    describe: Label = Field(description="Words for the 'showing' line: '<describe>: value, value'.")
    url_key: Identifier = Field(description="Its key in a page's address: ?<url_key>=value.")
    column: Identifier | None = Field(default=None, description="The cube column; the id if not given.")
    datasets: Literal["all"] | tuple[Identifier, ...] = Field(
        description='"all", or the datasets that carry it; one of your own read from records\' columns is '
        "carried by your own datasets only.",
    )
    values: tuple[Value, ...] = Field(default=(), description="The values offered: code and label of each.")
    reference: Reference | None = Field(
        default=None,
        description="Or the values offered from a warehouse table: {table, value, label, by_la}.",
    )
    from_child: FromChild | None = Field(
        default=None,
        description="Read from the child's record: {column, lookup, labels (record -> shown), missing}; with "
        "labels, the labels and `missing` are the values offered.",
    )
    age_bands: AgeBands | None = Field(
        default=None,
        description="The child's age at the event in bands: {bands = [{label, below_months}], unknown, over}.",
    )

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


class Condition(Spec):
    """One test a record must pass to be counted: on a column's value, or on the time between two of
    its dates. Written as a small table, never as SQL, so a model file cannot inject any."""

    column: Identifier | None = Field(
        default=None, description="The column tested (with in, set, at_most or at_least)."
    )
    between: tuple[Identifier, Identifier] | None = Field(
        default=None, description="Or two date columns, [from, to], whose distance is tested (with unit)."
    )
    unit: Literal["days", "working_days", "hours"] | None = Field(
        default=None, description="The distance's unit: working days skip weekends and English bank holidays."
    )
    in_: tuple[Label, ...] | None = Field(default=None, alias="in", description="The values that pass.")
    set: bool | None = Field(default=None, description="true: the column holds a value; false: it is blank.")
    at_most: float | None = Field(default=None, description="The value (or distance) is at most this.")
    at_least: float | None = Field(default=None, description="The value (or distance) is at least this.")

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        if (self.column is None) == (self.between is None):
            raise ValueError("a condition tests either a `column` or the distance `between` two dates")
        if self.between is not None:
            if self.unit is None or (self.at_most is None and self.at_least is None):
                raise ValueError("a distance `between` two dates needs a `unit` and at_most or at_least")
            if self.in_ is not None or self.set is not None:
                raise ValueError("a distance is tested with at_most or at_least only")
        elif [
            self.in_ is not None,
            self.set is not None,
            self.at_most is not None or self.at_least is not None,
        ].count(True) != 1:
            raise ValueError("a column is tested one way: `in`, `set`, or at_most/at_least")
        return self

    @property
    def columns(self) -> tuple[str, ...]:
        return self.between or ((self.column,) if self.column else ())


class Part(Spec):
    """One part a submitted figure is given by (an age band, a type): one row of the template each,
    the whole being their sum."""

    code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_+\-]{0,39}$")] = Field(
        description="How the template and the warehouse name it: letters, digits, _, + and -."
    )
    label: Label = Field(description="How people read it.")


class FigureValue(StrEnum):
    """What a submitted figure is."""

    COUNT = "count"  # whole numbers of people or events, disclosure-controlled like the records' counts
    NUMBER = "number"  # a score, a mean, a rate: any number, shown as given


class Measure(Spec):
    id: Identifier = Field(description="Its name in KPIs' numerator and denominator.")
    dataset: Identifier = Field(
        description="The dataset whose records it counts, or the figures dataset whose figures it is."
    )
    timing: MeasureTiming = Field(
        description="flow (events dated in the period), stock (open at each month's end) or children "
        "(distinct children with an event in the period)."
    )
    description: Label = Field(description="What it counts, in words.")
    date: Identifier | None = Field(
        default=None,
        description="For a dataset of your own: the date column that places a record in its month. The "
        "built-in datasets' measures are counted by the product's own SQL and have none. A stock's is "
        "the date the record opens.",
    )
    end: Identifier | None = Field(
        default=None,
        description="For a stock of a dataset of your own: the date column that closes a record (blank while "
        "open). A record is open at a month's end if `date` is on or before it and `end` is blank or after it.",
    )
    where: tuple[Condition, ...] = Field(
        default=(), description="The conditions a record must all pass to count: [{column, in}, ...]."
    )
    parts: tuple[Part, ...] = Field(
        default=(),
        description="A submitted figure's parts, one row each in the template, the whole being their sum: "
        '[{code = "0-12", label = "Aged 0 to 12"}]. None: the figure is given whole.',
    )
    value: FigureValue = Field(
        default=FigureValue.COUNT,
        description="A submitted figure's kind: count (whole numbers, disclosure-controlled) or number "
        "(a score, a mean).",
    )

    @model_validator(mode="after")
    def _parts_once(self) -> Measure:
        codes = [part.code for part in self.parts]
        if len(codes) != len(set(codes)):
            raise ValueError("each part's code once")
        return self


class Page(Spec):
    """An operational dashboard: its KPI cards, the trends drawn, and the count split by area."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,40}$")] = Field(
        description="Its path: /<id>."
    )
    title: Label = Field(description="Its heading and its name in the navigation.")
    intro: Label = Field(description="A sentence under the heading.")
    kpis: tuple[Identifier, ...] = Field(min_length=1, description="A card for each, in this order.")
    trends: tuple[Identifier, ...] = Field(
        default=(), description="Of its KPIs, those drawn as monthly trends."
    )
    by_area: Identifier | None = Field(default=None, description="The count KPI split by area on the page.")


class Priority(Spec):
    """A strategic priority of the board's scorecard, in the order the board reads them. Its KPIs name
    it (a KPI's `priority`), so a partnership's own KPI joins a built-in priority from its own file."""

    id: Identifier = Field(description="Its name in a KPI's `priority`.")
    title: Label = Field(description="As the scorecard page, its workbook and its PDF show it.")


class BoardPriority(Spec):
    """A strategic priority of a partnership's own scorecard, with its KPIs in the order shown."""

    id: Identifier = Field(description="Its name, once in the board.")
    title: Label = Field(description="As the scorecard page, its workbook and its PDF show it.")
    kpis: tuple[Identifier, ...] = Field(
        min_length=1,
        description="Its KPIs, any agency's, in the order shown; a share of a whole has no single figure.",
    )


class Board(Spec):
    """What a partnership puts before its board, declared once in a model file of its own as `[board]`.
    Each key given replaces the built-in default; a key left out keeps it."""

    executive: tuple[Identifier, ...] | None = Field(
        default=None,
        description="The executive summary's KPIs, in the order shown (default: the KPIs with `executive = true`).",
    )
    priority: tuple[BoardPriority, ...] | None = Field(
        default=None,
        min_length=1,
        description="The scorecard's priorities in the board's order, each `[[board.priority]]` with an `id`, a "
        "`title` and its `kpis` (default: the `[[priority]]` tables and the KPIs that name them).",
    )
    pack: tuple[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,40}$")], ...] | None = Field(
        default=None,
        description="The dashboards (page ids) the meeting pack offers after its executive summary, in the "
        "pack's order, all included unless the reader unticks some (default: every page, none included).",
    )
