"""Sign-in, sessions and the gate in front of every page, callback and export."""

from __future__ import annotations

import json
import re
import time

import pytest

from appstate.audit import AuditQuery, recent_events
from appstate.db import session
from tests.app.serving import TEST_ADMIN, TEST_PASSWORD, signed_in

# A page whose link names every filter: it opens (200) with a session; without one, it is a 302 to
# the sign-in page. (A dashboard's link that lacks a filter is a 302 to the completed link.)
A_PAGE = "/?period=R12-2026-10&la=E08000021"


@pytest.fixture
def home(demo_copy):
    """A copy of the demo home (sign-ins write to its app state)."""
    return demo_copy


@pytest.fixture
def app(home):
    from app.main import create_app

    return create_app()


@pytest.fixture
def client(app):
    return app.server.test_client()


def _csrf(client, path: str = "/login") -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def _sign_in(client, username: str, password: str, next_path: str = "/"):
    return client.post(
        "/login", data={"username": username, "password": password, "csrf": _csrf(client), "next": next_path}
    )


CALLBACK = {  # the front door's CSV export, as the browser posts it
    "output": "front-door-download.data",
    "outputs": {"id": "front-door-download", "property": "data"},
    "inputs": [{"id": "front-door-export", "property": "n_clicks", "value": 1}],
    "changedPropIds": ["front-door-export.n_clicks"],
    "state": [{"id": "url", "property": "search", "value": "?period=2025-26&la=E08000021"}],
}


