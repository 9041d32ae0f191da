"""Saved views: list the user's and the shared ones, open one, save the view on screen.

A saved view is the page and its query string, so opening one goes through the same URL parsing
and scope checks as any link.
"""

from __future__ import annotations

import dash
from dash import Input, Output, State

from app import ids
from app.access import SHELL, callback
from app.components.choices import chosen_number
from app.scope import Permission, PermissionDenied, User, current_user, require
from appstate.db import session
from appstate.saved_views import Audience, SavedView, save_view, views_for


def _audience(user: User) -> Audience:
    """The user's role and partnership: whom their shared views reach, and whose views they see."""
    return Audience(role=user.role.value, la_codes=user.la_codes)


def _label(view: SavedView, username: str) -> str:
    if view.owner == username:
        return view.name + (" (shared)" if view.shared else "")
    return f"{view.name} (shared by {view.owner})"


def openable_views(user: User) -> list[SavedView]:
    """The user's own views and those shared with them, of pages they may open: a view saved when an
    account could open a page (before a role change, or by someone who sees exact figures) is not
    offered to one who would be refused it."""
    with session() as db:
        views = views_for(db, user.username, _audience(user))
    return [v for v in views if user.can_view(v.path)]


@callback(
    Output(ids.SAVED_VIEW_OPEN, "options"),
    Input(ids.URL, "pathname"),
    Input(ids.SAVED_VIEW_STATUS, "children"),
    page=SHELL,
)
def list_views(_pathname, _status):
    user = current_user()
    return [{"label": _label(v, user.username), "value": v.id} for v in openable_views(user)]


@callback(
    Output(ids.URL, "href", allow_duplicate=True),
    Input(ids.SAVED_VIEW_OPEN, "value"),
    prevent_initial_call=True,
    page=SHELL,
)
def open_view(chosen_view: str | None) -> str | dash.NoUpdate:
    view_id = chosen_number(chosen_view)
    if view_id is None:
        return dash.no_update
    # Only a view the user may open: their own or one shared with them, whatever id is posted.
    view = next((v for v in openable_views(current_user()) if v.id == view_id), None)
    return view.href if view else dash.no_update


@callback(
    Output(ids.SAVED_VIEW_STATUS, "children"),
    Input(ids.SAVED_VIEW_SAVE, "n_clicks"),
    State(ids.SAVED_VIEW_NAME, "value"),
    State(ids.SAVED_VIEW_SHARED, "value"),
    State(ids.URL, "pathname"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
    page=SHELL,
)
def save_current_view(_clicks, name, shared, pathname, search):
    try:
        user = require(Permission.SAVE_VIEWS)
        with session() as db:
            view = save_view(
                db,
                name or "",
                pathname or "/",
                search or "",
                user.username,
                shared=bool(shared),
                audience=_audience(user),
            )
    except (PermissionDenied, ValueError) as error:
        return f"Not saved: {error}."
    return f"Saved '{view.name}'" + (
        f" and shared with the {user.role.words} accounts of your partnership."
        if view.shared
        else " for you."
    )
