"""Printable pages as PDF (the meeting pack, the scorecard, the exception report), printed by
headless Chromium.

The browser loads the page from this same server, so the PDF shows exactly what the page shows,
with the same server-side scope and suppression; the request's query string carries the filters.
It loads it from an address the request cannot choose: SAFEGUARD_PUBLIC_URL when set, else this
server's own loopback address on the port the request arrived at (never the request's Host
header, which a client writes). The requester's session cookie is given to that origin only,
and Chromium is stopped from fetching anything from any other. Each server process prints at
most SAFEGUARD_PDF_RENDERS at once (a render holds a browser of a few hundred MB); a request
beyond that is answered 503 at once, to try again shortly.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable
from datetime import date
from functools import cache
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import Response, current_app, request

from app.audit_log import log_export
from app.components.status import data_status
from warehouse.db import WarehouseError
from warehouse.settings import environment

if TYPE_CHECKING:  # Playwright is imported only to print
    from playwright._impl._api_structures import SetCookieParam
    from playwright.sync_api import Page

CHROMIUM = environment().chromium
BUSY = "The server is busy printing other PDFs: try again in a minute."
SLOW = "The server is too busy to draw the PDF's page now: try again in a minute."


@cache
def _renders(limit: int) -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(limit)


def print_origin() -> str | None:
    """Where Chromium loads the page from: the configured public URL, else this server's own
    loopback address on the port of the socket the request came in on; None when neither is known."""
    public = environment().public_url
    if public:
        parts = urlsplit(public)
        return f"{parts.scheme}://{parts.netloc}"
    connection = request.environ.get("gunicorn.socket") or request.environ.get("werkzeug.socket")
    if connection is None:
        return None
    return f"http://127.0.0.1:{connection.getsockname()[1]}"


# Chromium's page header and footer: their own small documents, styled inline. Chromium fills the
# spans with these classes with the page's number and the count of pages.
# The printed width at 96 px an inch: A4's 210 mm (297 mm landscape) less 10 mm margins each side.
PRINT_WIDTH_PX = {False: round((210 - 2 * 10) / 25.4 * 96), True: round((297 - 2 * 10) / 25.4 * 96)}
_MARGIN_STYLE = "font: 7.5pt Arial, sans-serif; color: #4a5560; width: 100%; margin: 0 10mm; display: flex;"


def page_furniture(marking: str, printed: date, data_as_at: str) -> tuple[str, str]:
    """The header (the protective marking) and footer (the date printed, the data's date, the
    marking and the page number) of every printed page."""
    shown = f"<strong>{escape(marking)}</strong>" if marking else ""
    header = f'<div style="{_MARGIN_STYLE} justify-content: center;">{shown}</div>'
    footer = (
        f'<div style="{_MARGIN_STYLE} justify-content: space-between;">'
        f"<span>Printed {printed.day} {printed:%B %Y}; data as at {escape(data_as_at)}</span>{shown}"
        '<span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>'
    )
    return header, footer


# Each chart's box is on the page before Plotly has drawn into it, and the page's own content is
# drawn by a callback (its "Loading the page" message shows meanwhile): more so on a busy server.
# The page is printed once nothing on it is still loading or waiting to be drawn.
UNSETTLED = (
    "Array.from(document.querySelectorAll('.dash-graph')).filter(g => !g.querySelector('.main-svg')).length"
    " + document.querySelectorAll('.page-loading, [data-dash-is-loading]').length"
)
PATIENCE_S = 90


class PageNotDrawn(RuntimeError):
    """The page, or its charts, were not drawn in time: a PDF without them is not made."""


def _wait_until_settled(page: Page, patience_s: float) -> None:
    """Until every chart on the page is drawn and nothing is loading (polled: the app's CSP rules
    out wait_for_function)."""
    deadline = time.monotonic() + patience_s
    while (unsettled := page.evaluate(UNSETTLED)) > 0:
        if time.monotonic() > deadline:
            raise PageNotDrawn(
                f"{unsettled} charts or parts of the page were not drawn within {patience_s:.0f} s"
            )
        page.wait_for_timeout(200)


def render_pdf(
    url: str,
    ready_selector: str,
    cookies: list[SetCookieParam] | None = None,
    furniture: tuple[str, str] = ("<span></span>", "<span></span>"),
    landscape: bool = False,
) -> bytes:
    """The page at `url` printed to A4, once `ready_selector` is on it, with `furniture` (the
    header and footer of each page); `cookies` carry the requester's session, so the page is drawn
    with their scope and nobody else's. Requests to any origin but the page's own are aborted."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            # The page is laid out, and its charts drawn, at the printed width (A4 less the margins,
            # at 96 px an inch), so the print is at full size: a wider page is shrunk to fit.
            context = browser.new_context(viewport={"width": PRINT_WIDTH_PX[landscape], "height": 1600})
            context.add_cookies(cookies or [])
            context.route(
                "**/*",
                lambda route: (
                    route.continue_() if route.request.url.startswith(origin + "/") else route.abort()
                ),
            )
            # One patience for the whole page: its load, its content's callback and its charts.
            deadline = time.monotonic() + PATIENCE_S
            context.set_default_timeout(PATIENCE_S * 1000)
            page = context.new_page()
            try:
                page.goto(url, wait_until="networkidle")
                page.wait_for_selector(ready_selector)
            except PlaywrightTimeout as slow:
                raise PageNotDrawn(f"the page was not drawn within {PATIENCE_S} s") from slow
            _wait_until_settled(page, max(deadline - time.monotonic(), 0))
            page.emulate_media(media="print")
            header, footer = furniture
            return page.pdf(
                format="A4",
                landscape=landscape,
                print_background=True,
                display_header_footer=True,
                header_template=header,
                footer_template=footer,
                margin={"top": "15mm", "bottom": "16mm", "left": "10mm", "right": "10mm"},
            )
        finally:
            browser.close()


