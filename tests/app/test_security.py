"""app/security.py: the security headers on every response, and errors that tell a visitor
nothing of the server (no traceback, no path, no exception text) while the log keeps it all.

Most asserts hold whether or not the visitor is signed in (a page may answer 200, a redirect to
sign-in or 401: the headers and a quiet body are owed either way). The Dash callback failures are
also checked on a small Dash app of their own, so that they reach Dash's dispatch without sign-in.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from pathlib import Path

import dash
import dash._callback
import dash._get_app
import pytest
from dash import Dash, Input, Output, html
from dash.exceptions import PreventUpdate

from app import state
from app.security import install_security

REPO = Path(__file__).resolve().parents[2]
# What a failure carries that a visitor must never see: a path, a name, an exception's words.
SECRET = f"cannot open {REPO}/var/warehouse.duckdb for child 4f2a9c"

HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _boom_first(server, path: str) -> None:
    """Fail one path before anything else runs. A throwaway route would sit behind sign-in (a 401
    before it ran), so the failure is a hook put ahead of Dash's own and the sign-in gate."""
    from flask import request

    def fail_on_path():
        if request.path == path:
            raise RuntimeError(SECRET)

    server.before_request_funcs.setdefault(None, []).insert(0, fail_on_path)


@pytest.fixture(scope="module")
def dash_app(demo_home):
    from app.main import create_app

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAFEGUARD_HOME", str(demo_home))
        state.reader.cache_clear()
        made = create_app()
        _boom_first(made.server, "/boom-for-test")
        yield made
        state.reader().close()
        state.reader.cache_clear()


@pytest.fixture(scope="module")
def client(dash_app):
    return dash_app.server.test_client()


def _policy(response) -> dict[str, list[str]]:
    directives = [d.split() for d in response.headers["Content-Security-Policy"].split(";") if d.strip()]
    return {name: sources for name, *sources in directives}


def _sha256_source(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def _assert_security_headers(response) -> None:
    assert {name: response.headers.get(name) for name in HEADERS} == HEADERS
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    # Scripts: this server's files and Dash's hashed inline ones; never inline or eval in general.
    assert policy["script-src"][0] == "'self'"
    assert all(source.startswith("'sha256-") for source in policy["script-src"][1:])
    assert _sha256_source("var renderer = new DashRenderer();") in policy["script-src"]
    # No CDN or other site anywhere in the policy.
    assert not [s for sources in policy.values() for s in sources if s.startswith(("http", "*", "//"))]


def _assert_tells_nothing(response) -> None:
    body = response.get_data(as_text=True)
    for leak in ("Traceback", 'File "', str(REPO), "site-packages", SECRET, "RuntimeError", "KeyError"):
        assert leak not in body, (leak, body)
    assert len(body) < 120, body


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/front-door?la=E08000021",
        "/assets/style.css",
        "/assets/no-such-file.css",
        "/scorecard.xlsx?la=E08000021",
        "/exceptions.md?la=E08000021",
        "/_dash-component-suites/dash/no-such-file.js",
    ],
)
def test_every_response_carries_the_security_headers(client, path):
    # Page, asset, 404, exports (signed in: the files; if not: a 401 that must carry them too).
    _assert_security_headers(client.get(path))


def test_the_policy_lets_in_exactly_the_inline_scripts_dash_writes(client, dash_app):
    client.get("/assets/style.css")  # any request runs Dash's first-request setup
    policy = _policy(client.get("/"))
    with dash_app.server.test_request_context("/"):
        index = dash_app.index()
    visible = re.sub(r"<!--.*?-->", "", index, flags=re.DOTALL)  # the IE-only script sits in a comment
    inline = [
        body
        for attributes, body in re.findall(
            r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", visible, flags=re.DOTALL
        )
        if "application/json" not in attributes
    ]
    assert inline, "Dash's index has inline scripts"
    assert sorted(policy["script-src"][1:]) == sorted({_sha256_source(script) for script in inline})


