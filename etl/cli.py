"""The `safeguard` command: load extracts, see what each load did, make demo data."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from appstate.users_cli import users_app
from etl.errors import ExtractError
from etl.model_cli import model_app
from etl.pipeline import FileOutcome, SourceOptions, run_load
from etl.readers.formats import FORMATS
from etl.reconcile import reconcile as reconcile_files
from etl.spreadsheets import csv_text
from etl.staging.native import parse_date
from etl.submissions.cli import register as register_submission_commands
from etl.terminal import console, errors
from warehouse import audit
from warehouse.db import WarehouseError
from warehouse.settings import get_settings

if TYPE_CHECKING:
    from warehouse.kpis.assessment import Assessment
    from warehouse.kpis.model import Unit
    from warehouse.kpis.periods import Period

app = typer.Typer(
    help="Safeguarding performance dashboard: ETL and data tools.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(users_app, name="users")
app.add_typer(model_app, name="model")


def _run_with_progress(paths: list[Path], **options: Any) -> list[FileOutcome]:
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=errors, transient=True) as progress:
        task = progress.add_task("starting", total=len(paths) + 1)
        seen: set[Path] = set()

        def on_step(path: Path, step: str) -> None:
            if step == "publishing":
                progress.update(task, description="publishing the new warehouse", completed=len(paths))
                return
            if path not in seen and step == "checking":
                if seen:
                    progress.advance(task)
                seen.add(path)
            progress.update(task, description=f"{path.name}: {step}")

        outcomes = run_load(paths, get_settings(), progress=on_step, **options)
        progress.update(task, completed=len(paths) + 1)
    _audit(outcomes)
    return outcomes


def _audit(outcomes: list[FileOutcome]) -> None:
    """Each file given to a load, in the app's audit log beside the warehouse's own load record."""
    import getpass

    from appstate.audit import record
    from appstate.db import session

    with session() as db:
        for o in outcomes:
            record(
                db,
                getpass.getuser(),
                "load",
                subject=o.file_name,
                rows=o.rows_loaded,
                status=o.status,
                dataset=o.dataset,
                la_code=o.la_code,
                load_id=o.load_id,
                rejected=o.rows_rejected,
            )


def _summary(outcomes: list[FileOutcome]) -> Table:
    table = Table(title="Load summary")
    for name in ("load", "file", "dataset", "LA", "status", "read", "loaded", "rejected", "replaced"):
        table.add_column(
            name, justify="right" if name in ("load", "read", "loaded", "rejected", "replaced") else "left"
        )
    for o in outcomes:
        table.add_row(
            str(o.load_id),
            o.file_name,
            o.dataset or "",
            o.la_code or "",
            o.status,
            f"{o.rows_read:,}",
            f"{o.rows_loaded:,}",
            f"{o.rows_rejected:,}",
            f"{o.rows_replaced:,}",
        )
    return table


def _print_notes(outcomes: list[FileOutcome]) -> None:
    """What the readers want the user told (a companion used, records ignored), once per file."""
    for path in dict.fromkeys(o.path for o in outcomes):
        notes = dict.fromkeys(note for o in outcomes if o.path == path for note in o.notes)
        for note in notes:
            console.print(f"{escape(path.name)}: {escape(note)}", soft_wrap=True, highlight=False)


def _window_date(value: str, option: str) -> date:
    parsed = parse_date(value)
    if parsed is None:
        errors.print(
            f"[red]error:[/red] {option} {escape(repr(value))} is not a date: use YYYY-MM-DD or DD/MM/YYYY",
            soft_wrap=True,
            highlight=False,
        )
        raise typer.Exit(2)
    return parsed


def _coverage_window(start: str | None, end: str | None) -> tuple[date, date] | None:
    """The window --from and --to name (dates as files write them), or None when neither is given."""
    if start is None and end is None:
        return None
    if start is None or end is None:
        errors.print(
            f"[red]error:[/red] give both --from and --to (only {'--from' if end is None else '--to'} "
            "was given)",
            soft_wrap=True,
        )
        raise typer.Exit(2)
    window = (_window_date(start, "--from"), _window_date(end, "--to"))
    if window[1] < window[0]:
        errors.print(f"[red]error:[/red] --to {window[1]} is before --from {window[0]}", soft_wrap=True)
        raise typer.Exit(2)
    return window


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="Extract files to load, in order.")],
    dataset: Annotated[
        str | None, typer.Option(help="The dataset of every file, instead of detecting it.")
    ] = None,
    force: Annotated[bool, typer.Option(help="Load a file again even if it is unchanged.")] = False,
    synthetic: Annotated[bool, typer.Option(help="Mark the rows as synthetic (demo) data.")] = False,
    source_format: Annotated[
        str,
        typer.Option(
            "--format",
            help="auto (told from each file), native_csv, ssda903 (a missing file; its header and episodes "
            "files are header.csv and episodes.csv beside it, or named), annex_a (an Ofsted Annex A workbook) or cin_xml (the CIN census).",
        ),
    ] = "auto",
    la: Annotated[
        str | None, typer.Option(help="The LA code, for returns that do not carry one (SSDA903, Annex A).")
    ] = None,
    coverage_from: Annotated[
        str | None,
        typer.Option("--from", help="Start of the window a return covers (YYYY-MM-DD or DD/MM/YYYY)."),
    ] = None,
    coverage_to: Annotated[
        str | None, typer.Option("--to", help="End of the window a return covers (YYYY-MM-DD or DD/MM/YYYY).")
    ] = None,
    header_file: Annotated[
        Path | None,
        typer.Option(
            help="An SSDA903 return's header file (SEX, ETHNIC), if it is not header.csv beside the missing file."
        ),
    ] = None,
    episodes_file: Annotated[
        Path | None,
        typer.Option(
            help="An SSDA903 return's episodes file (who was in care when), if it is not episodes.csv beside the "
            "missing file."
        ),
    ] = None,
    allow_shrink: Annotated[
        bool,
        typer.Option(
            help="Load a file even if it would remove more than SAFEGUARD_MAX_SHRINK (default half) of the rows its "
            "window holds, or if every one of its rows is rejected."
        ),
    ] = False,
) -> None:
    """Load extracts or returns. Each replaces what the warehouse held for its LA, dataset and window."""
    if source_format not in ("auto", *FORMATS):
        errors.print(f"[red]error:[/red] unknown --format {source_format!r}: use auto, {', '.join(FORMATS)}")
        raise typer.Exit(2)
    coverage = _coverage_window(coverage_from, coverage_to)
    source = SourceOptions(
        source_format=source_format,
        la_code=la,
        coverage=coverage,
        header_file=header_file,
        episodes_file=episodes_file,
        allow_shrink=allow_shrink,
    )
    try:
        outcomes = _run_with_progress(paths, dataset=dataset, force=force, synthetic=synthetic, source=source)
    except WarehouseError as error:  # a full disk among them (etl/load/publish.py: DiskFull)
        errors.print(f"[red]error:[/red] {escape(str(error))}", soft_wrap=True, highlight=False)
        raise typer.Exit(2) from error
    except OSError as error:  # the warehouse's folder or lock cannot be written: nothing was published
        where = f" ({error.filename})" if error.filename else ""
        errors.print(
            f"[red]error:[/red] not loaded: {escape(error.strerror or str(error))}{escape(where)}; "
            "the warehouse is as it was",
            soft_wrap=True,
            highlight=False,
        )
        raise typer.Exit(2) from error
    console.print(_summary(outcomes))
    _print_notes(outcomes)
    for o in outcomes:
        if o.status == "failed":
            errors.print(f"[red]{o.path}: not loaded:[/red] {o.message}", soft_wrap=True)
        elif (
            o.message
        ):  # unchanged, or what a load says about its file: duplicates dropped, lists with no rows
            console.print(f"{o.file_name}: {o.message}", soft_wrap=True)
        if o.ignored_columns:
            console.print(
                f"{o.file_name}: ignored, as the {o.dataset} layout does not use them: {', '.join(o.ignored_columns)}",
                soft_wrap=True,
            )
        if o.rows_rejected:
            console.print(
                f"{o.file_name}: {o.rows_rejected:,} rows rejected; see them with "
                f"[bold]safeguard rejections {o.load_id}[/bold]",
                soft_wrap=True,
            )
    if any(o.status == "failed" for o in outcomes):
        raise typer.Exit(1)


@app.command()
def reconcile(
    first: Annotated[Path, typer.Argument(help="A return or extract, for example the Annex A workbook.")],
    second: Annotated[Path, typer.Argument(help="Another of the same LA, for example the CIN census XML.")],
    la: Annotated[str | None, typer.Option(help="The LA code, for returns that do not carry one.")] = None,
) -> None:
    """Compare two returns of one LA: rows per dataset and month, in the days both cover. Nothing is loaded.
    Exits 1 when the counts differ."""
    try:
        result = reconcile_files(first, second, get_settings(), SourceOptions(la_code=la))
    except ExtractError as error:
        errors.print(f"[red]error:[/red] {error}", soft_wrap=True)
        raise typer.Exit(2) from error
    for note in result.notes:
        console.print(note, soft_wrap=True)
    if result.window is None:
        raise typer.Exit(1)
    table = Table(title=f"Rows per month, {result.window[0]} to {result.window[1]}")
    for name in ("dataset", "month", first.name, second.name, "difference"):
        table.add_column(name, justify="left" if name in ("dataset", "month") else "right")
    for row in result.counts.itertuples(index=False):
        style = "bold red" if row.difference else None
        table.add_row(
            str(row.dataset),
            str(row.month),
            f"{row.first:,}",
            f"{row.second:,}",
            f"{row.difference:+,}",
            style=style,
        )
    console.print(table)
    differing = len(result.differences)
    console.print(
        f"{differing} of {len(result.counts)} dataset-months differ." if differing else "The counts agree."
    )
    if differing:
        raise typer.Exit(1)


@app.command()
def loads(limit: Annotated[int, typer.Option(help="How many of the latest loads to list.")] = 20) -> None:
    """List the latest loads: file, dataset, LA, rows read, loaded and rejected, status."""
    frame = _or_exit(lambda: audit.recent_loads(get_settings().warehouse_path, limit))
    table = Table(title="Loads")
    shown = (
        "load_id",
        "file_name",
        "dataset",
        "la_code",
        "status",
        "rows_read",
        "rows_loaded",
        "rows_rejected",
        "finished_at",
        "message",
    )
    for column in shown:
        table.add_column(column.replace("rows_", ""), overflow="fold")
    for row in frame[list(shown)].itertuples(index=False):
        table.add_row(*(_text(v) for v in row))
    console.print(table)


@app.command()
def rejections(
    load_id: Annotated[int, typer.Argument(help="The load, as `safeguard loads` lists it.")],
    limit: Annotated[int, typer.Option(help="How many rejections to show.")] = 100,
    csv: Annotated[
        Path | None, typer.Option(help="Write every rejection of the load to this CSV file.")
    ] = None,
) -> None:
    """Show why rows of a load were rejected: row, field, value and reason."""
    frame = _or_exit(lambda: audit.load_rejections(get_settings().warehouse_path, load_id))
    if csv is not None:
        csv.write_text(csv_text(frame), encoding="utf-8")  # formulas in the source values are neutralised
        console.print(f"{len(frame):,} rejections written to {csv}")
        return
    if frame.empty:
        console.print(f"Load {load_id} rejected no rows.")
        return
    table = Table(title=f"Rejections of load {load_id} ({len(frame):,})")
    for column in ("row_number", "field", "value", "message"):
        table.add_column(column)
    for row in frame.head(limit).itertuples(index=False):
        table.add_row(str(row.row_number), row.field, _text(row.value), row.message)
    console.print(table)


@app.command()
def backup(
    out: Annotated[Path, typer.Option(help="Folder to put the backup folder in.")] = Path("backups"),
) -> None:
    """Back up the warehouse, app state (SQLite) and the keys together, with checksums."""
    from etl.backup import BackupError
    from etl.backup import backup as make_backup

    try:
        made = make_backup(get_settings(), out)
    except BackupError as error:
        errors.print(f"[red]error:[/red] {error}")
        raise typer.Exit(1) from error
    console.print(f"Backed up {', '.join(made.files)} to {made.folder}")
    if made.appstate_external:
        console.print("App state is on PostgreSQL: back it up with pg_dump (docs/deploy.md).")


@app.command()
def restore(folder: Annotated[Path, typer.Argument(help="A folder made by safeguard backup.")]) -> None:
    """Put a backup back (every checksum is checked first); the audit log is kept, and the restore recorded."""
    from etl.backup import BackupError
    from etl.backup import restore as put_back

    try:
        restored = put_back(get_settings(), folder)
    except BackupError as error:
        errors.print(f"[red]error:[/red] {error}")
        raise typer.Exit(1) from error
    console.print(f"Restored {', '.join(restored)} from {folder}")


@app.command()
def upgrade() -> None:
    """Bring the warehouse and app state up to this release's schemas, in place, keeping every row."""
    from appstate.db import upgrade_database
    from etl.load.publish import upgrade as upgrade_warehouse

    settings = get_settings()
    upgraded = _or_exit(lambda: upgrade_warehouse(settings.warehouse_path, settings.lock_path))
    if upgraded is None:
        console.print(f"The warehouse at {settings.warehouse_path} is up to date (or not made yet).")
    elif upgraded[0] == upgraded[1]:
        console.print(
            f"Renewed the reference data and definitions of the warehouse at {settings.warehouse_path} "
            f"(schema version {upgraded[1]}); the cubes are rebuilt."
        )
    else:
        console.print(
            f"Upgraded the warehouse at {settings.warehouse_path} from schema version {upgraded[0]} to "
            f"{upgraded[1]}; every loaded row is kept and the cubes are rebuilt."
        )
    before, after = upgrade_database()
    if before == after:
        console.print(f"App state is up to date (revision {after}).")
    else:
        console.print(
            f"Upgraded app state from revision {before or 'none (new)'} to {after}; every row is kept."
        )


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the generated extracts.")] = Path("var/demo"),
    seed: Annotated[int, typer.Option(help="Random seed: the same seed makes the same files.")] = 2026,
    as_of: Annotated[str | None, typer.Option(help="Pretend today is this date (YYYY-MM-DD).")] = None,
    load_files: Annotated[
        bool, typer.Option("--load/--no-load", help="Load the files after making them.")
    ] = True,
) -> None:
    """Make synthetic demo extracts for two partnerships and load them (marked as synthetic).

    One extra file holds deliberately bad rows, to show how rejections are reported.
    """
    from etl.demo import generate_demo

    day = date.fromisoformat(as_of) if as_of else date.today()
    paths = generate_demo(out, as_of=day, seed=seed)
    # The file of deliberately bad rows repeats its month's good rows, so loading it after the
    # others changes no figure; it gives the data page some rejections to show.
    bad = sorted((out / "bad").glob("*.csv"))
    console.print(f"Wrote {len(paths)} demo extracts and {len(bad)} file of bad rows to {out}")
    if load_files:
        outcomes = _run_with_progress(paths + bad, synthetic=True, today=day)
        console.print(_summary(outcomes))
        if any(o.status == "failed" for o in outcomes):
            raise typer.Exit(1)
        from etl.demo import demo_window
        from etl.demo_figures import load_demo_figures

        submitted = load_demo_figures(get_settings(), day, demo_window(day)[0], seed)
        console.print(
            f"Loaded {submitted} demo submissions of figures by agencies (education, health, training)"
        )
        from appstate.db import session
        from appstate.targets import seed_demo_targets
        from etl.demo import DEMO_LAS

        with session() as db:
            added = seed_demo_targets(db, sorted(DEMO_LAS))
        if added:
            console.print(
                f"Added {added} demo targets (marked as demo values) for {', '.join(sorted(DEMO_LAS))}"
            )
        _demo_board()
        _demo_admin()


