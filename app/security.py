"""Browser-side hardening and quiet errors, installed on the app's Flask server.

Every response carries headers that keep the page to its own origin (a Content-Security-Policy
with no CDN and no inline script but Dash's own, hashed), out of other sites' frames and away
from the camera, microphone and location. Behind HTTPS (secure cookies on) browsers are told to
use HTTPS only (HSTS). Everything but the app's own static files is marked `no-store`, so no
browser or proxy cache keeps a page, a callback's figures or an export. Every error a visitor
sees is a short plain-text line: tracebacks, file paths and exception messages go to the server
log only, since they can name the install's folders, the warehouse file and, in a message, a
child's pseudonymised ID.

The app answers only to its own host names (loopback, SAFEGUARD_TRUSTED_HOSTS and the host of
SAFEGUARD_PUBLIC_URL): any other Host header is a 400, so no link or redirect the app makes can
name an attacker's host. Behind SAFEGUARD_PROXY_HOPS reverse proxies, the client's address and
scheme are the ones the nearest proxy forwarded (werkzeug's ProxyFix); without it, forwarded
headers are ignored, so nobody can claim another address to escape the sign-in limits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from dash import Dash
from dash.exceptions import DependencyException, InvalidResourceError
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.sansio.response import Response as BaseResponse

from warehouse.settings import environment

log = logging.getLogger(__name__)


def _content_security_policy(script_hashes: list[str]) -> str:
    """The policy, tested page by page in Chromium (no violation on any page, charts, grids,
    downloads and the PDF print working); each source below is there for the reason given."""
    sources = {
        # Everything comes from this server: Dash serves its own and the components' files
        # (serve_locally), and the stylesheet is in app/assets. No CDN, no other site.
        "default-src": ["'self'"],
        # Dash's index runs two inline scripts: `new DashRenderer()` and the pages router's
        # clientside callback that sets the document title. They are let in by their hashes
        # (Dash.csp_hashes), so no other inline script can run. No 'unsafe-eval': dash-ag-grid
        # reads the grid's {"function": ...} formatters with its own parser, not eval.
        "script-src": ["'self'", *script_hashes],
        # 'unsafe-inline' for styles only: dcc, the renderer, plotly and ag-grid's themes all write
        # <style> elements and style attributes at run time, with no nonce to give them. Injected
        # CSS cannot run script, and img-src/connect-src below leave it no other site to call.
        "style-src": ["'self'", "'unsafe-inline'"],
        # data: for ag-grid's icons (SVG data URLs in its theme CSS); blob: for plotly's
        # "Download plot as a PNG", which draws the chart through a blob URL.
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        # Callbacks and downloads go to this server only.
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        # No other site may frame the dashboard (clickjacking); X-Frame-Options says the same
        # to browsers that predate frame-ancestors.
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{directive} {' '.join(values)}" for directive, values in sources.items())


FIXED_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Page URLs carry the filters (an LA, an area, an age band): they stay on this site.
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    # A window this page opens on another site gets no handle back to it, nor it to us: plotly's
    # "Share chart..." button opens Plotly Cloud and posts it the chart through that handle.
    "Cross-Origin-Opener-Policy": "same-origin",
}


# The app's own static files (no data in them), which browsers may cache.
STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico", "/favicon.ico")
LOOPBACK_HOSTS = ("localhost", "127.0.0.1")
HSTS = "max-age=31536000"


def trusted_hosts() -> list[str]:
    """The host names the app answers to: loopback (the PDF printer and health checks use it),
    SAFEGUARD_TRUSTED_HOSTS and the host of SAFEGUARD_PUBLIC_URL."""
    settings = environment()
    configured = [host.strip() for host in settings.trusted_hosts.split(",") if host.strip()]
    public = urlsplit(settings.public_url).hostname if settings.public_url else None
    return [*LOOPBACK_HOSTS, *configured, *([public] if public else [])]


def _add_security_headers(app: Dash) -> Callable[[Response], Response]:
    secure = environment().secure_cookies

    def add(response: Response) -> Response:
        # Worked out on every response, not once: Dash gathers its inline scripts during its
        # first-request setup, and a first request that fails part-way (a visitor not signed in)
        # would otherwise freeze a policy without them. Hashing two short scripts costs microseconds.
        response.headers["Content-Security-Policy"] = _content_security_policy(list(app.csp_hashes()))
        for name, value in FIXED_HEADERS.items():
            response.headers[name] = value
        if secure:
            response.headers["Strict-Transport-Security"] = HSTS
        if not request.path.startswith(STATIC_PREFIXES):
            response.headers["Cache-Control"] = "no-store"
        return response

    return add


def _plain(text: str, status: int, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(text + "\n", status=status, mimetype="text/plain", headers=headers)


def _http_error(error: HTTPException) -> BaseResponse:
    """An HTTP error (404, 405, 400 for a malformed callback...) as its code and standard name,
    never its description: that is written for developers, and in debug mode Flask puts the
    request's own details in it (the JSON decoding error of a callback, say)."""
    if error.response is not None:  # a view that chose its own error response keeps it
        return error.response
    # Its headers stay (Allow on a 405, WWW-Authenticate on a 401); its body, and the headers
    # that describe that body, go.
    headers = [
        (k, v)
        for k, v in error.get_response().headers.items()
        if k.lower() not in ("content-type", "content-length")
    ]
    return _plain(f"{error.code} {error.name}", error.code or 500, headers)


def _not_found(_: Exception) -> Response:
    # Dash's message for an unknown component file lists every registered package path.
    return _plain(f"404 {HTTP_STATUS_CODES[404]}", 404)


def _unexpected_error(_: Exception) -> Response:
    log.exception("unhandled error while serving a request")
    return _plain(f"500 {HTTP_STATUS_CODES[500]}: the error has been logged on the server.", 500)


def _refuse_untrusted_host() -> None:
    """Reading the host checks it against TRUSTED_HOSTS: another host is a 400 before sign-in or
    anything else looks at the request."""
    request.host  # noqa: B018  (raises werkzeug's SecurityError, a 400)


def install_security(app: Dash) -> None:
    """Trusted hosts, the proxy's forwarded address, security headers on every response and plain
    errors, on `app`'s Flask server.

    It takes the Dash app, not only its server, because the CSP lets in Dash's inline scripts
    by the hashes that `Dash.csp_hashes()` works out. Handlers registered later for a particular
    error (sign-in's NotSignedIn, say) take precedence over the catch-all, as Flask picks the
    most specific."""
    server: Flask = app.server
    server.config["TRUSTED_HOSTS"] = trusted_hosts()
    hops = environment().proxy_hops
    if hops:
        # Flask's documented way to wrap its WSGI app; its stubs declare wsgi_app a method
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    server.before_request(_refuse_untrusted_host)
    server.after_request(_add_security_headers(app))
    server.register_error_handler(HTTPException, _http_error)
    server.register_error_handler(InvalidResourceError, _not_found)
    server.register_error_handler(DependencyException, _not_found)
    server.register_error_handler(Exception, _unexpected_error)
