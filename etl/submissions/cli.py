"""The commands of figures submitted by agencies: `safeguard template`, `submit`, `enter`,
`submissions` (the tracker) and `remind`."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from etl.errors import ExtractError
from etl.load.figures import FIGURE_FORMATS
from etl.pipeline import FileOutcome, run_load
from etl.readers.formats import detect_format
from etl.spreadsheets import csv_text
from etl.submissions.entry import enter_figure
from etl.submissions.remind import RemindError, send_reminders
from etl.submissions.template import make_template, write_template
from etl.submissions.upload import submitter_for
from etl.terminal import console, errors
from etl.validate.figures import not_ended_yet
from warehouse.db import WarehouseError, local_authority_names, open_readonly
from warehouse.model.files import published_model
from warehouse.queries import run
from warehouse.settings import get_settings
from warehouse.tracker import tracker_at, tracker_frame

AsOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="The account submitting (a partner account submits for its agencies and LAs only); "
        "else the user running the command.",
    ),
]
TodayOption = Annotated[
    str | None,
    typer.Option(help="Work as if today were this date (YYYY-MM-DD), to check what it would show."),
]


def _today(text: str | None) -> date:
    try:
        return date.fromisoformat(text) if text else date.today()
    except ValueError as error:
        errors.print(f"[red]error:[/red] --today {text!r} is not a date (YYYY-MM-DD)")
        raise typer.Exit(2) from error


def _fail(message: str, code: int = 2) -> typer.Exit:
    errors.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True, highlight=False)
    return typer.Exit(code)


def template(
    agency: Annotated[str, typer.Option(help="The agency whose figures it asks for, e.g. Police.")],
    period: Annotated[
        str, typer.Option(help="The period: 2025-06 (a month), 2025-26-Q1 (a quarter), 2025-26 (a year).")
    ],
    out: Annotated[
        Path, typer.Option(help="The workbook to write (.xlsx, with its .csv twin beside it), or a .csv.")
    ],
    la: Annotated[
        list[str] | None,
        typer.Option(help="An LA to ask for (repeat for several); else every LA with data loaded."),
    ] = None,
    today: TodayOption = None,
) -> None:
    """Write the submission template of an agency's figures for a period that has ended: a workbook and
    its CSV twin."""
    settings = get_settings()
    names = local_authority_names()
    if la:
        unknown = [code for code in la if code.upper() not in names]
        if unknown:
            raise _fail(f"{', '.join(unknown)}: not the code of an English LA (E08000021)")
        codes = [code.upper() for code in la]
    else:
        try:
            with open_readonly(settings.warehouse_path) as con:
                codes = list(run(con, "loaded_las")["la_code"])
        except WarehouseError as error:
            raise _fail(f"{error}; or name the LAs with --la") from error
    model = published_model(settings.warehouse_path)  # the built-in model if there is no warehouse yet
    try:
        made = make_template(model, agency, period, {code: names[code] for code in codes})
    except ValueError as error:
        raise _fail(str(error)) from error
    # A template of a period still running would be refused row by row once filled in and sent.
    not_ended = not_ended_yet(made.period, _today(today))
    if not_ended:
        raise _fail(not_ended)
    try:
        written = write_template(made, out)
    except ValueError as error:
        raise _fail(str(error)) from error
    console.print(
        f"{made.agency}'s figures for {made.period.label}, {len(made.rows())} rows: {', '.join(map(str, written))}",
        highlight=False,
        soft_wrap=True,
    )


def _report(outcomes: list[FileOutcome]) -> None:
    for o in outcomes:
        if o.status == "failed" and o.rejections:
            errors.print(f"[red]{escape(o.path.name)}: not loaded, {len(o.rejections)} problem(s):[/red]")
            for r in o.rejections:
                errors.print(f"  {escape(r.message)}", soft_wrap=True, highlight=False)
        elif o.status == "failed":
            errors.print(
                f"[red]{escape(o.path.name)}: not loaded:[/red] {escape(o.message or '')}", soft_wrap=True
            )
        else:
            console.print(f"{o.status}: {o.message}", soft_wrap=True, highlight=False)


def submit(
    path: Annotated[Path, typer.Argument(help="The filled-in template (.xlsx or .csv).")],
    as_user: AsOption = None,
    note: Annotated[str | None, typer.Option(help="What to record with it, e.g. why it corrects.")] = None,
    today: TodayOption = None,
) -> None:
    """Load a file of figures an agency submitted: all its figures, or none if anything in it is wrong."""
    try:
        found = detect_format(path, path.read_bytes())
    except (OSError, ExtractError) as error:
        raise _fail(f"{path}: {getattr(error, 'message', None) or error}") from error
    if found not in FIGURE_FORMATS:
        raise _fail(f"{path.name} is not a file of figures (the template); load extracts with safeguard load")
    try:
        submitter = submitter_for(as_user, "upload", note)
    except ValueError as error:
        raise _fail(str(error)) from error
    outcomes = run_load([path], get_settings(), today=_today(today), submitter=submitter)
    _report(outcomes)
    if any(o.status == "failed" for o in outcomes):
        raise typer.Exit(1)


def enter(
    measure: Annotated[str, typer.Option(help="The measure, as the model names it.")],
    la: Annotated[str, typer.Option(help="The LA code.")],
    period: Annotated[str, typer.Option(help="The period of the measure's cadence, e.g. 2025-26-Q1.")],
    value: Annotated[str, typer.Option(help="The figure (blank with --not-available).")] = "",
    part: Annotated[str, typer.Option(help="The part, for a measure given by parts.")] = "",
    not_available: Annotated[bool, typer.Option(help="The figure is not available.")] = False,
    as_user: AsOption = None,
    note: Annotated[str | None, typer.Option(help="What to record with it.")] = None,
    today: TodayOption = None,
) -> None:
    """Enter one figure by hand (training reach, an audit's result, a survey's score), with who and when."""
    try:
        submitter = submitter_for(as_user, "manual", note)
        outcome = enter_figure(
            get_settings(),
            measure=measure,
            la_code=la,
            period=period,
            value=value,
            part=part,
            not_available=not_available,
            submitter=submitter,
            today=_today(today),
        )
    except (ValueError, WarehouseError) as error:
        raise _fail(str(error)) from error
    _report([outcome])
    if outcome.status == "failed":
        raise typer.Exit(1)


def submissions(
    agency: Annotated[str | None, typer.Option(help="One agency's figures only.")] = None,
    csv: Annotated[bool, typer.Option("--csv", help="Print the tracker as CSV.")] = False,
    today: TodayOption = None,
) -> None:
    """The submission tracker: each agency's figures due, received (when, by whom, corrected) and late."""
    try:
        rows = tracker_at(get_settings().warehouse_path, _today(today), agency=agency)
    except WarehouseError as error:
        raise _fail(str(error)) from error
    frame = tracker_frame(rows)
    if csv:
        sys.stdout.write(csv_text(frame))
        return
    if frame.empty:
        console.print("No figures are due yet" + (f" from {agency}." if agency else "."))
        return
    table = Table(title="Figures submitted by agencies")
    for column in frame.columns:
        table.add_column(column, overflow="fold")
    for row in frame.itertuples(index=False):
        table.add_row(*(str(v) for v in row))
    console.print(table)


def remind(
    agency: Annotated[str | None, typer.Option(help="Remind one agency's contacts only.")] = None,
    today: TodayOption = None,
) -> None:
    """Email each agency contact what is late and what is due within SAFEGUARD_REMIND_DAYS."""
    try:
        sent = send_reminders(get_settings(), _today(today), agency)
    except (RemindError, WarehouseError, OSError) as error:
        raise _fail(f"no reminders sent: {error}") from error
    for reminder in sent:
        console.print(
            f"{reminder.contact.address} ({reminder.contact.agency}): {len(reminder.items)} "
            f"figure{'s' if len(reminder.items) != 1 else ''} late or due soon",
            highlight=False,
        )
    if not sent:
        console.print("Nothing to remind of: nothing is late or due soon for any contact.")


def register(app: typer.Typer) -> None:
    for command in (template, submit, enter, submissions, remind):
        app.command()(command)
