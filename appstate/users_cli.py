"""`safeguard users ...`: create and manage the accounts that sign in to the dashboard."""

from __future__ import annotations

import getpass
import secrets
from collections.abc import Callable
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from appstate.audit import record
from appstate.db import session
from appstate.users import ROLES, add_user, list_users, set_active, set_password

users_app = typer.Typer(help="Accounts: who may sign in, with which role and scope.", no_args_is_help=True)
console = Console()


def _codes(text: str) -> tuple[str, ...]:
    return tuple(code.strip() for code in text.split(",") if code.strip())


def _operator() -> str:
    return getpass.getuser()


def _new_password(generate: bool) -> str:
    if generate:
        return secrets.token_urlsafe(18)
    first = getpass.getpass("Password (12 characters or more): ")
    if first != getpass.getpass("Again: "):
        raise typer.BadParameter("the two passwords differ")
    return first


@users_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="A username or an email address (for single sign-on).")],
    role: Annotated[str, typer.Option(help=f"One of {', '.join(ROLES)}.")],
    la: Annotated[
        str,
        typer.Option(help="The LA codes it covers, comma-separated (all loaded LAs if blank; admins only)."),
    ] = "",
    agency: Annotated[
        str,
        typer.Option(
            help="A partner's agency groups, comma-separated (for example Police); an unknown one is refused."
        ),
    ] = "",
    area: Annotated[str, typer.Option(help="A partner's area codes, comma-separated.")] = "",
    unsuppressed: Annotated[
        bool, typer.Option(help="An executive or admin who may see counts of 1 to 4.")
    ] = False,
    generate_password: Annotated[
        bool, typer.Option("--generate-password", help="Make a random password and print it once.")
    ] = False,
    sso_only: Annotated[
        bool, typer.Option("--sso-only", help="No password: signs in through single sign-on.")
    ] = False,
) -> None:
    """Create an account. There is no default password: type one, or have one made and shown once."""
    password = None if sso_only else _new_password(generate_password)
    with session() as db:
        try:
            account = add_user(
                db,
                username,
                role,
                created_by=_operator(),
                password=password,
                la_codes=_codes(la),
                agencies=_codes(agency),
                areas=_codes(area),
                unsuppressed=unsuppressed,
            )
        except ValueError as error:
            console.print(f"[red]Not added:[/red] {error}")
            raise typer.Exit(1) from error
        record(
            db,
            _operator(),
            "user_added",
            subject=account.username,
            role=account.role,
            la_codes=account.la_codes,
        )
    console.print(f"Added {account.username} ({account.role}).")
    if generate_password:
        console.print(f"Password (shown once, store it safely): {password}")


@users_app.command("list")
def list_accounts() -> None:
    """Every account with its role and scope."""
    table = Table("username", "role", "LAs", "agencies", "areas", "small numbers", "active", "last sign-in")
    with session() as db:
        for a in list_users(db):
            table.add_row(
                a.username,
                a.role,
                a.la_codes or "all",
                a.agencies or "all",
                a.areas or "all",
                "shown" if a.unsuppressed else "suppressed",
                "yes" if a.active else "no",
                f"{a.last_sign_in:%Y-%m-%d %H:%M}" if a.last_sign_in else "never",
            )
    console.print(table)


def _change(username: str, action: str, change: Callable[[Session], object]) -> None:
    with session() as db:
        try:
            change(db)
        except ValueError as error:
            console.print(f"[red]{error}[/red]")
            raise typer.Exit(1) from error
        record(db, _operator(), action, subject=username)
    console.print(f"{action.replace('_', ' ').capitalize()}: {username}")


@users_app.command("disable")
def disable(username: str) -> None:
    """Stop an account signing in (its sessions end on their next request)."""
    _change(username, "user_disabled", lambda db: set_active(db, username, False))


@users_app.command("enable")
def enable(username: str) -> None:
    _change(username, "user_enabled", lambda db: set_active(db, username, True))


@users_app.command("set-password")
def change_password(
    username: str,
    generate_password: Annotated[bool, typer.Option("--generate-password")] = False,
) -> None:
    """Set a new password (typed, or made and shown once); it also unlocks the account."""
    password = _new_password(generate_password)
    _change(username, "password_set", lambda db: set_password(db, username, password))
    if generate_password:
        console.print(f"Password (shown once, store it safely): {password}")