def _demo_board() -> None:
    """The demo partnerships' board (etl/demo_board.toml) in the home's model folder, unless it has a
    board.toml already, then the folder applied as `safeguard model apply` applies a partnership's
    files (nothing to do when the warehouse has them already)."""
    from etl.demo_board import write_demo_board
    from etl.model_cli import apply_model

    written = write_demo_board(get_settings().home)
    if written is not None:
        console.print(f"Wrote the demo board (executive set, scorecard priorities, pack pages) to {written}")
    apply_model(None, app_running=False)


def _demo_admin() -> None:
    """The first account, so a new user can sign in: a random password, printed this once."""
    import secrets

    from appstate.db import session
    from appstate.users import add_user, list_users

    with session() as db:
        if list_users(db):
            return
        password = secrets.token_urlsafe(15)
        # The operator who installs it loads the data and reads its loads and rejections: exact figures.
        add_user(db, "admin", "admin", created_by="safeguard demo", password=password, unsuppressed=True)
    console.print(
        f"Created the first account. Sign in as [bold]admin[/bold] with the password [bold]{password}[/bold] "
        "(shown only this once; `safeguard users set-password admin` changes it, `safeguard users add` "
        "adds others). It sees exact figures; other accounts see protected (rounded) figures unless "
        "made with --unsuppressed."
    )


