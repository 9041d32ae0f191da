"""The Dash app: a shell with navigation and the status strip, pages from app/pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dash
from dash import Dash, dcc, html
from dash.development.base_component import Component

from app import ids
from app.access import export_route, install_access
from app.annual_report_docx import install_annual_report_exports
from app.auth import csrf_token, install_auth
from app.callbacks import drill, filters, saved_views  # noqa: F401  (registers the shared callbacks)
from app.components.filter_bar import filter_bar
from app.components.static_html import flatten
from app.components.status import data_status_strip
from app.exceptions_export import exceptions_markdown
from app.health import install_health
from app.logs import configure_json_logging
from app.page_pdf import page_pdf
from app.scope import (
    NoDataInScope,
    NotSignedIn,
    PermissionDenied,
    User,
    current_user,
    nav_groups,
    nav_pages,
    needs_exact_figures,
    page_roles,
)
from app.scorecard_export import scorecard_xlsx
from app.security import install_security
from app.state import pin_snapshot, release_snapshot

APP_DIR = Path(__file__).resolve().parent


def _nav(user: User) -> html.Nav:
    """The pages this user's role opens, and no others, in their groups: each group is a menu that
    opens on a click (app/assets/navigation.js closes it and marks the current one)."""
    items: list[Component] = []
    for group, pages in nav_groups(user):
        links = [
            dcc.Link(
                page["name"],
                href=page["relative_path"],
                id={"type": ids.NAV_LINK, "path": page["relative_path"]},
                className="nav-link",
            )
            for page in pages
        ]
        # A group is always its menu, however few of its pages the role opens: a page is found in the
        # same menu by everyone who opens it.
        items.append(
            html.Details(
                [html.Summary(group, className="nav-group-name"), html.Div(links, className="nav-menu")],
                className="nav-group",
            )
        )
    return html.Nav(items, className="nav", **{"aria-label": "Main"})  # type: ignore[arg-type]  # Dash types each prop; aria-*/data-* have none


def _account(user: User) -> html.Form:
    return html.Form(
        [
            html.Span(f"{user.username} ({user.role.words})", className="account-name"),
            dcc.Input(type="hidden", name="csrf", value=csrf_token(), id="sign-out-csrf"),
            html.Button("Sign out", type="submit", className="button-secondary sign-out"),
        ],
        method="post",
        action="/logout",
        className="account",
    )


def _layout() -> html.Div:
    try:
        user = current_user()
    except NotSignedIn:
        user = None  # Dash draws the layout once at start-up to check it, before anyone has signed in
    return html.Div(
        [
            # The first thing a keyboard reaches: past the navigation and filters to the page itself.
            html.A("Skip to the page", href="#main", className="skip-link"),
            html.Header(
                [
                    html.Span("Safeguarding performance", className="brand"),
                    *([_nav(user), _account(user)] if user else []),
                ],
                className="app-header",
            ),
            dcc.Location(id=ids.URL, refresh="callback-nav"),
            dcc.Store(id=ids.DRILL_CLICK),
            data_status_strip(),
            filter_bar(),
            html.Main(_loading(dash.page_container), className="page", id="main", tabIndex="-1"),
        ],
        className="app",
    )


# Dash's page router draws a page into this component (dash.page_container): a slow page is a slow
# callback writing its children.
PAGE_CONTENT = "_pages_content"
LOADING_WORDS = "Loading the page\u2026"


def _loading(container: Component) -> dcc.Loading:
    """The page container, which says it is loading while a page is drawn rather than showing an
    empty box: a status message (announced by screen readers) at the top of the page, the page it
    replaces hidden meanwhile. Only the page's drawing shows it (not each small callback on the
    page), and only after a moment, so that a quick page does not flicker; the PDFs wait until it
    has gone (app/page_pdf.py)."""
    return dcc.Loading(
        container,
        target_components={PAGE_CONTENT: "children"},  # type: ignore[arg-type]  # Dash types it as a dict with no keys
        custom_spinner=html.P(LOADING_WORDS, role="status", className="page-loading"),
        delay_show=250,
    )


def _guard_pages() -> None:
    """Every page's layout checks, on the server, that the user's role opens it."""
    for page in dash.page_registry.values():
        layout = page["layout"]
        if callable(layout) and not isinstance(layout, _GuardedLayout):
            page["layout"] = _GuardedLayout(layout, page["path"])


@dataclass(frozen=True)
class _GuardedLayout:
    """A page's layout, drawn only for a role that opens the page."""

    layout: Callable[..., Component]
    path: str

    def __call__(self, **query: str | list[str]) -> Component:
        user = current_user()
        if not user.can_view(self.path):
            return _not_for_role(user, self.path)
        return flatten(self.layout(**query))


