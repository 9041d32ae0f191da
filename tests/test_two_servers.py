"""A hub's deployment in small: two app instances, each under the Dockerfile's gunicorn command with
its own SAFEGUARD_HOME, sharing one PostgreSQL app state and the warehouse that the loader
publishes to SAFEGUARD_WAREHOUSE_DIR. Whichever instance a load balancer picks, a session, the
sign-in limits and the latest load are the same (docs/deploy.md, "More than one server")."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from appstate.db import session
from appstate.throttle import ADDRESS_FAILURES, SignInAddress
from appstate.users import MAX_FAILURES, add_user, get_user
from tests.app.serving import SESSION_COOKIE, TEST_SECRET
from tests.appstate.postgres import Unavailable, running_server
from tests.helpers import write_extract
from tests.test_deployment import _cmd, _free_port

pytestmark = pytest.mark.slow  # two gunicorn servers, a PostgreSQL cluster and a loader

PASSWORD = "correct horse battery staple"
# docs/deploy.md states it: a load is served by every instance within this many seconds.
LOAD_SECONDS = 10


@dataclass(frozen=True)
class Hub:
    urls: tuple[str, str]
    homes: tuple[Path, Path]
    loader_home: Path
    warehouse_dir: Path
    appstate_url: str
    loader_env: dict[str, str]


def _contacts(folder: Path, count: int) -> Path:
    rows = [{"contact_id": f"C{i}"} for i in range(count)]
    return write_extract(folder / f"contacts-{count}.csv", "contacts", rows)


def _load(hub_env: dict[str, str], path: Path) -> None:
    """`safeguard load` as the hub's loader runs it: its own home, the shared warehouse folder."""
    command = [str(Path(sys.executable).with_name("safeguard")), "load", str(path)]
    loaded = subprocess.run(command, env=hub_env, capture_output=True, text=True, timeout=120, check=False)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr


def _wait_ready(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            if requests.get(url + "/readyz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        assert server.poll() is None, log.read_text()
        assert time.monotonic() < deadline, f"gunicorn did not start: {log.read_text()}"
        time.sleep(0.3)


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    try:
        with running_server() as postgres, postgres.fresh_database() as appstate_url:
            yield from _serve_hub(tmp_path_factory.mktemp("hub"), appstate_url)
    except Unavailable as why:
        pytest.skip(f"the two-server test needs PostgreSQL: {why}")


def _serve_hub(root: Path, appstate_url: str):
    warehouse_dir, loader_home = root / "shared-warehouse", root / "loader"
    common = {"SAFEGUARD_WAREHOUSE_DIR": str(warehouse_dir), "SAFEGUARD_APPSTATE_URL": appstate_url}
    loader_env = (
        os.environ
        | common
        | {"SAFEGUARD_HOME": str(loader_home), "SAFEGUARD_PSEUDONYMISATION_KEY": "hub-test-key"}
    )
    _load(loader_env, _contacts(root / "extracts", 6))
    with session(appstate_url) as db:
        for username in ("hub-admin", "hub-under-limit", "hub-locked"):
            add_user(db, username, "admin", created_by="tests", password=PASSWORD)
    servers, urls, homes = [], [], []
    try:
        for name in ("a", "b"):
            home, port = root / f"instance-{name}", _free_port()
            command = [arg.replace("0.0.0.0:8050", f"127.0.0.1:{port}") for arg in _cmd()]
            command[0] = str(Path(sys.executable).with_name("gunicorn"))
            env = (
                {k: v for k, v in os.environ.items() if k != "SAFEGUARD_PSEUDONYMISATION_KEY"}
                | common
                | {"SAFEGUARD_HOME": str(home), "SAFEGUARD_SECRET_KEY": TEST_SECRET}
            )
            log = root / f"gunicorn-{name}.log"
            with open(log, "w") as out:  # a file, not a pipe nobody reads
                servers.append(
                    (
                        subprocess.Popen(
                            command,
                            cwd=Path(__file__).parents[1],
                            env=env,
                            stdout=out,
                            stderr=subprocess.STDOUT,
                        ),
                        log,
                    )
                )
            urls.append(f"http://127.0.0.1:{port}")
            homes.append(home)
        for url, (server, log) in zip(urls, servers):
            _wait_ready(url, server, log)
        yield Hub(tuple(urls), tuple(homes), loader_home, warehouse_dir, appstate_url, loader_env)
    finally:
        for server, _ in servers:
            server.send_signal(signal.SIGTERM)
        for server, _ in servers:
            server.wait(timeout=30)


@pytest.fixture
def fresh_hub(hub):
    """Every request here comes from 127.0.0.1: each test starts with that address's window unused."""
    with session(hub.appstate_url) as db:
        db.query(SignInAddress).delete()
        db.commit()
    return hub


def _sign_in(url: str, username: str, password: str) -> requests.Response:
    """The sign-in form fetched and posted as a browser would, with the pre-session cookie it sets."""
    form = requests.get(url + "/login", timeout=10)
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)[1]
    fields = {"csrf": csrf, "next": "/", "username": username, "password": password}
    return requests.post(
        url + "/login",
        data=fields,
        cookies={SESSION_COOKIE: form.cookies[SESSION_COOKIE]},
        allow_redirects=False,
        timeout=30,
    )


def _layout_status(url: str, cookie: str) -> int:
    return requests.get(url + "/_dash-layout", cookies={SESSION_COOKIE: cookie}, timeout=30).status_code


def _session_of(cookie: str) -> dict:
    """What a session cookie holds (signed, not encrypted: the test knows the instances' shared key)."""
    from flask import Flask
    from flask.sessions import SecureCookieSessionInterface

    app = Flask("cookie")
    app.secret_key = TEST_SECRET
    return SecureCookieSessionInterface().get_signing_serializer(app).loads(cookie)


def test_a_session_from_one_instance_works_on_the_other_and_signing_out_ends_it_on_both(fresh_hub):
    a, b = fresh_hub.urls
    signed_in = _sign_in(a, "hub-admin", PASSWORD)
    assert signed_in.status_code == 302
    cookie = signed_in.cookies[SESSION_COOKIE]
    assert [_layout_status(a, cookie), _layout_status(b, cookie)] == [200, 200]
    signed_out = requests.post(
        a + "/logout",
        data={"csrf": _session_of(cookie)["csrf"]},
        cookies={SESSION_COOKIE: cookie},
        allow_redirects=False,
        timeout=30,
    )
    assert (signed_out.status_code, signed_out.headers["Location"]) == (302, "/login")
    assert [_layout_status(b, cookie), _layout_status(a, cookie)] == [401, 401]  # the same cookie, kept


def test_failed_sign_ins_split_across_instances_lock_an_account_at_the_one_server_limit(fresh_hub):
    hub = fresh_hub
    for attempt in range(MAX_FAILURES - 1):
        assert _sign_in(hub.urls[attempt % 2], "hub-under-limit", "wrong password").status_code == 401
    assert _sign_in(hub.urls[(MAX_FAILURES - 1) % 2], "hub-under-limit", PASSWORD).status_code == 302
    for attempt in range(MAX_FAILURES):
        assert _sign_in(hub.urls[attempt % 2], "hub-locked", "wrong password").status_code == 401
    # The right password is refused on both now, in the words of any failure.
    for url in hub.urls:
        refused = _sign_in(url, "hub-locked", PASSWORD)
        assert refused.status_code == 401 and f"After {MAX_FAILURES} failed sign-ins" in refused.text
    with session(hub.appstate_url) as db:
        locked, unlocked = get_user(db, "hub-locked"), get_user(db, "hub-under-limit")
        assert (locked.failed_sign_ins, locked.locked_until is not None) == (MAX_FAILURES, True)
        assert (unlocked.failed_sign_ins, unlocked.locked_until) == (0, None)


def test_an_address_limit_is_shared_by_both_instances(fresh_hub):
    hub = fresh_hub
    for attempt in range(ADDRESS_FAILURES):
        assert _sign_in(hub.urls[attempt % 2], "no-such-account", "wrong password").status_code == 401
    for url in hub.urls:
        blocked = _sign_in(url, "hub-admin", PASSWORD)  # even the right password, from this address
        assert blocked.status_code == 429 and "Too many failed sign-ins from this address" in blocked.text


def _versions(url: str, asks: int = 4) -> set[int]:
    """The data versions an instance answers with; a few asks, to reach each of its workers."""
    return {requests.get(url + "/readyz", timeout=10).json()["data_version"] for _ in range(asks)}


def test_a_load_by_the_loader_is_served_by_both_instances_within_the_stated_time(hub, tmp_path):
    assert [_versions(url) for url in hub.urls] == [{1}, {1}]  # the one load made before they started
    _load(hub.loader_env, _contacts(tmp_path, 9))
    published = time.monotonic()
    while [_versions(url) for url in hub.urls] != [{2}, {2}]:
        assert time.monotonic() - published < LOAD_SECONDS, [_versions(url) for url in hub.urls]
        time.sleep(0.2)
    # One published warehouse and one lock, in the shared folder; no instance or loader made its own,
    # and the instances wrote nothing at all in their homes (all they share is set).
    assert {p.name for p in hub.warehouse_dir.glob("*") if p.is_file()} == {"warehouse.duckdb", "load.lock"}
    assert (
        not (hub.loader_home / "warehouse.duckdb").exists() and not (hub.loader_home / "load.lock").exists()
    )
    assert [sorted(home.iterdir()) if home.exists() else [] for home in hub.homes] == [[], []]