@app.command()
def kpis(
    la: Annotated[list[str], typer.Option(help="LA code(s) in scope, e.g. E08000021.")],
    period: Annotated[
        str,
        typer.Option(
            help="2024-06, 2024-25-Q1, 2024-25, R12-2025-03 (12 months to) or R6-2025-03 (6 months to)."
        ),
    ],
    unsuppressed: Annotated[bool, typer.Option(help="Show counts of 1 to 4 (data team only).")] = False,
) -> None:
    """Every KPI for a scope and period: value, changes, benchmarks, target and RAG."""
    from appstate.db import session
    from appstate.targets import lookup
    from warehouse.db import open_readonly
    from warehouse.kpis.assessment import assess
    from warehouse.kpis.engine import Filters
    from warehouse.kpis.periods import parse_period
    from warehouse.kpis.registry import REGISTRY
    from warehouse.kpis.suppression import NO_SUPPRESSION, SuppressionPolicy

    try:
        chosen = parse_period(period)
    except ValueError as error:
        errors.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from error
    policy = NO_SUPPRESSION if unsuppressed else SuppressionPolicy()
    with _or_exit(lambda: open_readonly(get_settings().warehouse_path)) as con, session() as db:
        found = assess(con, list(REGISTRY), chosen, Filters(la_codes=tuple(la)), policy, lookup(db))
    console.print(kpi_table(found, chosen))


