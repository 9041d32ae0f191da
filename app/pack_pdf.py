"""/pack.pdf: the meeting pack page printed to PDF by headless Chromium.

The browser loads the pack from this same server, so the PDF shows exactly what the page shows,
with the same server-side scope and suppression; the request's query string carries the filters.
"""

from __future__ import annotations

import os
import shutil

from flask import Response, request

CHROMIUM = os.environ.get("SAFEGUARD_CHROMIUM", "/usr/bin/chromium")


def render_pdf(url: str) -> bytes:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 1600})
            page.goto(url, wait_until="networkidle")
            page.wait_for_selector(".pack-cover")
            page.emulate_media(media="print")
            return page.pdf(format="A4", print_background=True, margin={"top": "12mm", "bottom": "12mm",
                                                                         "left": "10mm", "right": "10mm"})
        finally:
            browser.close()


def pack_pdf() -> Response:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return Response("The PDF needs Chromium on the server (apt-get install chromium); the pack page itself "
                        "prints from any browser.", status=503, mimetype="text/plain")
    url = request.host_url.rstrip("/") + "/pack" + ("?" + request.query_string.decode() if request.query_string else "")
    pdf = render_pdf(url)
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": 'attachment; filename="meeting-pack.pdf"'})
