"""What the browser tests share: a served app, Debian chromium through Playwright, a page that
records console errors."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.app.serving import SESSION_COOKIE, TEST_ADMIN, copy_home, serve, session_cookie

CHROMIUM = "/usr/bin/chromium"


# One app server over the demo home and one Chromium for every test file a worker runs: starting
# them for each file was a tenth of the browser tests' time. Tests that write go to their own copy
# (own_demo_server), so what this server shows is the demo home as built. The server has a copy of
# its own too: what it records as it serves (sign-ins, exports) must not reach the worker's demo
# home, which other tests copy and count audit events in.
@pytest.fixture(scope="session")
def server(demo_home: Path, tmp_path_factory: pytest.TempPathFactory):
    served = copy_home(demo_home, tmp_path_factory.mktemp("served") / "home")
    yield from serve(served, tmp_path_factory.mktemp("server"))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian chromium is missing: `make test` installs it (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def own_demo_server(demo_home: Path, tmp_path_factory: pytest.TempPathFactory):
    """The app over a copy of the demo home, for tests that write app state (targets, commentary,
    challenges) and must not change what other tests see."""
    home = copy_home(demo_home, tmp_path_factory.mktemp("own_demo") / "home")
    url = next(serve_gen := serve(home, tmp_path_factory.mktemp("own_demo_server")))
    yield url, home
    next(serve_gen, None)


@pytest.fixture
def demo_copy(demo_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """SAFEGUARD_HOME pointed at a fresh copy of the demo home, for in-process tests that write to it."""
    from app import state

    home = copy_home(demo_home, tmp_path / "home")
    monkeypatch.setenv("SAFEGUARD_HOME", str(home))
    monkeypatch.delenv("SAFEGUARD_APPSTATE_URL", raising=False)
    monkeypatch.delenv("SAFEGUARD_SECRET_KEY", raising=False)
    state.reader.cache_clear()
    yield home
    state.reader().close()
    state.reader.cache_clear()


def _signed_in_page(browser, username: str, width: int = 1300, height: int = 900):
    context = browser.new_context(viewport={"width": width, "height": height})
    context.add_cookies(
        [{"name": SESSION_COOKIE, "value": session_cookie(username), "domain": "127.0.0.1", "path": "/"}]
    )
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    return context, page


@pytest.fixture
def page(browser):
    """A page signed in as the test admin, who sees protected (rounded) figures (the sign-in itself
    is tested in test_browser_roles.py)."""
    context, page = _signed_in_page(browser, TEST_ADMIN)
    yield page
    context.close()


@pytest.fixture
def page_as(browser):
    """Opens a page signed in as a test account (TEST_ADMIN or one of ROLE_USERS) at a width."""
    contexts = []

    def open_page(username: str, width: int = 1300, height: int = 900):
        context, page = _signed_in_page(browser, username, width, height)
        contexts.append(context)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def exact_page(browser):
    """A page signed in as the test data team member, who sees exact figures and record lists."""
    context, page = _signed_in_page(browser, "test-data")
    yield page
    context.close()


@pytest.fixture(scope="session")
def page_module():
    """A page's module as Dash imported it (pages load only inside an app), to call its callbacks."""
    from app.main import create_app

    create_app()
    return lambda name: sys.modules[f"pages.{name}"]


@pytest.fixture(scope="module")
def demo_app(demo_home):
    """The Dash app over the demo home, in process, for tests that call it through a Flask test client."""
    from app import state
    from app.main import create_app

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAFEGUARD_HOME", str(demo_home))
        state.reader.cache_clear()
        yield create_app()
        state.reader().close()
        state.reader.cache_clear()