def test_a_missing_file_is_a_plain_404(client):
    response = client.get("/assets/no-such-file.css")
    assert (response.status_code, response.mimetype, response.get_data(as_text=True)) == (
        404,
        "text/plain",
        "404 Not Found\n",
    )


def test_a_missing_component_file_does_not_list_the_packages(client):
    # Dash's own message names every registered package and path.
    response = client.get("/_dash-component-suites/dash/no-such-file.js")
    assert (response.status_code, response.get_data(as_text=True)) == (404, "404 Not Found\n")


def test_a_wrong_method_is_a_plain_405_that_still_says_what_is_allowed(client):
    response = client.put("/assets/style.css")
    assert (response.status_code, response.get_data(as_text=True)) == (405, "405 Method Not Allowed\n")
    assert "GET" in response.headers["Allow"]
    # The kept headers are the error's own, not those of the body it replaced.
    assert int(response.headers["Content-Length"]) == len(response.data)


def test_an_unexpected_error_is_a_plain_500_and_is_logged(client, caplog):
    with caplog.at_level(logging.ERROR, logger="app.security"):
        response = client.get("/boom-for-test")
    assert (response.status_code, response.mimetype, response.get_data(as_text=True)) == (
        500,
        "text/plain",
        "500 Internal Server Error: the error has been logged on the server.\n",
    )
    _assert_tells_nothing(response)
    _assert_security_headers(response)
    [logged] = [r for r in caplog.records if r.exc_info]
    assert str(logged.exc_info[1]) == SECRET


@pytest.mark.parametrize(
    "request_body",
    [
        {"data": "{not json", "content_type": "application/json"},
        {"json": {"output": "no-such-output.children"}},
        {"json": []},
    ],
    ids=["not-json", "unknown-output", "wrong-shape"],
)
def test_a_malformed_callback_post_gets_no_traceback(client, request_body):
    # Signed out, this is the sign-in gate's 401; signed in, Dash's 400 or a 500. Never a traceback.
    response = client.post("/_dash-update-component", **request_body)
    _assert_tells_nothing(response)
    _assert_security_headers(response)


# --- Dash's callback dispatch, on an app of its own ---


@pytest.fixture
def callback_app(monkeypatch: pytest.MonkeyPatch):
    """A Dash app whose callbacks fail. Dash gives the callbacks registered with dash.callback to
    the first app that serves a request, so this one starts from empty global lists (and the
    current app is put back after), leaving the product's callbacks to the product's app."""
    monkeypatch.setattr(dash._callback, "GLOBAL_CALLBACK_MAP", {})
    monkeypatch.setattr(dash._callback, "GLOBAL_CALLBACK_LIST", [])
    monkeypatch.setattr(dash._callback, "GLOBAL_INLINE_SCRIPTS", [])
    monkeypatch.setattr(dash._get_app, "APP", dash._get_app.APP)
    app = Dash(__name__)
    app.layout = html.Div([html.Button(id="go"), html.Div(id="out"), html.Div(id="quiet")])

    @app.callback(Output("out", "children"), Input("go", "n_clicks"))
    def fail(_clicks):
        raise RuntimeError(SECRET)

    @app.callback(Output("quiet", "children"), Input("go", "n_clicks"))
    def nothing_to_do(_clicks):
        raise PreventUpdate

    install_security(app)
    return app


