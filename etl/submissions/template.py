"""The submission template of an agency and period, made from the model only: a workbook (an
Instructions sheet, and a Figures sheet of one row per LA, measure and part, its keys locked and its
value cells checked as they are typed) and its CSV twin of the same columns.

`safeguard template` writes it; etl/readers/figures.py reads it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from etl.readers.figures import COLUMNS, FIGURES_SHEET, INSTRUCTIONS_SHEET, WRITTEN
from etl.spreadsheets import csv_text, neutralise
from etl.validate.figures import unit_words
from warehouse.kpis.periods import Period, parse_period
from warehouse.model.figures import PERIOD_WORDS, FiguresDataset
from warehouse.model.files import Model
from warehouse.model.specs import FigureValue, Measure


@dataclass(frozen=True)
class Template:
    """What a template holds: the agency's figures datasets of the period's cadence, for the LAs."""

    agency: str
    period: Period
    datasets: tuple[FiguresDataset, ...]
    las: dict[str, str]  # code -> name
    model: Model

    def measures(self, dataset: FiguresDataset) -> tuple[Measure, ...]:
        return self.model.figure_measures(dataset.name)

    def rows(self) -> list[dict[str, str]]:
        """One row per LA, measure and part, the value cells blank."""
        rows = []
        for la_code, la_name in self.las.items():
            for dataset in self.datasets:
                for measure in self.measures(dataset):
                    parts = [(p.code, p.label) for p in measure.parts] or [("", "")]
                    for code, label in parts:
                        rows.append(
                            {
                                "dataset": dataset.name,
                                "agency": dataset.agency,
                                "period": self.period.code,
                                "la_code": la_code,
                                "la_name": la_name,
                                "measure": measure.id,
                                "part": code,
                                "part_label": label,
                                "description": measure.description,
                                "unit": measure.value.value,
                            }
                            | dict.fromkeys(WRITTEN, "")
                        )
        return rows


def make_template(model: Model, agency: str, period_code: str, las: dict[str, str]) -> Template:
    """The template of `agency`'s figures for a period; ValueError naming what to give instead."""
    if not las:
        raise ValueError("no LAs to make the template for: name one with --la")
    theirs = [d for d in model.figures.values() if d.agency.lower() == agency.lower()]
    if not theirs:
        agencies = sorted({d.agency for d in model.figures.values()})
        raise ValueError(
            f"{agency!r} submits no figures in the model; the agencies that do: {', '.join(agencies) or 'none'}"
        )
    period = parse_period(period_code)
    datasets = tuple(d for d in theirs if d.period_kind is period.kind)
    if not datasets:
        wanted = "; ".join(f"{d.name} is {d.cadence}: give a {PERIOD_WORDS[d.cadence]}" for d in theirs)
        raise ValueError(f"{period_code!r} is not a period of {theirs[0].agency}'s figures: {wanted}")
    return Template(theirs[0].agency, period, datasets, dict(las), model)


def instructions(template: Template) -> list[list[str]]:
    """The Instructions sheet's lines, a list of cells each."""
    period = template.period
    lines = [
        [f"Figures submitted by {template.agency}: {period.label}"],
        [],
        ["Period", f"{period.label}: {period.start:%d %B %Y} to {period.end:%d %B %Y} ({period.code})"],
    ]
    lines += [[dataset.title, dataset.description] for dataset in template.datasets if dataset.description]
    for dataset in template.datasets:
        lines.append(
            [
                "Due by",
                (
                    f"{dataset.due_date(period):%d %B %Y}: {dataset.title}, "
                    f"{dataset.deadline_days} days after the period ends"
                ),
            ]
        )
    lines += [
        ["LAs", ", ".join(f"{name} ({code})" for code, name in template.las.items())],
        [],
        ["How to fill it in"],
        [
            (
                f"On the {FIGURES_SHEET} sheet, write each figure in the value column: one row per LA, measure "
                "and part. A measure given by parts has a row for each part (the whole is their sum)."
            )
        ],
        [
            (
                "If a figure is not available, leave its value blank and write yes under not_available. Every "
                "other row needs a figure."
            )
        ],
        [
            (
                "Do not change the other columns: they say which figure a row is, and the upload checks them. "
                "Do not add or rename sheets."
            )
        ],
        [
            "Upload the file on the dashboard's upload page (or drop it in the inbox), as it is or saved as CSV."
        ],
        [],
        ["Corrections"],
        [
            (
                "To correct figures already sent, upload the file again for the same period with the corrected "
                "figures. The new figures replace the earlier ones on the dashboard; the earlier ones are kept, "
                "with who sent them and when. Uploading the same figures again changes nothing."
            )
        ],
        [],
        ["The figures", "", "", "", ""],
        ["dataset", "measure", "what it is", "unit", "parts"],
    ]
    for dataset in template.datasets:
        for measure in template.measures(dataset):
            parts = "; ".join(f"{p.code}: {p.label}" for p in measure.parts) or "(the whole)"
            timing = "over the period" if measure.timing == "flow" else "at the period's end"
            lines.append(
                [dataset.name, measure.id, f"{measure.description} ({timing})", unit_words(measure), parts]
            )
    return lines


