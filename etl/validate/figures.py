"""Checking a file of submitted figures (etl/readers/figures.py) against the model: the right agency
and dataset, periods of the dataset's cadence that have ended, LAs the warehouse knows (and the
submitter covers), known measures and parts, numbers (whole and not negative for counts, given
unless marked not available), each figure once.

A file of figures loads whole or not at all: any problem refuses it, and every problem is listed,
each naming the file, the sheet, the row and the field.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from etl.errors import Rejection
from etl.readers.figures import FigureRow, FiguresFile
from warehouse.kpis.periods import Period
from warehouse.model.figures import PERIOD_WORDS, FiguresDataset
from warehouse.model.files import Model
from warehouse.model.specs import FigureValue, Measure
from warehouse.submissions import Figure

# What marks a row "not available" (and what leaves it a figure).
NOT_AVAILABLE = frozenset({"yes", "y", "true", "n/a", "not available"})
AVAILABLE = frozenset({"", "no", "n", "false"})


@dataclass(frozen=True)
class Submitter:
    """Who submits, how, and what they may submit for: agencies and LAs (none: any)."""

    name: str
    via: str = "upload"  # upload, inbox, manual or demo (warehouse/submissions.py SOURCES)
    agencies: tuple[str, ...] = ()
    la_codes: tuple[str, ...] = ()
    note: str | None = None
    at: datetime | None = None  # when it was submitted: now, unless told (demo submissions of the past)


@dataclass(frozen=True)
class Group:
    """The figures of one dataset, LA and period: one submission."""

    dataset: FiguresDataset
    la_code: str
    period: Period


@dataclass
class Checked:
    groups: dict[Group, list[Figure]] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)


def unit_words(measure: Measure) -> str:
    """What a figure of the measure is, for the template and for messages."""
    if measure.value is FigureValue.COUNT:
        return "a count: a whole number, 0 or more"
    return "a number, 0 or more (decimals allowed)"


def parse_value(text: str, measure: Measure) -> tuple[float | None, str | None]:
    """(the figure, None) or (None, why it is not one)."""
    try:
        value = float(text.replace(",", "")) if text else math.nan
    except ValueError:
        return None, f"{text!r} is not a number; {measure.id} is {unit_words(measure)}"
    if not math.isfinite(value):
        return None, f"{text!r} is not a number; {measure.id} is {unit_words(measure)}"
    if value < 0:
        return None, f"{text} is negative; {measure.id} is {unit_words(measure)}"
    if measure.value is FigureValue.COUNT and not value.is_integer():
        return None, f"{text} is not a whole number; {measure.id} is {unit_words(measure)}"
    return value, None


class _Row:
    """One row being checked: each problem becomes a rejection naming where it is."""

    def __init__(self, file: FiguresFile, row: FigureRow, found: list[Rejection]):
        self.file, self.row, self.found = file, row, found

    def text(self, column: str) -> str:
        return self.row.values[column]

    def reject(self, column: str, rule: str, why: str) -> None:
        where = self.file.where(self.row.row_number, column)
        self.found.append(
            Rejection(self.row.row_number, column, self.text(column) or None, rule, f"{where}: {why}")
        )


def check_figures(
    file: FiguresFile, model: Model, known_las: Iterable[str], submitter: Submitter, today: date
) -> Checked:
    """The file's figures by submission, or every problem found in it (then nothing loads)."""
    checked = Checked()
    known = frozenset(known_las)
    seen: dict[tuple, int] = {}
    if not file.rows:
        checked.rejections.append(
            Rejection(1, "value", None, "no_figures", f"{file.where(1)}: the file holds no figures")
        )
    for figure_row in file.rows:
        row = _Row(file, figure_row, checked.rejections)
        result = _check_row(row, model, known, submitter, today)
        if result is None:
            continue
        group, figure = result
        key = (group, figure.measure, figure.part)
        if key in seen:
            row.reject(
                "measure",
                "duplicate",
                f"the same figure ({group.la_code}, {figure.measure}, part {figure.part or '(whole)'}, "
                f"{group.period.code}) as row {seen[key]}: give each figure once",
            )
            continue
        seen[key] = figure_row.row_number
        checked.groups.setdefault(group, []).append(figure)
    if checked.rejections:
        checked.groups = {}
    return checked