def _callback_request(output: str) -> dict:
    return {
        "output": f"{output}.children",
        "outputs": {"id": output, "property": "children"},
        "inputs": [{"id": "go", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["go.n_clicks"],
        "state": [],
    }


def test_a_callback_that_raises_is_a_plain_500_and_is_logged(callback_app, caplog):
    with caplog.at_level(logging.ERROR, logger="app.security"):
        response = callback_app.server.test_client().post(
            "/_dash-update-component", json=_callback_request("out")
        )
    assert (response.status_code, response.get_data(as_text=True)) == (
        500,
        "500 Internal Server Error: the error has been logged on the server.\n",
    )
    _assert_tells_nothing(response)
    _assert_security_headers(response)
    assert [str(r.exc_info[1]) for r in caplog.records if r.exc_info] == [SECRET]


@pytest.mark.parametrize(
    ("request_body", "status"),
    [
        ({"data": "{not json", "content_type": "application/json"}, "400 Bad Request"),
        ({"data": "x=1", "content_type": "text/plain"}, "415 Unsupported Media Type"),
        (
            {"json": {"output": "no-such-output.children"}},
            "500 Internal Server Error: the error has been logged on the server.",
        ),
        ({"json": []}, "500 Internal Server Error: the error has been logged on the server."),
    ],
    ids=["not-json", "not-json-at-all", "unknown-output", "wrong-shape"],
)
def test_dash_gets_malformed_callback_posts_as_plain_errors(callback_app, request_body, status):
    response = callback_app.server.test_client().post("/_dash-update-component", **request_body)
    assert (response.status_code, response.get_data(as_text=True)) == (int(status[:3]), status + "\n")
    _assert_tells_nothing(response)


def test_a_callback_with_nothing_to_update_still_answers_204(callback_app):
    # Dash's own PreventUpdate handler is more specific than the catch-all, so it keeps working.
    response = callback_app.server.test_client().post(
        "/_dash-update-component", json=_callback_request("quiet")
    )
    assert (response.status_code, response.get_data(as_text=True)) == (204, "")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/front-door?la=E08000021",
        "/login",
        "/_dash-layout",
        "/scorecard.xlsx?la=E08000021",
        "/exceptions.md?la=E08000021",
    ],
)
def test_pages_data_and_exports_are_kept_by_no_cache(dash_app, path):
    from tests.app.serving import signed_in

    for client in (dash_app.server.test_client(), signed_in(dash_app.server.test_client())):
        assert client.get(path).headers["Cache-Control"] == "no-store", path


def test_a_callbacks_figures_are_kept_by_no_cache_and_the_static_files_may_be(dash_app):
    from tests.app.serving import signed_in

    client = signed_in(dash_app.server.test_client())
    payload = {
        "output": "audit-grid.children",
        "outputs": {"id": "audit-grid", "property": "children"},
        "inputs": [{"id": "audit-actions", "property": "value", "value": None}],
        "changedPropIds": ["audit-actions.value"],
        "state": [],
    }
    response = client.post("/_dash-update-component", json=payload)
    assert (response.status_code, response.headers["Cache-Control"]) == (200, "no-store")
    assert "no-store" not in client.get("/assets/style.css").headers.get("Cache-Control", "")


def test_browsers_are_told_to_keep_to_https_only_when_the_app_is_behind_it(demo_home, monkeypatch):
    from app.main import create_app

    monkeypatch.setenv("SAFEGUARD_HOME", str(demo_home))
    assert "Strict-Transport-Security" not in create_app().server.test_client().get("/login").headers
    monkeypatch.setenv("SAFEGUARD_SECURE_COOKIES", "1")
    response = create_app().server.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_a_host_the_app_does_not_answer_to_is_a_400(demo_home, monkeypatch):
    from app.main import create_app

    monkeypatch.setenv("SAFEGUARD_HOME", str(demo_home))
    monkeypatch.setenv("SAFEGUARD_TRUSTED_HOSTS", "dashboard.example.gov.uk, .hub.example.org")
    monkeypatch.setenv("SAFEGUARD_PUBLIC_URL", "https://safeguarding.example.gov.uk")
    client = create_app().server.test_client()
    statuses = {
        host: client.get("/login", headers={"Host": host}).status_code
        for host in (
            "127.0.0.1:8050",
            "localhost",
            "dashboard.example.gov.uk",
            "ncl.hub.example.org",
            "safeguarding.example.gov.uk",
            "attacker.example",
            "dashboard.example.gov.uk.evil.io",
        )
    }
    assert statuses == {
        "127.0.0.1:8050": 200,
        "localhost": 200,
        "dashboard.example.gov.uk": 200,
        "ncl.hub.example.org": 200,
        "safeguarding.example.gov.uk": 200,
        "attacker.example": 400,
        "dashboard.example.gov.uk.evil.io": 400,
    }