def kpi_table(assessments: list[Assessment], period: Period) -> Table:
    from warehouse.kpis.formatting import (
        format_change,
        format_figure,
        format_number,
        format_rank,
        format_rate,
        shown_change,
    )
    from warehouse.kpis.published import published_year_label

    table = Table(title=f"KPIs for {period.label}", show_lines=False)
    for name in (
        "KPI",
        "value",
        "per 10k",
        "previous",
        "change",
        "last year",
        "England",
        "region",
        "neighbours",
        "rank",
        "target",
        "RAG",
    ):
        table.add_column(name, justify="left" if name in ("KPI", "RAG") else "right", overflow="fold")
    for a in assessments:
        kpi, result, benchmark = a.kpi, a.result, a.benchmark
        bench = ["", "", "", ""]
        if benchmark:
            year = "" if benchmark.matches_period else f" ({benchmark.financial_year})"
            bench = [
                _benchmark_figure(benchmark.england, benchmark.is_rate, kpi.unit) + year,
                _benchmark_figure(benchmark.region, benchmark.is_rate, kpi.unit),
                _benchmark_figure(benchmark.neighbour_mean, benchmark.is_rate, kpi.unit),
                format_rank(kpi, benchmark.rank, benchmark.group_size),
            ]
        target = ""
        if a.target:
            target = format_number(a.target.value, kpi.unit) + (" (demo)" if a.target.is_demo else "")
        # A published KPI's figure is a year's, as published: the year is beside it.
        published = kpi.is_published and result.current.value is not None
        year = f" ({published_year_label(kpi, result.current.period)})" if published else ""
        table.add_row(
            kpi.title + (" *" if kpi.local_definition else ""),
            format_figure(kpi, result.current) + year,
            format_rate(result.current) if kpi.per_10k else "",
            format_figure(kpi, result.previous),
            format_change(kpi, shown_change(kpi, result.current, result.previous)),
            format_figure(kpi, result.last_year),
            *bench,
            target,
            a.rag.words if a.rag else "",
        )
    caption = (
        "* local definition. Benchmarks are published DfE figures: rates per 10,000 beside counts "
        "that have one; a year in brackets is the latest published year. Rank: among the LA and its "
        "10 statistical neighbours, 1 = best. A year in brackets beside a value: the LA's own published "
        "figure, for that year."
    )
    gaps = dict.fromkeys(a.result.current.no_data for a in assessments if a.result.current.no_data)
    if gaps:  # why a value is "no data": the loads do not cover the period
        caption += " No data: " + "; ".join(filter(None, gaps)) + "."
    table.caption = caption
    return table


