"""A change to the item chosen on a page (a review, a meeting), made the one way: the user's role
checked on the server, the item looked up again within their scope, the change and its audit row
made in one transaction, and the page told what happened, with the form's fields emptied."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import dash
from dash import Output
from sqlalchemy.orm import Session

from app.components.forms import done, refused
from app.scope import Permission, PermissionDenied, current_user, require
from appstate.db import session

Chosen = TypeVar("Chosen")


def change_outputs(status_id: str, changed_id: str, *cleared: str) -> tuple[Output, ...]:
    """A change's outputs: the page's status message, its change counter and the fields it empties."""
    return (
        Output(status_id, "children", allow_duplicate=True),
        Output(changed_id, "data", allow_duplicate=True),
        *(Output(component, "value", allow_duplicate=True) for component in cleared),
    )


def change_chosen(
    clicks: int | None,
    chosen: object,
    changed: int | None,
    permissions: Sequence[Permission],
    change: Callable[[Session, Chosen, str], str],
    cleared: int,
    *,
    find: Callable[[object], Chosen | None],
    missing: str,
) -> tuple:
    """Make `change` to the chosen item, if the user's role holds every one of `permissions` and
    `find` finds the item in their scope (else `missing` says what to choose); its message, the
    change counter, and its form's `cleared` fields emptied."""
    if not clicks:
        return (dash.no_update,) * (2 + cleared)
    try:
        user = current_user()
        for permission in permissions:
            require(permission)
        item = find(chosen)
        if item is None:
            raise ValueError(missing)
        with session() as db:
            message = change(db, item, user.username)
    except (PermissionDenied, ValueError) as error:
        return (*refused(error), *(dash.no_update,) * cleared)
    return (*done(message, changed), *("",) * cleared)
