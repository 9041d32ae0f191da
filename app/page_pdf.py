"""Printable pages as PDF (the meeting pack, the scorecard, the exception report), printed by
headless Chromium.

The browser loads the page from this same server, so the PDF shows exactly what the page shows,
with the same server-side scope and suppression; the request's query string carries the filters.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable

from flask import Response, current_app, request

from app.audit_log import log_export
from warehouse.settings import environment

CHROMIUM = environment().chromium


def render_pdf(url: str, ready_selector: str, cookies: list[dict] | None = None) -> bytes:
    """The page at `url` printed to A4, once `ready_selector` is on it; `cookies` carry the
    requester's session, so the page is drawn with their scope and nobody else's."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        try:
            context = browser.new_context(viewport={"width": 1200, "height": 1600})
            context.add_cookies(cookies or [])
            page = context.new_page()
            page.goto(url, wait_until="networkidle")
            page.wait_for_selector(ready_selector)
            page.emulate_media(media="print")
            return page.pdf(format="A4", print_background=True, margin={"top": "12mm", "bottom": "12mm",
                                                                         "left": "10mm", "right": "10mm"})
        finally:
            browser.close()


def page_pdf(path: str, ready_selector: str, filename: str) -> Callable[[], Response]:
    """A Flask view that prints the page at `path` (with this request's query string) to PDF."""

    def view() -> Response:
        if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
            return Response("The PDF needs Chromium on the server (apt-get install chromium); the page itself "
                            "prints from any browser.", status=503, mimetype="text/plain")
        query = request.query_string.decode()
        url = request.host_url.rstrip("/") + path + ("?" + query if query else "")
        name = current_app.config["SESSION_COOKIE_NAME"]
        cookies = [{"name": name, "value": request.cookies[name], "url": request.host_url}] if name in request.cookies else []
        pdf = render_pdf(url, ready_selector, cookies)
        log_export(filename, None, pages=path)
        return Response(pdf, mimetype="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})

    view.__name__ = f"{filename.replace('.', '_').replace('-', '_')}_view"
    return view
