"""Serving the app from a SAFEGUARD_HOME in a subprocess on a free 127.0.0.1 port, as `make run` does."""

from __future__ import annotations

import csv
import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

TEST_SECRET = "browser-test-session-secret"
SESSION_COOKIE = "safeguard_session"
TEST_ADMIN = "test-admin"
TEST_PASSWORD = "correct horse battery staple"
ROLE_USERS = {  # username -> (role, LAs, agencies), with TEST_PASSWORD
    "test-exec": ("executive", ("E08000021",), ()),
    "test-partner": ("partner", ("E08000021",), ("Police",)),
    "test-data": ("data_team", ("E08000021",), ()),
}


def add_test_users(home: Path) -> None:
    """An admin for the browser tests and one account per other role, in the home's app state."""
    from appstate.db import session
    from appstate.users import add_user, get_user

    with session(f"sqlite:///{home / 'appstate.sqlite'}") as db:
        if get_user(db, TEST_ADMIN) is None:
            add_user(db, TEST_ADMIN, "admin", created_by="tests", password=TEST_PASSWORD)
            for username, (role, las, agencies) in ROLE_USERS.items():
                add_user(
                    db,
                    username,
                    role,
                    created_by="tests",
                    password=TEST_PASSWORD,
                    la_codes=las,
                    agencies=agencies,
                )


def copy_home(home: Path, to: Path) -> Path:
    """A copy of a SAFEGUARD_HOME (warehouse, app state with its accounts, key), to write to freely."""
    import shutil

    to.mkdir(parents=True)
    for name in ("warehouse.duckdb", "appstate.sqlite", "pseudonymisation.key"):
        if (home / name).exists():
            shutil.copy2(home / name, to / name)
    return to


def session_cookie(username: str, secret: str = TEST_SECRET) -> str:
    """A signed session cookie for `username`, as the app's sign-in would set it."""
    from flask import Flask
    from flask.sessions import SecureCookieSessionInterface

    app = Flask("cookie")
    app.secret_key = secret
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    return serializer.dumps(
        {"user": username, "generation": 0, "seen": time.time(), "csrf": "test", "_permanent": True}
    )


def signed_in(client, username: str = TEST_ADMIN):
    """A Flask test client signed in as `username` (at the account's session generation 0: none of
    its sessions was ever ended)."""
    with client.session_transaction() as session:
        session.update(user=username, generation=0, seen=time.time(), csrf="test")
    return client


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(home: Path, log_dir: Path):
    port = _free_port()
    env = os.environ | {
        "SAFEGUARD_HOME": str(home),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "SAFEGUARD_SECRET_KEY": TEST_SECRET,
    }
    # The server's log goes to a file: a pipe nobody reads fills up and stalls the server.
    log = log_dir / "server.log"
    with log.open("w") as log_file:  # the server keeps its own copy of the handle
        process = subprocess.Popen(
            [sys.executable, "-m", "app"], env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url, timeout=1)
            break
        except OSError:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the app did not start"
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=10)


# --- Dash requests as the browser makes them, through a Flask test client ---


def export_rows(client, search: str) -> list[dict[str, str]]:
    """The front door grid's CSV rows, as its download callback gives them for the URL query `search`."""
    payload = {
        "output": "front-door-download.data",
        "outputs": {"id": "front-door-download", "property": "data"},
        "inputs": [{"id": "front-door-export", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["front-door-export.n_clicks"],
        "state": [{"id": "url", "property": "search", "value": search}],
    }
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200, response.get_data(as_text=True)
    content = response.get_json()["response"]["front-door-download"]["data"]["content"]
    return list(csv.DictReader(io.StringIO(content)))


def page_router_request(path: str, search: str) -> dict:
    """The request Dash's page router sends for a page: its layout for `path` and `search`."""
    return {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }


def page_layout(client, path: str, search: str) -> dict:
    """A page's layout as Dash's page router returns it to the browser."""
    payload = page_router_request(path, search)
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200, response.get_data(as_text=True)
    return expanded(response.get_json()["response"]["_pages_content"]["children"])


def expanded(node):
    """A layout as the browser's page has it: each StaticHtml (app/components/static_html.py) parsed
    back into the html components its markup is, shaped as Dash sends components."""
    if isinstance(node, list):
        return [expanded(child) for child in node]
    if not isinstance(node, dict) or "namespace" not in node:
        return node
    props = node.get("props", {})
    if node["namespace"] == "safeguard_static":
        parser = _MarkupTree()
        parser.feed(props.get("children") or "")
        parser.close()
        return _html_node(props["tag"], dict(props.get("attributes") or {}), parser.root)
    if "children" in props:
        node = {**node, "props": {**props, "children": expanded(props["children"])}}
    return node


_REACT_NAMES = {
    "class": "className",
    "for": "htmlFor",
    "colspan": "colSpan",
    "rowspan": "rowSpan",
    "tabindex": "tabIndex",
}
_VOID = {"area", "br", "col", "embed", "hr", "img", "input", "source", "track", "wbr"}


def _html_node(tag: str, props: dict, children: list) -> dict:
    if children:  # a lone text is a string, as Dash sends html.P("text"); elements are a list
        props["children"] = children[0] if children == [str(children[0])] else children
    return {"type": tag.capitalize(), "namespace": "dash_html_components", "props": props}


class _MarkupTree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: list = []
        self._open: list[tuple[str, dict, list]] = []

    def handle_starttag(self, tag, attrs):
        props = {_REACT_NAMES.get(name, name): True if value is None else value for name, value in attrs}
        if tag in _VOID:
            self._children().append(_html_node(tag, props, []))
        else:
            self._open.append((tag, props, []))

    def handle_endtag(self, tag):
        opened, props, children = self._open.pop()
        assert opened == tag, f"</{tag}> closes <{opened}>"
        self._children().append(_html_node(tag, props, children))

    def handle_data(self, data):
        self._children().append(data)

    def _children(self) -> list:
        return self._open[-1][2] if self._open else self.root


def find_component(node, component_id: str):
    if isinstance(node, dict):
        if node.get("props", {}).get("id") == component_id:
            return node
        children = node.get("props", {}).get("children")
        return find_component(children, component_id)
    if isinstance(node, list):
        return next(
            (found for child in node if (found := find_component(child, component_id)) is not None), None
        )
    return None