def _used(path: str) -> dict[str, object]:
    """The filters the printed page was drawn with: the request's, cut to the user's scope as
    the page cuts them."""
    from app.view import page_view  # imported here: the pages it draws import this module's callers

    try:
        return page_view(request.args.to_dict(flat=False)).used(path)
    except WarehouseError:
        return {"page": path}


def page_pdf(
    path: str, ready_selector: str, filename: str, landscape: bool = False
) -> Callable[[], Response]:
    """A Flask view that prints the page at `path` (with this request's query string) to PDF, on
    A4 `landscape` for a wide table."""

    def view() -> Response:
        if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
            return Response(
                "The PDF needs Chromium on the server (apt-get install chromium); the page itself "
                "prints from any browser.",
                status=503,
                mimetype="text/plain",
            )
        origin = print_origin()
        if origin is None:
            return Response(
                "The PDF needs SAFEGUARD_PUBLIC_URL on this server; the page itself prints from any browser.",
                status=503,
                mimetype="text/plain",
            )
        query = request.query_string.decode()
        url = origin + path + ("?" + query if query else "")
        name = current_app.config["SESSION_COOKIE_NAME"]
        cookies: list[SetCookieParam] = (
            [{"name": name, "value": request.cookies[name], "url": origin}] if name in request.cookies else []
        )
        renders = _renders(environment().pdf_renders)
        if not renders.acquire(blocking=False):
            return Response(BUSY, status=503, mimetype="text/plain", headers={"Retry-After": "30"})
        try:
            as_at = data_status().as_at
        except WarehouseError:
            as_at = "unknown"
        furniture = page_furniture(environment().protective_marking, date.today(), as_at)
        try:
            pdf = render_pdf(url, ready_selector, cookies, furniture, landscape)
        except PageNotDrawn:
            return Response(SLOW, status=503, mimetype="text/plain", headers={"Retry-After": "30"})
        finally:
            renders.release()
        log_export(filename, None, **_used(path))
        return Response(
            pdf,
            mimetype="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    view.__name__ = f"{filename.replace('.', '_').replace('-', '_')}_view"
    return view
