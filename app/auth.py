"""Sign-in: local accounts (argon2), optional OpenID Connect single sign-on, sessions, sign-out.

Every request but the sign-in pages and the static assets needs a signed-in user: a page asks
for sign-in, and anything else (a callback, an export, a PDF) gets 401. The session is a signed
cookie (HttpOnly, SameSite=Lax, Secure behind HTTPS) that holds the username and the account's
session generation; the role and scope are read from the accounts table on every request, so
disabling an account or changing its role takes effect at once, and a cookie from before a
sign-out, a new password or a disable is refused (appstate/users.py). A session idle for longer
than the idle timeout is over.

Forms are tied to the browser's own session: the sign-in form's token is made for the
pre-session cookie that the sign-in page sets, and a form posted without that cookie, or with
another token, is refused. Sign-out is a POST with the token, never a link another site can
follow. Failed sign-ins are counted in app state per account and per client address (behind
the reverse proxies that SAFEGUARD_PROXY_HOPS declares, the address they forward).
"""

from __future__ import annotations

import hmac
import os
import secrets
import time
from datetime import timedelta
from html import escape
from urllib.parse import urlencode, urlsplit

from flask import Flask, Response, g, redirect, request, session

from app.scope import Role, User, nav_pages
from appstate.audit import record
from appstate.db import session as appstate
from appstate.throttle import claim_attempt, give_back_attempt
from appstate.users import SignInRefused, UserAccount, end_sessions, get_user, session_generation, sign_in
from warehouse.settings import environment, get_settings, owner_only_dir

# Paths anyone may fetch: the sign-in and sign-out pages (a session that has already ended can
# still press "Sign out"), and the app's own static files (no data in them).
PUBLIC_PREFIXES = (
    "/login",
    "/logout",
    "/auth/callback",
    "/assets/",
    "/_dash-component-suites/",
    "/_favicon.ico",
    "/favicon.ico",
    "/healthz",
    "/readyz",
)


def idle_minutes() -> int:
    return environment().idle_minutes


def secret_key() -> bytes:
    """SAFEGUARD_SECRET_KEY, else a key file made on first use beside the warehouse (owner-only)."""
    from_env = environment().secret_key
    if from_env:
        return from_env.get_secret_value().encode()
    path = get_settings().home / "session.key"
    if not path.exists():
        owner_only_dir(path.parent)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
        except FileExistsError:
            pass  # another worker made it first
    return path.read_text().strip().encode()


def user_of(account: UserAccount) -> User:
    return User(
        username=account.username,
        role=Role(account.role),
        la_codes=account.la_list,
        agencies=account.agency_list,
        areas=account.area_list,
        unsuppressed=account.unsuppressed,
    )


def _address() -> str:
    return request.remote_addr or ""


def _signed_in_user() -> User | None:
    username = session.get("user")
    seen = session.get("seen", 0)
    if not username:
        return None
    if time.time() - seen > idle_minutes() * 60:
        session.clear()
        return None
    with appstate() as db:
        account = get_user(db, username)
        current = (
            account is not None
            and account.active
            and session.get("generation") == session_generation(db, account.username)
        )
    if not current or account is None:
        session.clear()
        return None
    session["seen"] = time.time()
    return user_of(account)


def _is_page_request() -> bool:
    """A browser asking for a page (sign-in can help) rather than data (it gets 401)."""
    return (
        request.method == "GET"
        and not request.path.startswith("/_dash")
        and "." not in request.path.rsplit("/", 1)[-1]
    )


def _gate():
    if request.path.startswith(PUBLIC_PREFIXES):
        return None
    g.user = _signed_in_user()
    if g.user is not None:
        return None
    if _is_page_request():
        target = request.full_path.rstrip("?")
        return redirect("/login?" + urlencode({"next": target}))
    return Response(
        "Sign in first.", status=401, mimetype="text/plain", headers={"WWW-Authenticate": "Session"}
    )