def _benchmark_figure(value: float | None, is_rate: bool, unit: Unit) -> str:
    from warehouse.kpis.formatting import format_number

    if value is None:
        return ""
    return f"{value:.1f}" if is_rate else format_number(value, unit)


def _text(value: object) -> str:
    return (
        ""
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
        else str(value)
    )


def _or_exit(query):
    try:
        return query()
    except WarehouseError as error:
        errors.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from error


@app.command("run-inbox")
def run_inbox(
    inbox: Annotated[
        Path | None, typer.Option(help="The folder to load from (default: $SAFEGUARD_HOME/inbox).")
    ] = None,
    archive: Annotated[
        Path | None, typer.Option(help="Where loaded files go (default: $SAFEGUARD_HOME/archive).")
    ] = None,
    quarantine: Annotated[
        Path | None,
        typer.Option(help="Where structurally bad files go (default: $SAFEGUARD_HOME/quarantine)."),
    ] = None,
    settle_seconds: Annotated[
        float, typer.Option(min=0, help="Only load files that have not changed for this many seconds.")
    ] = 10.0,
) -> None:
    """Load the files waiting in the inbox in one load, then archive or quarantine each with a report.

    Exit codes:
    0 every file archived (loaded, with rejections, or unchanged), or nothing to do;
    1 a file quarantined, or the load failed (the files stay in the inbox);
    2 a usage error;
    75 another load is running (the files stay in the inbox for the next run)."""
    from etl.inbox import InboxError, inbox_folders
    from etl.inbox import run_inbox as load_inbox

    settings = get_settings()
    try:
        folders = inbox_folders(settings, inbox, archive, quarantine)
    except InboxError as error:
        errors.print(f"[red]error:[/red] {error}", soft_wrap=True)
        raise typer.Exit(2) from error
    result = load_inbox(settings, folders, settle_seconds=settle_seconds)
    if result.message:
        errors.print(result.message, soft_wrap=True)
    if result.files:
        _audit(result.outcomes)
        _print_notes(result.outcomes)
        table = Table(title=f"Inbox {folders.inbox}")
        for name in ("file", "status", "read", "loaded", "rejected", "load", "now in"):
            table.add_column(
                name,
                justify="right" if name in ("read", "loaded", "rejected", "load") else "left",
                overflow="fold",
            )
        for f in result.files:
            where = f"{f.moved_to.parent.parent.name}/{f.moved_to.parent.name}" if f.moved_to else "the inbox"
            table.add_row(
                f.path.name,
                f.status,
                f"{f.rows_read:,}",
                f"{f.rows_loaded:,}",
                f"{f.rows_rejected:,}",
                _text(f.load_id),
                where,
            )
        console.print(table)
    raise typer.Exit(result.exit_code)


