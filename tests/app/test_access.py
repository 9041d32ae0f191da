"""Every callback, page layout and export of the running app, called as every role: each answers
401 without a session, 403 to a role its page does not open, and to the others only what their
scope holds. A callback that no page declared is refused, and fails the first test here."""

from __future__ import annotations

import importlib
import json

import dash
import pytest

from app import state
from app.access import PAGE_ROUTER, ROUTE_PAGES, SHELL, declared_page
from app.scope import Role, User, page_roles
from tests.app.serving import ROLE_USERS, TEST_ADMIN, copy_home, signed_in

OTHER_LA = "E06000057"  # Northumberland: outside every scoped test account (they cover Newcastle)
ASKING_FOR_MORE = f"?period=2025-26&la={OTHER_LA}&agency=Health"
# What must never reach a Newcastle account: another LA's code, name and areas. A Newcastle police
# partner sees the partnership's figures for every agency (protected), so other agencies' names do
# reach it; other agencies' records do not (tests/app/test_board_partner.py).
OUT_OF_LA = (OTHER_LA, "Northumberland", "NLD-")
OTHER_AGENCIES = ("Schools and education", "Housing", "Health")
IN_LA = ("E08000021", "Newcastle", "NCL-")  # the scoped accounts' own LA
NO_DATA_ANSWER = "No data is loaded for the local authorities your account covers (E09000033)."
# An account whose LAs have no data loaded: in scope of nothing at all.
NO_DATA = "test-no-data"
ROLES = {TEST_ADMIN: Role.ADMIN, NO_DATA: Role.EXECUTIVE} | {
    name: Role(role) for name, (role, _las, _agencies) in ROLE_USERS.items()
}
USERS = [None, TEST_ADMIN, NO_DATA, *ROLE_USERS]
# The routes that are not data: Dash's own files and page shells (every figure comes through a
# callback), sign-in and health checks. Any other route must be declared with export_route.
OPEN_ENDPOINTS = {
    "static",
    "_dash_assets.static",
    "login",
    "logout",
    "healthz",
    "readyz",
    "sso_start",
    "sso_callback",
}


@pytest.fixture(scope="module")
def app(demo_home, tmp_path_factory):
    from app.callbacks import drill, filters, saved_views
    from app.main import create_app
    from appstate.db import session
    from appstate.users import add_user

    home = copy_home(demo_home, tmp_path_factory.mktemp("access") / "home")  # callbacks write audit rows
    with session(f"sqlite:///{home / 'appstate.sqlite'}") as db:
        add_user(
            db, NO_DATA, "executive", created_by="tests", la_codes=("E09000033",)
        )  # Westminster: not loaded
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAFEGUARD_HOME", str(home))
        patch.setenv("SAFEGUARD_PUBLIC_URL", "http://127.0.0.1:9")  # the PDFs are not printed here
        patch.setattr("app.page_pdf.render_pdf", lambda *_args: b"%PDF-1.4")
        state.reader.cache_clear()
        # Dash hands the callbacks registered at import to the first app that serves a request:
        # register the shared ones again, so this app has every callback the product has.
        for module in (drill, filters, saved_views):
            importlib.reload(module)
        app = create_app()
        app.server.test_client().get("/login")  # Dash sets up its callback map on the first request
        yield app
        state.reader().close()
        state.reader.cache_clear()


def _server_callbacks(app) -> dict[str, dict]:
    return {output: spec for output, spec in app.callback_map.items() if "callback" in spec}


def test_every_callback_and_route_of_the_app_is_declared_for_a_page(app):
    undeclared = [output for output in _server_callbacks(app) if declared_page(output) is None]
    assert undeclared == []
    for page in dash.page_registry.values():
        assert page_roles(page["path"]), f"{page['path']} declares no roles"
    routes = {rule.endpoint for rule in app.server.url_map.iter_rules()}
    dash_routes = {endpoint for endpoint in routes if endpoint.startswith("/")}
    assert routes - dash_routes - OPEN_ENDPOINTS == set(ROUTE_PAGES)
    assert set(ROUTE_PAGES) == {
        "pack_pdf",
        "exceptions_markdown",
        "exceptions_pdf",
        "scorecard_xlsx",
        "scorecard_pdf",
        "annual_report_docx",
        "annual_report_pdf",
    }


