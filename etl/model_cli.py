"""`safeguard model check` and `safeguard model apply`: a partnership's own datasets' measures,
dimensions, KPIs and pages, from the files in $SAFEGUARD_HOME/model (docs/model.md)."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import duckdb
import typer

from etl.docs import write_local_docs
from etl.load.publish import load_lock, publish
from etl.terminal import console, errors
from warehouse.db import WarehouseError, migrate, set_meta
from warehouse.model.changes import affected_kpis, affected_pages, changes
from warehouse.model.files import (
    LOCAL_FOLDER,
    Model,
    ModelError,
    folder_files,
    published_model,
    read_model,
    store_files,
)
from warehouse.settings import get_settings

model_app = typer.Typer(
    help="The model: a partnership's own measures, dimensions, KPIs and pages.", no_args_is_help=True
)

FolderOption = Annotated[
    Path | None, typer.Option(help="The folder of model files (default: $SAFEGUARD_HOME/model).")
]


def _checked(folder: Path | None) -> tuple[Model, Model, bool]:
    """The folder's model (exit 1 with every mistake if it has any), the applied one, and whether
    they differ; the changes and what they reach are printed."""
    folder = folder or get_settings().home / LOCAL_FOLDER
    try:
        new = read_model(folder_files(folder))
    except ModelError as error:
        errors.print(f"[red]The model in {folder} has mistakes; nothing is applied:[/red]")
        for problem in error.problems:
            errors.print(f"  {problem}", markup=False, highlight=False)
        raise typer.Exit(1) from error
    applied = published_model(get_settings().warehouse_path)
    local = [f.name for f in new.local_files]
    console.print(
        f"The model in {folder} is valid: {len(local)} file(s) of your own{': ' + ', '.join(local) if local else ''}; "
        f"{len(new.kpis)} KPIs, {len(new.dimensions)} dimensions, {len(new.measures)} measures, "
        f"{len(new.pages)} pages.",
        highlight=False,
    )
    _say_if_an_own_scorecard_is_in_force(new)
    found = changes(applied, new)
    if not found:
        console.print("It is the model the warehouse has: nothing to apply.")
        return new, applied, False
    console.print("Changes from the applied model:")
    for change in found:
        console.print(f"  {change}", highlight=False)
    kpis = affected_kpis(applied, new, found)
    console.print("KPIs affected: " + (", ".join(kpis) or "none"), highlight=False)
    console.print(
        "Pages affected: " + (", ".join(affected_pages(applied, new, found, kpis)) or "none"), highlight=False
    )
    return new, applied, True


def _say_if_an_own_scorecard_is_in_force(model: Model) -> None:
    from warehouse.kpis.scorecard import override_path  # the engine, only for this command

    override = override_path()
    if override is not None and model.board.priority is not None:
        console.print(
            f"Note: {override} is not used: the model's [board] declares the scorecard's priorities, and "
            "wins. Delete it to avoid confusion (docs/model.md: Choose what the board sees).",
            highlight=False,
            soft_wrap=True,
        )
    elif override is not None:
        console.print(
            f"Note: {override} is in force: it sets the scorecard's priorities in place of the model's "
            "(priorities and KPIs' `priority`). Delete it to use the model's (docs/model.md: "
            "Put a KPI in the scorecard).",
            highlight=False,
            soft_wrap=True,  # a path broken over lines cannot be copied
        )


@model_app.command("check")
def check(folder: FolderOption = None) -> None:
    """Check the model files: every mistake with its file, key and reason, else what would change."""
    _checked(folder)


@model_app.command("apply")
def apply(folder: FolderOption = None) -> None:
    """Check the model files, then make them the warehouse's model: its cubes gain any new columns and
    are rebuilt, in one atomic swap that keeps every loaded row. Restart the app to serve it."""
    apply_model(folder)


def apply_model(folder: Path | None, app_running: bool = True) -> None:
    """`model apply`; `app_running` False where no app can be serving the warehouse yet (the demo's
    first load), so there is no restart to ask for."""
    new, _applied_model, differs = _checked(folder)
    if not differs:
        return
    settings = get_settings()

    def change(con: duckdb.DuckDBPyConnection) -> None:
        store_files(con, new.local_files)
        set_meta(
            con,
            model_fingerprint=new.fingerprint,
            model_applied_at=datetime.now(UTC).isoformat(timespec="seconds"),
            model_applied_by=getpass.getuser(),
        )
        migrate(con)  # the new model's columns, macros and cubes

    try:
        with load_lock(settings.lock_path):
            publish(settings.warehouse_path, change)
    except (WarehouseError, duckdb.Error) as error:
        errors.print(
            f"[red]Not applied[/red] (the warehouse is as it was): the model does not fit it: {error}"
        )
        raise typer.Exit(2) from error
    written = write_local_docs(new, settings.home)
    console.print(
        f"The extract formats, example extracts and KPIs of your own are in {written[0].parent}.",
        highlight=False,
    )
    restart = " Restart the app (every server) to serve the new model; until then it serves the previous one."
    console.print(
        f"Applied to the warehouse at {settings.warehouse_path}.{restart if app_running else ''}",
        highlight=False,
    )