@pytest.mark.parametrize("path", ["/", "/front-door?la=E08000021", "/data", "/targets"])
def test_a_page_without_a_session_sends_the_browser_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(
    "path",
    [
        "/pack.pdf?la=E08000021",
        "/scorecard.xlsx?la=E08000021",
        "/exceptions.md?la=E08000021",
        "/_dash-layout",
        "/_dash-dependencies",
    ],
)
def test_data_and_exports_without_a_session_are_401(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert "Sign in first" in response.get_data(as_text=True)


def test_a_callback_without_a_session_is_401(client):
    response = client.post("/_dash-update-component", json=CALLBACK)
    assert response.status_code == 401
    assert "Newcastle" not in response.get_data(as_text=True)


def _sign_in_ids() -> set[int]:
    with session() as db:
        return {event.id for event in recent_events(db, AuditQuery(actions=("sign_in",)))}


def test_signing_in_sets_a_hardened_cookie_and_opens_the_page_asked_for(client, home):
    # The worker's demo home is shared by its tests, and may hold sign-ins already: only this one counts.
    earlier = _sign_in_ids()
    response = _sign_in(client, TEST_ADMIN, TEST_PASSWORD, "/front-door?la=E08000021")
    assert (response.status_code, response.headers["Location"]) == (302, "/front-door?la=E08000021")
    cookie = response.headers["Set-Cookie"]
    assert "safeguard_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http on 127.0.0.1; SAFEGUARD_SECURE_COOKIES=1 behind HTTPS
    assert client.get("/front-door?period=R12-2026-10&la=E08000021").status_code == 200
    assert client.post("/_dash-update-component", json=CALLBACK).status_code == 200
    with session() as db:
        [event] = [e for e in recent_events(db, AuditQuery(actions=("sign_in",))) if e.id not in earlier]
    assert (event.username, event.address) == (TEST_ADMIN, "127.0.0.1")


def test_behind_https_the_cookie_is_secure(home, monkeypatch):
    from app.main import create_app

    monkeypatch.setenv("SAFEGUARD_SECURE_COOKIES", "1")
    client = create_app().server.test_client()
    assert "Secure" in _sign_in(client, TEST_ADMIN, TEST_PASSWORD).headers["Set-Cookie"]


def test_a_wrong_password_is_refused_and_audited_without_saying_which_part_was_wrong(client):
    for username in (TEST_ADMIN, "nobody"):
        response = _sign_in(client, username, "not the password")
        assert response.status_code == 401
        assert "The username or password is not right." in response.get_data(as_text=True)
    assert client.get(A_PAGE).status_code == 302
    with session() as db:
        assert [e.username for e in recent_events(db, AuditQuery(actions=("sign_in_failed",)))] == [
            "nobody",
            TEST_ADMIN,
        ]


def test_five_failures_lock_the_account_even_for_the_right_password_in_a_wrong_passwords_words(client):
    wrong = [_sign_in(client, "test-exec", "wrong password!") for _ in range(5)]
    locked = _sign_in(client, "test-exec", TEST_PASSWORD)
    assert (
        {(r.status_code, _alert(r)) for r in wrong}
        == {(locked.status_code, _alert(locked))}
        == {
            (
                401,
                "The username or password is not right. After 5 failed sign-ins an account waits 15 minutes.",
            )
        }
    )
    assert client.get(A_PAGE).status_code == 302
    with session() as db:  # the audit log, for administrators, says which it was
        reasons = [
            json.loads(e.detail)["reason"] for e in recent_events(db, AuditQuery(actions=("sign_in_failed",)))
        ]
    assert reasons == ["the account is locked after repeated failures"] + ["wrong password"] * 5


def _alert(response) -> str:
    return re.search(r'role="alert">([^<]*)<', response.get_data(as_text=True)).group(1)


def test_sign_ins_sent_all_at_once_from_one_address_get_no_more_than_its_limit(app, monkeypatch):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    # A limit of 4, not 20: each attempt let through costs an argon2 check.
    monkeypatch.setattr("appstate.throttle.ADDRESS_FAILURES", 4)
    limit, sent = 4, 14
    clients = [app.server.test_client() for _ in range(sent)]
    tokens = [_csrf(c) for c in clients]
    start = threading.Barrier(sent)

    def attempt(i):
        start.wait()
        return clients[i].post(
            "/login", data={"username": f"guess{i}", "password": "not it", "csrf": tokens[i]}
        )

    with ThreadPoolExecutor(sent) as pool:
        statuses = [r.status_code for r in pool.map(attempt, range(sent))]
    assert (statuses.count(401), statuses.count(429)) == (limit, sent - limit)


def test_behind_a_declared_proxy_the_client_is_the_address_it_forwarded(home, monkeypatch):
    from app.main import create_app

    forwarded = {"X-Forwarded-For": "203.0.113.7"}
    for hops, address in ((None, "127.0.0.1"), ("1", "203.0.113.7")):
        if hops:
            monkeypatch.setenv("SAFEGUARD_PROXY_HOPS", hops)
        client = create_app().server.test_client()
        token = _csrf(client)
        client.post(
            "/login",
            data={"username": TEST_ADMIN, "password": TEST_PASSWORD, "csrf": token},
            headers=forwarded,
        )
        with session() as db:
            assert recent_events(db, AuditQuery(actions=("sign_in",)))[0].address == address


def test_a_sign_in_link_never_sends_anyone_to_another_site(client):
    for target in ("https://evil.example/", "//evil.example/x"):
        assert _sign_in(client, TEST_ADMIN, TEST_PASSWORD, target).headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/front-door\r\nSet-Cookie: planted=1", "/x\n", "/\x00"])
def test_a_line_break_in_the_next_page_is_dropped_not_a_500(client, target):
    assert client.get("/login", query_string={"next": target}).status_code == 200
    response = _sign_in(client, TEST_ADMIN, TEST_PASSWORD, target)
    assert (response.status_code, response.headers["Location"]) == (302, "/")
    assert "planted" not in response.headers.get("Set-Cookie", "")


def test_a_forged_or_expired_form_is_refused(client):
    client.get("/login")
    response = client.post(
        "/login", data={"username": TEST_ADMIN, "password": TEST_PASSWORD, "csrf": "forged"}
    )
    assert response.status_code == 400
    assert client.get(A_PAGE).status_code == 302


@pytest.mark.parametrize("token", ["", "x", "forged"])
def test_a_sign_in_posted_without_the_sign_in_pages_cookie_is_refused(client, token):
    """Another site's form signing the victim in to the attacker's account has no pre-session."""
    response = client.post("/login", data={"username": TEST_ADMIN, "password": TEST_PASSWORD, "csrf": token})
    assert response.status_code == 400
    assert (
        "safeguard_session" not in response.headers.get("Set-Cookie", "")
        or client.get(A_PAGE).status_code == 302
    )
    assert client.get(A_PAGE).status_code == 302


def test_sign_out_is_a_post_with_the_token_not_a_link(client):
    _sign_in(client, TEST_ADMIN, TEST_PASSWORD)
    assert (
        "Location" not in client.get("/logout").headers
    )  # a page address like any other, signing nobody out
    assert client.post("/logout", data={"csrf": "forged"}).status_code == 400
    assert client.get(A_PAGE).status_code == 200
    with session() as db:
        assert recent_events(db, AuditQuery(actions=("sign_out",))) == []


def _copied_cookie(client) -> str:
    return client.get_cookie("safeguard_session").value


def _with_cookie(app, value: str):
    other = app.server.test_client()
    other.set_cookie("safeguard_session", value)
    return other


def test_a_copied_cookie_dies_with_sign_out(app, client):
    _sign_in(client, TEST_ADMIN, TEST_PASSWORD)
    copy = _copied_cookie(client)
    copied = _with_cookie(app, copy)
    assert copied.get(A_PAGE).status_code == 200
    token = _csrf(copied)
    client.post("/logout", data={"csrf": _csrf(client)})
    assert _with_cookie(app, copy).get(A_PAGE).status_code == 302
    # the copy's own sign-out button, pressed after the session has ended, just goes to sign-in
    assert _with_cookie(app, copy).post("/logout", data={"csrf": token}).headers["Location"] == "/login"


@pytest.mark.parametrize("change", ["password", "disable and enable"])
def test_a_copied_cookie_dies_with_a_new_password_or_a_disable(app, client, change):
    from appstate.users import set_active, set_password

    _sign_in(client, "test-exec", TEST_PASSWORD)
    copy = _copied_cookie(client)
    assert _with_cookie(app, copy).get(A_PAGE).status_code == 200
    with session() as db:
        if change == "password":
            set_password(db, "test-exec", "a brand new passphrase")
        else:
            set_active(db, "test-exec", False)
            set_active(db, "test-exec", True)
    assert _with_cookie(app, copy).get(A_PAGE).status_code == 302
    assert client.get(A_PAGE).status_code == 302


def test_an_idle_session_ends(client):
    signed_in(client)
    with client.session_transaction() as cookie:
        cookie["seen"] = time.time() - 31 * 60  # the default idle timeout is 30 minutes
    assert client.get(A_PAGE).status_code == 302


def test_signing_out_ends_the_session(client):
    _sign_in(client, TEST_ADMIN, TEST_PASSWORD)
    token = _csrf(client)
    assert client.post("/logout", data={"csrf": token}).headers["Location"] == "/login"
    assert client.get(A_PAGE).status_code == 302


def test_a_disabled_account_loses_its_session_at_once(client):
    from appstate.users import set_active

    signed_in(client, "test-exec")
    assert client.get(A_PAGE).status_code == 200
    with session() as db:
        set_active(db, "test-exec", False)
    assert client.get(A_PAGE).status_code == 302


def test_single_sign_on_maps_the_providers_claims_to_a_local_username(monkeypatch):
    from app.auth import username_from_claims

    assert (
        username_from_claims({"preferred_username": " Jo.Bloggs@Council.gov.uk ", "email": "x@y"})
        == "jo.bloggs@council.gov.uk"
    )
    assert username_from_claims({"email": "nurse@nhs.net"}) == "nurse@nhs.net"
    assert username_from_claims({"sub": "opaque-id"}) is None
    monkeypatch.setenv("SAFEGUARD_OIDC_USERNAME_CLAIM", "upn")
    assert username_from_claims({"upn": "Lead@Police.uk", "preferred_username": "other"}) == "lead@police.uk"


def test_single_sign_on_is_offered_only_when_configured(home, monkeypatch):
    from app.main import create_app

    plain = create_app().server
    assert "Sign in with your organisation" not in plain.test_client().get("/login").get_data(as_text=True)
    assert "sso_start" not in plain.view_functions
    monkeypatch.setenv(
        "SAFEGUARD_OIDC_METADATA_URL", "https://login.example/tenant/v2.0/.well-known/openid-configuration"
    )
    monkeypatch.setenv("SAFEGUARD_OIDC_CLIENT_ID", "dashboard")
    configured = create_app().server
    page = configured.test_client().get("/login?next=/missing").get_data(as_text=True)
    assert 'href="/login/sso?next=%2Fmissing"' in page
    assert {"sso_start", "sso_callback"} <= set(configured.view_functions)