def _value(dependency: dict, path: str, search: str):
    """A value a browser could send for an input or state."""
    return {"n_clicks": 1, "search": search, "pathname": path, "data": 0}.get(dependency["property"])


def _payload(output: str, spec: dict, path: str, search: str) -> dict:
    from dash._utils import split_callback_id

    def sent(dependencies):
        # A pattern-matching (ALL) dependency is sent as the list of the components it matches.
        return [
            []
            if d["id"].startswith("{")
            else {"id": d["id"], "property": d["property"], "value": _value(d, path, search)}
            for d in dependencies
        ]

    first = spec["inputs"][0]
    # A pattern-matching (ALL) output is sent as the list of the components it matches: none here.
    outputs = [] if output.startswith("{") else split_callback_id(output)
    return {
        "output": output,
        "outputs": outputs,
        "inputs": sent(spec["inputs"]),
        "state": sent(spec["state"]),
        "changedPropIds": [f"{first['id']}.{first['property']}"],
    }


def _client(app, username: str | None):
    client = app.server.test_client()
    return signed_in(client, username) if username else client


def _allowed(username: str | None, page: str) -> bool:
    """As the accounts are made (appstate/users.py): only the data team sees exact figures."""
    role = ROLES.get(username)
    if role is None:
        return False
    user = User(username, role, unsuppressed=role is Role.DATA_TEAM)
    return page == SHELL or user.can_view(page)


def _leaks(username: str | None, text: str) -> list[str]:
    """The out-of-scope names in a response to `username`."""
    if username is None or username == TEST_ADMIN:
        return []
    if username == NO_DATA:
        words = OUT_OF_LA + IN_LA
    else:
        words = OUT_OF_LA
    return [word for word in words if word in text]


@pytest.mark.parametrize("username", USERS)
@pytest.mark.parametrize("search", ["", ASKING_FOR_MORE])
def test_every_callback_answers_each_role_by_its_page_and_scope(app, username, search):
    role = ROLES.get(username)
    client = _client(app, username)
    wrong, texts = [], []
    for output, spec in _server_callbacks(app).items():
        if output == PAGE_ROUTER:
            continue  # the layouts: the next test
        page = declared_page(output)
        path = "/front-door" if page == SHELL else page
        response = client.post("/_dash-update-component", json=_payload(output, spec, path, search))
        text = response.get_data(as_text=True)
        texts.append(text)
        expected = (200, 204) if _allowed(username, page) else (401,) if role is None else (403,)
        if username == NO_DATA and _allowed(username, page) and text.startswith(NO_DATA_ANSWER):
            expected = (503,)  # said plainly, where a page says it in its body
        if response.status_code not in expected or _leaks(username, text):
            wrong.append((output, response.status_code, _leaks(username, text), text[:200]))
    assert wrong == []
    if (
        username == TEST_ADMIN and search
    ):  # the same requests do carry those names to an account covering them
        assert [word for word in OUT_OF_LA + OTHER_AGENCIES if not any(word in text for text in texts)] == []


@pytest.mark.parametrize("username", USERS)
def test_every_page_layout_opens_only_for_its_roles_and_shows_only_the_scope(app, username):
    role = ROLES.get(username)
    client = _client(app, username)
    spec = app.callback_map[PAGE_ROUTER]
    wrong = []
    for page in dash.page_registry.values():
        response = client.post(
            "/_dash-update-component", json=_payload(PAGE_ROUTER, spec, page["path"], ASKING_FOR_MORE)
        )
        text = response.get_data(as_text=True)
        if role is None:
            ok = response.status_code == 401
        else:
            refused = "Not available to your role" in text
            ok = response.status_code == 200 and refused != _allowed(username, page["path"])
        if not ok or _leaks(username, text):
            wrong.append((page["path"], response.status_code, _leaks(username, text), text[:200]))
    assert wrong == []