def write_workbook(template: Template, path: Path | BinaryIO) -> None:
    """The workbook, to a file or a stream (the app's download)."""
    workbook = Workbook()
    guide = workbook.active
    guide.title = INSTRUCTIONS_SHEET
    for line in instructions(template):
        guide.append([neutralise(cell) for cell in line])
    guide["A1"].font = Font(bold=True, size=14)
    guide.column_dimensions["A"].width = 18
    guide.column_dimensions["B"].width = 30
    guide.column_dimensions["C"].width = 60
    figures = workbook.create_sheet(FIGURES_SHEET)
    figures.append(list(COLUMNS))
    for cell in figures[1]:
        cell.font = Font(bold=True)
    counts = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="A count",
        error="A whole number, 0 or more; leave it blank and write yes under not_available if it is not available.",
    )
    numbers = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="A number",
        error="A number, 0 or more; leave it blank and write yes under not_available if it is not available.",
    )
    flags = DataValidation(type="list", formula1='"yes"', allow_blank=True, showErrorMessage=True)
    for validation in (counts, numbers, flags):
        figures.add_data_validation(validation)
    writable = PatternFill("solid", fgColor="FFF2CC")
    value_column = COLUMNS.index("value") + 1
    flag_column = COLUMNS.index("not_available") + 1
    for row_number, row in enumerate(template.rows(), start=2):
        figures.append([neutralise(row[column]) for column in COLUMNS])
        value_cell = figures.cell(row_number, value_column)
        flag_cell = figures.cell(row_number, flag_column)
        (counts if row["unit"] == FigureValue.COUNT else numbers).add(value_cell)
        flags.add(flag_cell)
        for cell in (value_cell, flag_cell):
            cell.protection = Protection(locked=False)
            cell.fill = writable
    # The keys are locked (no password: protection guards against slips; the upload checks them).
    figures.protection.sheet = True
    figures.protection.formatColumns = False
    figures.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS, start=1):
        width = 40 if column == "description" else max(12, len(column) + 2)
        figures.column_dimensions[figures.cell(1, index).column_letter].width = width
    workbook.active = workbook.sheetnames.index(FIGURES_SHEET)
    workbook.save(path)


def template_csv(template: Template) -> str:
    """The CSV twin's text: the Figures sheet's columns and rows."""
    return csv_text(pd.DataFrame(template.rows(), columns=list(COLUMNS), dtype=str))


def write_csv(template: Template, path: Path) -> None:
    path.write_text(template_csv(template), encoding="utf-8", newline="")


def write_template(template: Template, path: Path) -> list[Path]:
    """The workbook at `path` (.xlsx) and its CSV twin beside it, or the CSV alone at a .csv path."""
    if path.suffix.lower() == ".csv":
        write_csv(template, path)
        return [path]
    if path.suffix.lower() != ".xlsx":
        raise ValueError(f"{path.name}: a template is an .xlsx workbook (with a .csv twin) or a .csv file")
    twin = path.with_suffix(".csv")
    write_workbook(template, path)
    write_csv(template, twin)
    return [path, twin]