@app.command()
def schedule(
    once: Annotated[bool, typer.Option(help="Run one inbox pass now and exit with its exit code.")] = False,
    inbox: Annotated[Path | None, typer.Option(help="Passed to run-inbox.")] = None,
    archive: Annotated[Path | None, typer.Option(help="Passed to run-inbox.")] = None,
    quarantine: Annotated[Path | None, typer.Option(help="Passed to run-inbox.")] = None,
    settle_seconds: Annotated[float, typer.Option(min=0, help="Passed to run-inbox.")] = 10.0,
) -> None:
    """Run run-inbox on the crontab timetables in SAFEGUARD_SCHEDULE (default every 15 minutes), in
    this one process, until Ctrl+C or SIGTERM. Never start it inside the web server."""
    from etl.schedule import (
        InboxPass,
        ScheduleError,
        parse_schedule,
        run_scheduler,
        schedule_text,
        schedule_timezone,
    )

    arguments = [f"--settle-seconds={settle_seconds:g}"]
    for option, value in (("--inbox", inbox), ("--archive", archive), ("--quarantine", quarantine)):
        if value is not None:
            arguments.append(f"{option}={value.absolute()}")
    inbox_pass = InboxPass(arguments)
    if once:
        raise typer.Exit(inbox_pass("once"))
    try:
        timezone = schedule_timezone()
        text = schedule_text()
        run_scheduler(parse_schedule(text, timezone), inbox_pass, timezone, text)
    except ScheduleError as error:
        errors.print(f"[red]error:[/red] {error}", soft_wrap=True)
        raise typer.Exit(2) from error


if __name__ == "__main__":
    app()


# Figures submitted by agencies: template, submit, enter, submissions, remind.
register_submission_commands(app)