@pytest.mark.parametrize("username", USERS)
def test_every_export_route_answers_each_role_by_its_page_and_scope(app, username):
    role = ROLES.get(username)
    client = _client(app, username)
    wrong = []
    for rule in app.server.url_map.iter_rules():
        if rule.endpoint not in ROUTE_PAGES:
            continue
        response = client.get(rule.rule + ASKING_FOR_MORE)
        body = response.get_data()
        text = body.decode("utf-8", "replace") if not rule.rule.endswith(".xlsx") else _xlsx_text(body)
        page = ROUTE_PAGES[rule.endpoint]
        expected = 200 if _allowed(username, page) else 401 if role is None else 403
        if username == NO_DATA and _allowed(username, page) and text.startswith(NO_DATA_ANSWER):
            expected = 503
        if response.status_code != expected or _leaks(username, text):
            wrong.append((rule.rule, response.status_code, _leaks(username, text), text[:200]))
    assert wrong == []


def _xlsx_text(body: bytes) -> str:
    import io

    from openpyxl import load_workbook

    if not body.startswith(b"PK"):
        return body.decode("utf-8", "replace")
    book = load_workbook(io.BytesIO(body))
    return json.dumps(
        [[cell for row in sheet.iter_rows(values_only=True) for cell in row] for sheet in book], default=str
    )


def test_a_callback_registered_without_a_declaration_is_refused_and_found(app):
    from dash import Input, Output

    from app.main import create_app

    fresh = create_app()

    @fresh.callback(Output("throwaway-out", "children"), Input("throwaway-in", "n_clicks"))
    def throwaway(_clicks):
        return "figures nobody declared"

    client = signed_in(fresh.server.test_client(), TEST_ADMIN)
    client.get("/login")
    assert [o for o in _server_callbacks(fresh) if declared_page(o) is None] == ["throwaway-out.children"]
    response = client.post(
        "/_dash-update-component",
        json=_payload("throwaway-out.children", fresh.callback_map["throwaway-out.children"], "/", ""),
    )
    assert response.status_code == 403
    assert "figures nobody declared" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"output": 5}',
        b'{"output": "no-such.children"}',
        b'{"output": "records-download.data", "inputs": "x", "state": []}',
        (
            b'{"output": "records-download.data", "inputs": [{"id": "records-export"}], '
            b'"state": [{"id": "url", "property": "search"}]}'
        ),
    ],
)
def test_a_malformed_callback_body_is_a_400(app, body):
    client = signed_in(app.server.test_client(), TEST_ADMIN)
    response = client.post("/_dash-update-component", data=body, content_type="application/json")
    assert response.status_code == 400


def test_a_protected_admin_does_not_open_the_exact_data_page(app):
    """Loads and rejections carry exact row counts and rejected values: an admin whose figures are
    protected neither sees the page in the navigation nor gets its layout or callbacks."""
    client = _client(app, TEST_ADMIN)
    layout = client.post(
        "/_dash-update-component", json=_payload(PAGE_ROUTER, app.callback_map[PAGE_ROUTER], "/data", "")
    ).get_data(as_text=True)
    assert "Not available to your role" in layout and "your figures are protected" in layout
    data_callbacks = [output for output in _server_callbacks(app) if declared_page(output) == "/data"]
    assert data_callbacks
    for output in data_callbacks:
        spec = _server_callbacks(app)[output]
        assert (
            client.post("/_dash-update-component", json=_payload(output, spec, "/data", "")).status_code
            == 403
        )
    exact = _client(app, "test-data")
    assert "Not available" not in exact.post(
        "/_dash-update-component", json=_payload(PAGE_ROUTER, app.callback_map[PAGE_ROUTER], "/data", "")
    ).get_data(as_text=True)
