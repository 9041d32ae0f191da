"""The Dash app: a shell with navigation and the status strip, pages from app/pages."""

from __future__ import annotations

from pathlib import Path

import dash
from dash import Dash, dcc, html

from app import ids
from app.callbacks import drill, filters, saved_views  # noqa: F401  (registers the shared callbacks)
from app.components.filter_bar import filter_bar
from app.components.status import data_status_strip
from app.exceptions_export import exceptions_markdown
from app.page_pdf import page_pdf
from app.scorecard_export import scorecard_xlsx

APP_DIR = Path(__file__).resolve().parent


def _nav() -> html.Nav:
    links = [
        dcc.Link(page["name"], href=page["relative_path"], className="nav-link")
        for page in dash.page_registry.values()
        if page.get("nav", True)
    ]
    return html.Nav(links, className="nav", **{"aria-label": "Main"})


def _layout() -> html.Div:
    return html.Div(
        [
            html.Header(
                [html.Span("Safeguarding performance", className="brand"), _nav()], className="app-header"
            ),
            dcc.Location(id=ids.URL, refresh="callback-nav"),
            data_status_strip(),
            filter_bar(),
            html.Main(dash.page_container, className="page", id="main"),
        ],
        className="app",
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
    app.server.add_url_rule("/pack.pdf", "pack_pdf", page_pdf("/pack", ".pack-cover", "meeting-pack.pdf"))
    app.server.add_url_rule("/exceptions.md", "exceptions_markdown", exceptions_markdown)
    app.server.add_url_rule("/exceptions.pdf", "exceptions_pdf", page_pdf("/exceptions", ".exceptions-ready", "exception-report.pdf"))
    app.server.add_url_rule("/scorecard.xlsx", "scorecard_xlsx", scorecard_xlsx)
    app.server.add_url_rule("/scorecard.pdf", "scorecard_pdf", page_pdf("/scorecard", ".scorecard-ready", "scorecard.pdf"))
    app.layout = _layout
    return app


def main() -> None:
    import os

    app = create_app()
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "8050")), debug=False)


if __name__ == "__main__":
    main()
