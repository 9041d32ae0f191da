"""app/page_pdf.py: where headless Chromium prints from (never the request's Host), whom the
session cookie goes to, and the cap on renders at once. Chromium itself is replaced by a
recorder here; the browser tests print real PDFs."""

from __future__ import annotations

import threading
from datetime import date
from typing import NamedTuple

import pytest

from app import state
from app.page_pdf import BUSY
from tests.app.serving import TEST_ADMIN, signed_in


class _Socket:
    """The connection a server hands the app (werkzeug.socket / gunicorn.socket)."""

    def getsockname(self):
        return ("10.0.0.5", 8123)


def _from_host(app, client, host: str):
    """The pack's PDF asked for with `host` in the Host header, with the signed-in client's cookie
    (sent by hand: the test client keeps cookies for localhost only)."""
    cookie = "safeguard_session=" + client.get_cookie("safeguard_session").value
    return app.server.test_client(use_cookies=False).get(
        "/pack.pdf?la=E08000021",
        headers={"Host": host, "Cookie": cookie},
        environ_base={"werkzeug.socket": _Socket()},
    )


class Render(NamedTuple):
    url: str
    cookies: list
    furniture: tuple[str, str]
    landscape: bool


def test_the_marking_is_written_as_text_and_may_be_none():
    from app.page_pdf import page_furniture

    header, footer = page_furniture("<b>SECRET</b> & co", date(2026, 12, 3), "30 November 2026")
    assert "&lt;b&gt;SECRET&lt;/b&gt; &amp; co" in header and "<b>" not in header + footer
    assert "Printed 3 December 2026; data as at 30 November 2026" in footer
    header, footer = page_furniture("", date(2026, 12, 3), "30 November 2026")
    assert "strong" not in header + footer and '<span class="pageNumber"></span>' in footer


@pytest.fixture
def printed(demo_home, monkeypatch):
    """The app with Chromium replaced: each render's URL and cookies, as the PDF's body."""
    from app.main import create_app

    monkeypatch.setenv("SAFEGUARD_HOME", str(demo_home))
    monkeypatch.setenv("SAFEGUARD_TRUSTED_HOSTS", "dashboard.example.gov.uk")
    renders = []

    def render(url, _selector, cookies, furniture, landscape):
        renders.append(Render(url, cookies, furniture, landscape))
        return b"%PDF-1.4"

    monkeypatch.setattr("app.page_pdf.render_pdf", render)
    state.reader.cache_clear()
    app = create_app()
    client = signed_in(app.server.test_client(), TEST_ADMIN)
    yield app, client, renders
    state.reader().close()
    state.reader.cache_clear()


def test_a_pdf_is_printed_from_the_servers_own_loopback_port_whatever_the_host_header(printed):
    app, client, renders = printed
    response = _from_host(app, client, "dashboard.example.gov.uk")
    assert response.status_code == 200
    [(url, cookies, (header, footer), landscape)] = renders
    assert url == "http://127.0.0.1:8123/pack?la=E08000021"
    assert [(c["name"], c["url"]) for c in cookies] == [("safeguard_session", "http://127.0.0.1:8123")]
    # the pack prints portrait, each page marked, numbered and dated with the data's date
    assert not landscape and "<strong>OFFICIAL-SENSITIVE</strong>" in header
    assert "data as at 31 October 2026" in footer and '<span class="totalPages"></span>' in footer


def test_a_host_the_app_does_not_answer_to_is_refused_before_anything_is_printed(printed):
    app, client, renders = printed
    response = _from_host(app, client, "attacker.example:80")
    assert response.status_code == 400
    assert renders == []


def test_with_a_public_url_the_pdf_is_printed_from_it(printed, monkeypatch):
    _app, client, renders = printed
    monkeypatch.setenv("SAFEGUARD_PUBLIC_URL", "https://dash.example.gov.uk/")
    assert client.get("/scorecard.pdf?la=E08000021").status_code == 200
    [(url, cookies, _furniture, landscape)] = renders
    assert url == "https://dash.example.gov.uk/scorecard?la=E08000021"
    assert [c["url"] for c in cookies] == ["https://dash.example.gov.uk"]
    assert landscape  # the scorecard's wide table prints on A4 landscape


def test_renders_beyond_the_cap_are_told_the_server_is_busy(printed, monkeypatch):
    app, client, _renders = printed
    monkeypatch.setenv("SAFEGUARD_PDF_RENDERS", "1")
    started, finish = threading.Event(), threading.Event()

    def slow(url, _selector, cookies, _furniture, _landscape):
        started.set()
        finish.wait(30)
        return b"%PDF-1.4"

    monkeypatch.setattr("app.page_pdf.render_pdf", slow)
    first = {}
    worker = threading.Thread(
        target=lambda: first.update(
            response=signed_in(app.server.test_client()).get(
                "/pack.pdf?la=E08000021", environ_base={"werkzeug.socket": _Socket()}
            )
        )
    )
    worker.start()
    assert started.wait(30)
    busy = client.get("/exceptions.pdf?la=E08000021", environ_base={"werkzeug.socket": _Socket()})
    finish.set()
    worker.join(30)
    assert (busy.status_code, busy.get_data(as_text=True), busy.headers["Retry-After"]) == (503, BUSY, "30")
    assert first["response"].status_code == 200
    # the render that finished gave its place back
    assert (
        client.get("/pack.pdf?la=E08000021", environ_base={"werkzeug.socket": _Socket()}).status_code == 200
    )