def _not_for_role(user: User, path: str) -> html.Div:
    allowed = nav_pages(user)
    why = (
        " It shows exact counts and rejected rows, and your figures are protected (rounded)."
        if user.role in page_roles(path) and needs_exact_figures(path)
        else ""
    )
    return html.Div(
        [
            html.H1("Not available to your role"),
            html.P(f"Your account ({user.role.words}) does not open this page.{why} These are yours:"),
            html.Ul(
                [html.Li(dcc.Link(page["name"], href=page["relative_path"])) for page in allowed],
                className="page-links",
            ),
        ]
    )


def create_app() -> Dash:
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder=str(APP_DIR / "pages"),
        assets_folder=str(APP_DIR / "assets"),
        title="Safeguarding performance dashboard",
        suppress_callback_exceptions=True,
        serve_locally=True,
    )
    app.index_string = app.index_string.replace("<html>", '<html lang="en-GB">')
    install_security(app)
    install_auth(app.server)
    install_health(app.server)
    app.server.before_request(pin_snapshot)
    app.server.before_request(filters.complete_dashboard_link)  # after the snapshot it reads is pinned
    app.server.teardown_request(release_snapshot)
    _guard_pages()
    app.server.register_error_handler(
        NotSignedIn, lambda _e: ("Sign in first.", 401, {"Content-Type": "text/plain"})
    )
    app.server.register_error_handler(
        PermissionDenied, lambda error: (str(error), 403, {"Content-Type": "text/plain"})
    )
    app.server.register_error_handler(
        NoDataInScope, lambda error: (str(error), 503, {"Content-Type": "text/plain"})
    )
    install_access(app)
    server = app.server
    export_route(
        server, "/pack.pdf", "pack_pdf", page_pdf("/pack", ".pack-cover", "meeting-pack.pdf"), page="/pack"
    )
    export_route(server, "/exceptions.md", "exceptions_markdown", exceptions_markdown, page="/exceptions")
    export_route(
        server,
        "/exceptions.pdf",
        "exceptions_pdf",
        page_pdf("/exceptions", ".exceptions-ready", "exception-report.pdf"),
        page="/exceptions",
    )
    export_route(server, "/scorecard.xlsx", "scorecard_xlsx", scorecard_xlsx, page="/scorecard")
    export_route(
        server,
        "/scorecard.pdf",
        "scorecard_pdf",
        page_pdf("/scorecard", ".scorecard-ready", "scorecard.pdf", landscape=True),
        page="/scorecard",
    )
    install_annual_report_exports(server)
    app.layout = _layout
    return app


def _say_how_to_sign_in() -> None:
    from appstate.db import session
    from appstate.users import list_users

    with session() as db:
        if not list_users(db):
            print(
                "No accounts yet: create the first with `.venv/bin/safeguard users add NAME --role admin "
                "--generate-password` (see docs/security.md)."
            )


def main() -> None:
    import os

    configure_json_logging()
    app = create_app()
    _say_how_to_sign_in()
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "8050")), debug=False)


if __name__ == "__main__":
    main()