def _safe_next(target: str | None) -> str:
    """Only a path on this site: a sign-in link must never send anyone elsewhere, nor put a line
    break (a control character) into the Location header."""
    target = target or "/"
    if any(ord(c) < 32 or ord(c) == 127 for c in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def landing(user: User, next_path: str) -> str:
    """Where sign-in goes: the page asked for, or for a bare sign-in the role's first page."""
    if next_path != "/" or user.can_view("/"):
        return next_path
    return nav_pages(user)[0]["path"]


def _csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def _csrf_ok() -> bool:
    """The form's token is the one made for this browser's session cookie; with no cookie (a form
    posted from another site, or by a script that never loaded ours) there is nothing to match."""
    expected = session.get("csrf")
    return (
        isinstance(expected, str)
        and bool(expected)
        and hmac.compare_digest(request.form.get("csrf", ""), expected)
    )


def _login_page(message: str = "", status: int = 200, next_path: str = "/") -> Response:
    sso = (
        (
            '<p><a class="button-secondary" href="/login/sso?'
            + escape(urlencode({"next": next_path}))
            + '">Sign in with your organisation</a></p>'
        )
        if oidc_configured()
        else ""
    )
    error = f'<p class="form-status" role="alert">{escape(message)}</p>' if message else ""
    html = f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in - Safeguarding performance</title><link rel="stylesheet" href="/assets/style.css"></head>
<body><header class="app-header"><span class="brand">Safeguarding performance</span></header>
<main class="page sign-in" id="main"><h1>Sign in</h1>{error}
<form method="post" action="/login" class="app-form">
<input type="hidden" name="csrf" value="{escape(_csrf_token())}"><input type="hidden" name="next" value="{escape(next_path)}">
<div class="form-field"><label class="filter-label" for="username">Username</label>
<input id="username" name="username" autocomplete="username" required></div>
<div class="form-field"><label class="filter-label" for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required></div>
<div class="form-actions"><button class="button-primary" type="submit">Sign in</button></div></form>{sso}
<p class="note">These are children's safeguarding records. Sign in only with your own account.</p></main></body></html>"""
    return Response(html, status=status, mimetype="text/html")


def login():
    next_path = _safe_next(request.values.get("next"))
    if request.method == "GET":
        return _login_page(next_path=next_path)
    address = _address()
    username = request.form.get("username", "")
    if not _csrf_ok():
        return _login_page("The sign-in form had expired: please try again.", 400, next_path)
    with appstate() as db:
        if not claim_attempt(db, address):
            return _login_page("Too many failed sign-ins from this address: wait 15 minutes.", 429, next_path)
        try:
            account = sign_in(db, username, request.form.get("password", ""))
        except SignInRefused as refused:
            record(db, username[:120] or "(blank)", "sign_in_failed", address=address, reason=refused.reason)
            return _login_page(str(refused), 401, next_path)
        give_back_attempt(db, address)
        record(db, account.username, "sign_in", address=address, method="password")
        generation = session_generation(db, account.username)
    _start_session(account.username, generation)
    return redirect(landing(user_of(account), next_path))


def _start_session(username: str, generation: int) -> None:
    session.clear()  # a new session on sign-in: a cookie planted before it is worth nothing after
    session.permanent = True
    session.update(user=username, generation=generation, seen=time.time(), csrf=secrets.token_urlsafe(32))


def logout():
    """POST only, with the form's token: signing out ends every session of the account, so a
    copy of the cookie (another tab, another machine, a stolen one) is signed out too."""
    username = session.get("user")
    if username and not _csrf_ok():
        return Response("The sign-out form had expired.", status=400, mimetype="text/plain")
    if username:
        with appstate() as db:
            end_sessions(db, username)
            record(db, username, "sign_out", address=_address())
    session.clear()
    return redirect("/login")


def csrf_token() -> str:
    """For forms the app draws (the sign-out button)."""
    return _csrf_token()


# --- OpenID Connect single sign-on (optional) ---


def oidc_configured() -> bool:
    settings = environment()
    return bool(settings.oidc_metadata_url and settings.oidc_client_id)


def username_from_claims(claims: dict) -> str | None:
    """The local username an identity provider's claims name (SAFEGUARD_OIDC_USERNAME_CLAIM, else
    preferred_username, then email), lower-cased; None when they name nobody."""
    names = [environment().oidc_username_claim, "preferred_username", "email", "upn"]
    for name in names:
        if name and isinstance(claims.get(name), str) and claims[name].strip():
            return claims[name].strip().lower()
    return None


def _install_oidc(server: Flask) -> None:
    from authlib.integrations.flask_client import OAuth

    settings = environment()
    oauth = OAuth(server)
    oauth.register(
        "sso",
        server_metadata_url=settings.oidc_metadata_url,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else None,
        client_kwargs={"scope": settings.oidc_scopes},
    )

    def sso_start():
        session["sso_next"] = _safe_next(request.args.get("next"))
        base = (environment().public_url or request.host_url).rstrip("/")  # a trusted host either way
        return oauth.sso.authorize_redirect(base + "/auth/callback")

    def sso_callback():
        token = oauth.sso.authorize_access_token()  # checks state, nonce and the ID token's signature
        username = username_from_claims(token.get("userinfo") or {})
        with appstate() as db:
            account = get_user(db, username) if username else None
            if account is None or not account.active:
                record(
                    db,
                    username or "(unknown)",
                    "sign_in_failed",
                    address=_address(),
                    method="sso",
                    reason="no active local account",
                )
                return _login_page(
                    "Your organisation signed you in, but you have no account here: ask an administrator.",
                    403,
                )
            record(db, account.username, "sign_in", address=_address(), method="sso")
            generation = session_generation(db, account.username)
        next_path = session.get("sso_next", "/")
        _start_session(account.username, generation)
        return redirect(landing(user_of(account), next_path))

    server.add_url_rule("/login/sso", "sso_start", sso_start)
    server.add_url_rule("/auth/callback", "sso_callback", sso_callback)


def install_auth(server: Flask) -> None:
    """Sessions, the sign-in gate before every request, and the sign-in and sign-out routes."""
    server.secret_key = secret_key()
    server.config.update(
        SESSION_COOKIE_NAME="safeguard_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Behind HTTPS (a reverse proxy that terminates TLS), the cookie is sent over HTTPS only.
        SESSION_COOKIE_SECURE=environment().secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=idle_minutes()),
    )
    server.before_request(_gate)
    server.add_url_rule("/login", "login", login, methods=["GET", "POST"])
    server.add_url_rule("/logout", "logout", logout, methods=["POST"])
    if oidc_configured():
        _install_oidc(server)
