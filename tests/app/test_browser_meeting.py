"""Browser tests of the board-meeting workflow: targets, commentary, the challenge log, saved views.

They write app state, so they run against their own copy of the demo home."""

from __future__ import annotations

import sqlite3

import pytest

from tests.helpers import engine_results
from warehouse.kpis.engine import Filters

pytestmark = pytest.mark.browser

NEWCASTLE = ("E08000021",)
PERIOD = "R12-2026-10"  # the demo's default period: the 12 months to its last complete month


def _choose(page, select_id: str, option: str) -> None:
    page.select_option(f"#{select_id}", label=option)


def test_brw016_a_new_target_changes_the_cards_rag(own_demo_server, page):
    url, home = own_demo_server
    value = engine_results(home, ("re_referral_12m",), PERIOD, Filters(la_codes=NEWCASTLE))["re_referral_12m"]
    value = value.current.value
    card = "#card-re_referral_12m .rag"
    page.goto(url + f"/?period={PERIOD}&la=E08000021")
    page.wait_for_selector(card)
    before = page.inner_text(card)
    # the demo target is 24.0% from April 2025 (lower is better, 5% tolerance): the demo's ~25% misses it
    assert before.endswith("target 24.0% (demo target)") and "On target" not in before

    page.goto(url + "/targets")
    _choose(page, "target-kpi", "Re-referrals within 12 months")
    _choose(page, "target-la", "Newcastle upon Tyne")
    page.fill("#target-from", "2026-04-01")
    page.fill("#target-value", "150")  # a % over 100: refused, and nothing is kept
    page.click("#target-save")
    page.locator("#target-status", has_text="Not set:").wait_for()
    assert page.inner_text("#target-status") == (
        "Not set: Re-referrals within 12 months is a % (0 to 100), so a target of 150.0% could never be met."
    )
    page.fill("#target-value", f"{value + 2:.1f}")
    page.click("#target-save")
    page.locator(
        "#target-status", has_text="Set: Re-referrals within 12 months for Newcastle upon Tyne"
    ).wait_for()
    page.locator("#targets-grid .ag-row", has_text="2026-04-01").wait_for()

    page.goto(url + f"/?period={PERIOD}&la=E08000021")
    page.locator(card, has_text="On target").wait_for()
    assert page.inner_text(card) == f"✔ On target: target {value + 2:.1f}%"
    with sqlite3.connect(home / "appstate.sqlite") as db:
        [(set_by, effective_from)] = db.execute(
            "SELECT set_by, effective_from FROM target WHERE NOT is_demo"
        ).fetchall()
    assert set_by and effective_from == "2026-04-01"
    assert page.console_errors == []


def test_brw017_commentary_shows_on_its_card_and_in_the_pack_pdf_and_markup_stays_text(own_demo_server, page):
    from pypdf import PdfReader

    url, _home = own_demo_server
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url + f"/?period={PERIOD}&la=E08000021")
    page.click("#card-icpc_15wd .commentary a")
    page.wait_for_selector("#commentary-text")
    typed = "ICPCs held on time rose after the new conference rota. <img src=x onerror=alert(1)><script>alert(2)</script>"
    page.fill("#commentary-text", typed)
    page.click("#commentary-save")
    page.locator("#commentary-status", has_text="Saved as version 1").wait_for()

    page.goto(url + f"/?period={PERIOD}&la=E08000021")
    page.wait_for_selector("#card-icpc_15wd .commentary-text")
    assert page.inner_text("#card-icpc_15wd .commentary-text") == typed
    assert page.locator("#card-icpc_15wd .commentary img, #card-icpc_15wd .commentary script").count() == 0

    page.goto(url + f"/pack?period={PERIOD}&la=E08000021")
    page.wait_for_selector(".pack-cover")
    with page.expect_download(timeout=60_000) as download:
        page.click("#pack-pdf")
    text = " ".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    assert "ICPCs held on time rose after the new conference rota." in " ".join(text.split())
    assert dialogs == []
    assert page.console_errors == []


def test_brw018_a_challenge_is_raised_answered_and_closed(own_demo_server, page):
    url, _home = own_demo_server
    page.goto(url + "/challenges")
    _choose(page, "challenge-kpi", "Repeat CP plans")
    _choose(page, "challenge-agency", "Police")
    page.fill("#challenge-owner", "DCI Example")
    page.fill("#challenge-due", "2026-01-15")
    page.fill("#challenge-question", "Why did repeat plans rise in the autumn?")
    page.click("#challenge-raise")
    page.locator("#challenge-status-message", has_text="Raised challenge").wait_for()
    row = page.locator(
        "#challenges-grid .ag-center-cols-container .ag-row", has_text="Why did repeat plans rise"
    )
    row.wait_for()
    assert "open (overdue)" in row.inner_text()  # due in January 2026, still open today

    row.click()
    page.fill("#challenge-response", "A cohort of siblings returned to plans; reviewed in November.")
    page.click("#challenge-answer")
    page.locator("#challenge-status-message", has_text="is now answered").wait_for()
    page.locator("#challenges-grid .ag-row", has_text="answered").wait_for()

    page.locator(
        "#challenges-grid .ag-center-cols-container .ag-row", has_text="Why did repeat plans rise"
    ).click()
    page.click("#challenge-close")
    page.locator("#challenge-status-message", has_text="is now closed").wait_for()
    page.get_by_text("No entries match.", exact=True).wait_for()  # closed entries are hidden by default
    page.get_by_role("checkbox", name="closed").check()
    closed = page.locator(
        "#challenges-grid .ag-center-cols-container .ag-row", has_text="Why did repeat plans rise"
    )
    closed.wait_for()
    assert "closed" in closed.inner_text() and "siblings returned" in closed.inner_text()
    assert page.console_errors == []


def test_brw019_a_saved_view_opens_the_same_filters(own_demo_server, page):
    url, _home = own_demo_server
    page.goto(url + "/front-door?period=2025-26&la=E08000021&gender=F")
    page.wait_for_selector("#card-referrals")
    page.click("#filter-details > summary")  # saved views are with the filters, folded away
    page.fill("#saved-view-name", "Girls referred, Newcastle")
    page.get_by_role("checkbox", name="Share with my role in my partnership").check()
    page.click("#saved-view-save")
    page.locator("#saved-view-status", has_text="Saved 'Girls referred, Newcastle' and shared").wait_for()

    page.goto(url + "/")
    page.wait_for_selector("#card-referrals")
    page.click("#filter-details > summary")
    _choose(page, "saved-view-open", "Girls referred, Newcastle (shared)")
    page.wait_for_url("**/front-door?period=2025-26&la=E08000021&gender=F")
    page.locator(
        "#filter-summary", has_text="Showing: 2025/26; Newcastle upon Tyne; gender: Female"
    ).wait_for()
    assert page.console_errors == []