def _check_row(
    row: _Row, model: Model, known: frozenset[str], submitter: Submitter, today: date
) -> tuple[Group, Figure] | None:
    before = len(row.found)
    dataset = model.figures.get(row.text("dataset"))
    if dataset is None:
        row.reject(
            "dataset",
            "unknown_dataset",
            f"{row.text('dataset')!r} is not a dataset of figures; known: {', '.join(model.figures) or 'none'}",
        )
        return None
    agency = row.text("agency")
    if agency.lower() != dataset.agency.lower():
        row.reject(
            "agency", "wrong_agency", f"{dataset.name} is submitted by {dataset.agency}, not {agency!r}"
        )
    elif submitter.agencies and dataset.agency not in submitter.agencies:
        row.reject(
            "agency",
            "not_your_agency",
            f"{submitter.name} submits for {', '.join(submitter.agencies)}, not {dataset.agency}",
        )
    period = _period(row, dataset, today)
    la_code = row.text("la_code").upper()
    if la_code not in known:
        row.reject(
            "la_code", "unknown_la", f"{row.text('la_code')!r} is not the code of an English LA (E08000021)"
        )
    elif submitter.la_codes and la_code not in submitter.la_codes:
        row.reject(
            "la_code",
            "not_your_la",
            f"{submitter.name} submits for {', '.join(submitter.la_codes)}, not {la_code}",
        )
    measure = _measure(row, model, dataset)
    value = _value(row, measure)
    if len(row.found) > before or period is None or measure is None:
        return None
    return Group(dataset, la_code, period), Figure(measure.id, row.text("part"), value)


def _period(row: _Row, dataset: FiguresDataset, today: date) -> Period | None:
    try:
        period = dataset.period(row.text("period"))
    except ValueError:
        row.reject(
            "period",
            "not_a_period",
            f"{row.text('period')!r} is not a period of {dataset.name}, which is {dataset.cadence}: give a "
            f"{PERIOD_WORDS[dataset.cadence]}",
        )
        return None
    not_ended = not_ended_yet(period, today)
    if not_ended:
        row.reject("period", "period_not_ended", not_ended)
        return None
    return period


def not_ended_yet(period: Period, today: date) -> str | None:
    """Why a period's figures cannot be submitted yet, or None once it has ended."""
    if period.end >= today:
        return f"{period.label} ends on {period.end:%d %B %Y}: its figures are submitted once it has ended"
    return None


def _measure(row: _Row, model: Model, dataset: FiguresDataset) -> Measure | None:
    measure = model.measures.get(row.text("measure"))
    if measure is None or measure.dataset != dataset.name:
        known = ", ".join(m.id for m in model.figure_measures(dataset.name))
        row.reject(
            "measure",
            "unknown_measure",
            f"{row.text('measure')!r} is not a measure of {dataset.name}; its measures: {known}",
        )
        return None
    codes = [p.code for p in measure.parts]
    part = row.text("part")
    if codes and part not in codes:
        given = f"{part!r} is not one of its parts" if part else "the whole is not given"
        row.reject(
            "part",
            "unknown_part",
            f"{given}: {measure.id} is given by its parts {', '.join(codes)}, one row each",
        )
    elif not codes and part:
        row.reject("part", "unknown_part", f"{measure.id} has no parts: leave part blank, not {part!r}")
    return measure


def _value(row: _Row, measure: Measure | None) -> float | None:
    flag = row.text("not_available").lower()
    text = row.text("value")
    if flag not in NOT_AVAILABLE | AVAILABLE:
        row.reject(
            "not_available", "not_yes_or_no", f"{row.text('not_available')!r}: write yes, or leave it blank"
        )
        return None
    if flag in NOT_AVAILABLE:
        if text:
            row.reject(
                "value",
                "value_and_not_available",
                "the row is marked not available but holds a figure: clear one of them",
            )
        return None
    if not text:
        row.reject(
            "value",
            "blank",
            "blank: give the figure, or write yes under not_available if it is not available",
        )
        return None
    if measure is None:
        return None
    value, why = parse_value(text, measure)
    if why:
        row.reject("value", "not_a_figure", why)
    return value
