"""Who may call what, declared once and denied by default.

- A page declares the roles that open it where it is registered: `dash.register_page(...,
  roles=BOARD)`. A page that declares none opens for nobody (app/scope.py `page_roles`).
- Every server callback is registered with `callback(..., page=PATH)` instead of `dash.callback`,
  and every data route with `export_route(server, rule, view, page=PATH)`. Both check, before the
  function runs, that the user's role opens that page; `page=SHELL` marks the app's shell (the
  filter bar, saved views, drill-down), which every signed-in role uses and which shows only data
  the scope allows.
- `install_access` looks at every callback request before Dash runs it: a body that is not a
  callback request is answered 400, and a callback no page declared is refused (403), so a
  callback registered with plain `dash.callback` never runs for anyone.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import dash
from dash import Dash, _callback
from flask import Flask, abort, request

from app.scope import PermissionDenied, current_user, require_page

SHELL = "the app's shell"
# A callback's output key (Dash's callback_map key) -> the page whose roles it needs, or SHELL.
CALLBACK_PAGES: dict[str, str] = {}
# A Flask endpoint -> the page whose roles it needs.
ROUTE_PAGES: dict[str, str] = {}
# Dash's own page router draws each page's layout, and each layout checks its own page's roles
# (app/main.py), so the router itself is open to every signed-in role.
PAGE_ROUTER = ".._pages_content.children..._pages_store.data.."


def _require(page: str) -> None:
    if page == SHELL:
        current_user()
    else:
        require_page(page)


def _guarded(function: Callable, page: str) -> Callable:
    @functools.wraps(function)
    def guarded(*args, **kwargs):
        _require(page)
        return function(*args, **kwargs)

    return guarded


def callback(*args: Any, page: str, **kwargs: Any) -> Callable:
    """`dash.callback`, tied to the page whose roles may call it (or SHELL)."""

    def declare(function: Callable) -> Callable:
        registered = dash.callback(*args, **kwargs)(_guarded(function, page))
        CALLBACK_PAGES[_callback.GLOBAL_CALLBACK_LIST[-1]["output"]] = page
        return registered

    return declare


def export_route(server: Flask, rule: str, endpoint: str, view: Callable, page: str) -> None:
    """A Flask GET route that serves data of the page at `page`, for the roles that open it."""
    ROUTE_PAGES[endpoint] = page
    server.add_url_rule(rule, endpoint, _guarded(view, page))


def declared_page(output: str) -> str | None:
    """The page a callback (by its output key) was declared for; None when it was not."""
    return SHELL if output == PAGE_ROUTER else CALLBACK_PAGES.get(output)


def _is_dependency(item: object) -> bool:
    """An input or state as the browser sends it: {id, property[, value]}, or a list of them for
    a pattern-matching (ALL) dependency."""
    if isinstance(item, list):
        return all(_is_dependency(one) for one in item)
    return isinstance(item, dict) and "id" in item and isinstance(item.get("property"), str)


def _check_callback_request(app: Dash) -> None:
    """Before Dash runs a callback: the body must be a callback request for a callback this app
    has (else 400, where Dash would fail with a 500), and one declared for a page (else 403)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        abort(400)
    spec = app.callback_map.get(body["output"])
    if spec is None or "callback" not in spec:
        abort(400)
    inputs, state = body.get("inputs", []), body.get("state", [])
    changed = body.get("changedPropIds", [])
    if not (
        isinstance(inputs, list)
        and isinstance(state, list)
        and len(inputs) == len(spec["inputs"])
        and len(state) == len(spec["state"])
        and all(_is_dependency(i) for i in inputs + state)
        and isinstance(changed, list)
        and all(isinstance(c, str) for c in changed)
        and isinstance(body.get("outputs", {}), (dict, list))
    ):
        abort(400)
    if declared_page(body["output"]) is None:
        raise PermissionDenied(
            f"the callback for {body['output']} is declared for no page, so nobody may call it"
        )


def install_access(app: Dash) -> None:
    """Every callback request checked before Dash runs it (after sign-in has found the user)."""
    dispatch = app.config.routes_pathname_prefix + "_dash-update-component"

    def check():
        if request.path == dispatch and request.method == "POST":
            _check_callback_request(app)

    app.server.before_request(check)
