"""Signing in through the form as each role, and seeing that role's pages and no others."""

from __future__ import annotations

import pytest

from tests.app.serving import TEST_ADMIN, TEST_PASSWORD

pytestmark = pytest.mark.browser

# The navigation's menus in order (app/scope.py NAV_GROUPS), each page in its menu's order.
BOARD_MENU = [
    "Executive summary",
    "Scorecard",
    "Exception report",
    "Meeting pack",
    "Meetings",
    "Annual report",
]
DASHBOARDS = [
    "Front door",
    "S47 and ICPC",
    "CP plans",
    "Missing",
    "Early help",  # the record-level partner packs' pages (early_help.toml, ...)
    "Exploitation",
    "LADO",
    "Domestic abuse (police)",
    "Children in need and in care",  # published figures and factors at assessment (published.toml)
    "Factors at assessment",
    "Education",  # the pages of figures agencies submit (submitted_*.toml)
    "Mental health",
    "Training and feedback",
    "Benchmarks",
]
PARTNERSHIP_WORK = ["Challenge log", "Action tracker", "Reviews and audits", "Risk register", "Submissions"]
ALL = [*BOARD_MENU, *DASHBOARDS, *PARTNERSHIP_WORK, "Data and loads", "Targets", "Audit"]
BOARD = [*BOARD_MENU, *DASHBOARDS, *PARTNERSHIP_WORK]
PARTNER = BOARD  # partners sit at the board table: the board pages, their figures protected
DATA_TEAM = [name for name in ALL if name != "Audit"]


@pytest.fixture
def anonymous(browser):
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    page.console_errors = []
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    yield page
    context.close()


def _sign_in(page, url: str, username: str) -> None:
    page.goto(url + "/")
    page.wait_for_url("**/login?next=*")
    page.fill("#username", username)
    page.fill("#password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(".account-name")


# The test admin's figures are protected, so the Data page (exact counts) is not among its pages.
PROTECTED_ADMIN = [name for name in ALL if name != "Data and loads"]


@pytest.mark.parametrize(
    ("username", "role", "pages", "lands_on"),
    [
        (TEST_ADMIN, "admin", PROTECTED_ADMIN, "/"),
        ("test-exec", "executive", BOARD, "/"),
        ("test-partner", "partner", PARTNER, "/"),
        ("test-data", "data team", DATA_TEAM, "/"),
    ],
)
def test_brw020_each_role_signs_in_and_sees_its_pages(server, anonymous, username, role, pages, lands_on):
    _sign_in(anonymous, server, username)
    assert anonymous.url.removeprefix(server).split("?")[0] == lands_on
    assert anonymous.inner_text(".account-name") == f"{username} ({role})"
    # Every page the role opens, in the navigation's order, whether in a closed menu or not.
    assert anonymous.locator(".nav .nav-link").all_text_contents() == pages
    assert anonymous.console_errors == []


def test_brw021_a_partner_typing_a_data_page_address_is_told_it_is_not_theirs(server, anonymous):
    _sign_in(anonymous, server, "test-partner")
    anonymous.goto(server + "/data")
    anonymous.get_by_role("heading", name="Not available to your role").wait_for()
    assert anonymous.locator("#data-loads-grid").count() == 0
    anonymous.goto(server + "/front-door?la=E06000057&agency=Health")
    anonymous.wait_for_selector("#card-contacts")
    assert anonymous.inner_text("#filter-summary").startswith("Showing: ")
    anonymous.locator("#filter-summary", has_text="whole partnership's").wait_for()
    # Newcastle's figures for Health, as anyone with Newcastle sees them; Northumberland left out
    assert anonymous.inner_text("#filter-summary") == (
        "Showing: 12 months to October 2026 (Nov 2025 to Oct 2026); Newcastle upon Tyne; agency: Health "
        "✕ agency: Health\n"
        "The figures are the whole partnership's, the same for anyone who sees these local authorities. "
        "Your account's agencies (Police) limit only the records you can list, and which submissions, "
        "commentary and challenge answers are yours.\n"
        "This link also asked for 1 local authority that your account does not cover: the figures leave "
        "them out."
    )


def test_brw022_signing_out_returns_to_the_sign_in_page(own_demo_server, anonymous):
    # On a copy of the demo home: signing out ends every session of the account, and other tests
    # sign in to the shared home as test-exec with cookies of their own.
    server, _home = own_demo_server
    _sign_in(anonymous, server, "test-exec")
    anonymous.click(".sign-out")
    anonymous.wait_for_url("**/login")
    anonymous.goto(server + "/")
    anonymous.wait_for_url("**/login?next=*")


def _small_referral_view(demo_home) -> tuple[str, int]:
    """A filtered Newcastle view whose referral count for 2025/26 is 1 to 4 (found in the warehouse)."""
    import duckdb

    from warehouse.kpis.engine import Filters, evaluate
    from warehouse.kpis.periods import parse_period
    from warehouse.kpis.suppression import NO_SUPPRESSION

    with duckdb.connect(str(demo_home / "warehouse.duckdb"), read_only=True) as con:
        for gender in ("N", "U"):
            for age in ("Under 1", "1-4", "5-9", "10-15", "16-17", "Unknown"):
                filters = Filters(la_codes=("E08000021",), gender=(gender,), age_band=(age,))
                [result] = evaluate(con, ["referrals"], parse_period("2025-26"), filters, NO_SUPPRESSION)
                if result.current.value and 0 < result.current.value < 5:
                    return f"?period=2025-26&la=E08000021&gender={gender}&age={age.replace(' ', '+')}", int(
                        result.current.value
                    )
    raise AssertionError("the demo has no small referral count to test with")


def test_brw023_the_pack_pdf_suppresses_for_an_executive_and_not_for_the_data_team(
    server, browser, demo_home
):
    from pypdf import PdfReader

    from tests.app.serving import SESSION_COOKIE, session_cookie

    search, count = _small_referral_view(demo_home)
    texts = {}
    for username in ("test-exec", "test-data"):
        context = browser.new_context()
        context.add_cookies(
            [{"name": SESSION_COOKIE, "value": session_cookie(username), "domain": "127.0.0.1", "path": "/"}]
        )
        response = context.request.get(server + "/pack.pdf" + search, timeout=60_000)
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
        from io import BytesIO

        pages = PdfReader(BytesIO(response.body())).pages
        texts[username] = " ".join(" ".join(p.extract_text() for p in pages).split())
        context.close()
    assert "Referrals c " in texts["test-exec"] and f"Referrals {count} " not in texts["test-exec"]
    assert f"Referrals {count} " in texts["test-data"]
