"""Datasets of figures submitted by agencies: numbers per LA and period, not records.

A figures dataset is declared in a model file as a `[[dataset]]` with `kind = "figures"`:

    [[dataset]]
    name = "health_figures"
    title = "Health figures"
    kind = "figures"          # no layout, no columns, no records
    agency = "Health"         # the agency that submits them: its partner accounts upload them
    cadence = "quarterly"     # monthly | quarterly | yearly (financial year, April to March)
    deadline_days = 20        # due this many days after a period ends

and its figures as `[[measure]]`s naming it, with `timing` flow (periods add up) or stock (a figure
at the period's end), an optional `parts` (one figure each, the whole being their sum) and `value`
count (whole numbers, disclosure-controlled; the default) or number (a score, a mean).

Submitted figures live in the warehouse's `submission` and `submitted_figure` tables
(warehouse/migrations/0014_submitted_figures.sql); the view `current_figure`
(warehouse/definitions/050_current_figures.sql) holds each figure's latest submission.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import Literal

from pydantic import Field

from warehouse.kpis.periods import Period, PeriodKind, parse_period, period_ending
from warehouse.model.specs import Identifier, Label, Spec


class Cadence(StrEnum):
    """How often figures are due: each period starts on the 1st of a month."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"  # April-June, July-September, October-December, January-March
    YEARLY = "yearly"  # the financial year, April to March


class FiguresDataset(Spec):
    """A dataset of figures an agency submits per LA and period (a template, an upload, an entry)."""

    name: Identifier = Field(description="Its name in measures, KPIs and submissions.")
    title: Label = Field(description="Its name for people: the template, the tracker, the Data page.")
    kind: Literal["figures"] = Field(description='"figures": figures per LA and period, not records.')
    agency: str = Field(
        description="The partner agency that submits the figures (an agency group, as partner accounts "
        "name them): its partners' accounts upload them."
    )
    cadence: Cadence = Field(description="monthly, quarterly or yearly (financial year, April to March).")
    deadline_days: int = Field(
        ge=0, le=366, description="The figures are due this many days after a period ends."
    )
    expected_from: date | None = Field(
        default=None,
        description="The first period the partnership expects figures for (a date in it): the tracker "
        "counts periods due from it. Not given: from the first period any LA has submitted.",
    )
    description: str = Field(default="", description="What the figures are, for the template's instructions.")

    @property
    def period_kind(self) -> PeriodKind:
        return PERIOD_KIND[self.cadence]

    def period(self, code: str) -> Period:
        """The period a code names, if it is one of this dataset's cadence (ValueError otherwise)."""
        period = parse_period(code)
        if period.kind is not self.period_kind:
            raise ValueError(
                f"{self.name} is {self.cadence}: give a {PERIOD_WORDS[self.cadence]}, not {code!r}"
            )
        return period

    def period_containing(self, day: date) -> Period:
        return period_ending(self.period_kind, day)

    def due_date(self, period: Period) -> date:
        return period.end + timedelta(days=self.deadline_days)

    def periods_ended(self, first: date, today: date) -> list[Period]:
        """The periods from the one containing `first` that ended before `today`, oldest first:
        the figures the partnership expects (each due deadline_days after its end)."""
        periods = []
        period = self.period_containing(first)
        while period.end < today:
            periods.append(period)
            period = period.shifted(period.months)
        return periods


PERIOD_KIND = {
    Cadence.MONTHLY: PeriodKind.MONTH,
    Cadence.QUARTERLY: PeriodKind.QUARTER,
    Cadence.YEARLY: PeriodKind.FINANCIAL_YEAR,
}
# How a period of each cadence is written (warehouse/kpis/periods.py reads them).
PERIOD_WORDS = {
    Cadence.MONTHLY: "month, such as 2025-04",
    Cadence.QUARTERLY: "quarter of a financial year, such as 2025-26-Q1 (April to June 2025)",
    Cadence.YEARLY: "financial year, such as 2025-26",
}
