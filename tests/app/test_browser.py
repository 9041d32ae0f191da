"""True browser tests: Debian chromium driven by Playwright against the served app."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.app.axe import axe_violations
from tests.app.serving import add_test_users, serve
from tests.helpers import engine_results

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def annex_a_server(tmp_path_factory: pytest.TempPathFactory):
    """The app over a warehouse holding nothing but the Annex A sample, loaded as a user would."""
    from etl.pipeline import SourceOptions, run_load
    from warehouse.settings import Settings

    home = tmp_path_factory.mktemp("annex_a") / "home"
    sample = Path(__file__).resolve().parents[1] / "data" / "annex_a" / "Annex_A_2024_Jan.xlsx"
    outcomes = run_load([sample], Settings(home=home), source=SourceOptions(la_code="E08000021"))
    assert {o.status for o in outcomes} == {"loaded"}
    add_test_users(home)
    yield from serve(home, tmp_path_factory.mktemp("annex_a_server"))


def _warehouse(demo_home: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(demo_home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_brw001_data_page_shows_what_the_warehouse_holds(server, exact_page, demo_home):
    page = exact_page  # exact row counts: for roles that see exact figures
    page.goto(server + "/data")
    page.wait_for_selector("#overview-counts .ag-row")
    assert "Synthetic demo data" in page.inner_text(".banner-demo")
    [(last_load,)] = _warehouse(
        demo_home,
        "SELECT max(finished_at) FROM etl_load WHERE status IN ('loaded', 'loaded_with_rejections')",
    )
    assert (
        page.inner_text(".as-at")
        == f"Data as at 31 October 2026; last loaded {last_load.day} {last_load:%B %Y at %H:%M}"
    )
    [(newcastle_contacts,)] = _warehouse(
        demo_home, "SELECT count(*) FROM contact WHERE la_code = 'E08000021'"
    )
    row = page.locator("#overview-counts .ag-row", has_text="Newcastle upon Tyne").filter(has_text="Contacts")
    assert f"{newcastle_contacts:,}" in row.inner_text()
    assert (
        page.locator("#overview-counts .ag-center-cols-container .ag-row").count() == 10
    )  # its 1 LA x 10 datasets: social care's six (assessments too) and the partner packs' four
    assert page.locator("#filter-bar").is_hidden()  # the filters belong to the dashboards
    assert page.get_attribute("html", "lang") == "en-GB"
    assert page.console_errors == []


def test_brw002_data_page_lists_loads_and_shows_why_rows_were_rejected(server, exact_page, demo_home):
    page = exact_page
    page.goto(server + "/data")
    page.wait_for_selector("#data-loads-grid .ag-row")
    [(bad_load, rejected)] = _warehouse(
        demo_home, "SELECT load_id, rows_rejected FROM etl_load WHERE rows_rejected > 0"
    )
    # the loads are listed newest first by when they finished, 25 a page: the demo's bad file, loaded
    # last of its extracts, is on the first page, above the demo's submissions made in the years before
    bad_row = page.locator("#data-loads-grid .ag-center-cols-container .ag-row", has_text="contacts_bad_rows")
    bad_row.click()
    title = page.locator("#data-rejections-title")
    title.filter(has_text=f"Rejections of load {bad_load}").wait_for()
    rows = page.locator("#data-rejections-grid-table .ag-center-cols-container .ag-row")
    rows.first.wait_for()
    assert rows.count() == rejected == 6
    assert "is not a known code" in page.inner_text("#data-rejections-grid-table")
    # the load is listed with names and flagged, and no status or time is cut short
    flagged = page.locator("#data-loads-grid .ag-row", has_text="⚠ Loaded with rejections")
    assert "Contacts" in flagged.first.inner_text() and "Newcastle upon Tyne" in flagged.first.inner_text()
    cut_short = page.evaluate(
        """() => [...document.querySelectorAll('#data-loads-grid .ag-cell, #data-loads-grid .ag-header-cell-text')]
              .filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.innerText)"""
    )
    assert cut_short == []
    with page.expect_download() as download:
        page.click("#data-rejections-export")
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "load_id,file_name,row_number,field,value,rule,message" and len(lines) == 1 + rejected
    assert page.console_errors == []


def test_brw003_unknown_address_says_not_found(server, page):
    page.goto(server + "/no-such-page")
    page.wait_for_selector("h1")
    assert page.inner_text("h1") == "Page not found"


def test_brw004_executive_cards_show_the_engine_figures_for_the_url(server, page, demo_home):
    from warehouse.kpis.engine import Filters
    from warehouse.kpis.formatting import format_figure
    from warehouse.kpis.registry import EXECUTIVE_KPIS

    page.goto(server + "/?period=2025-26&la=E08000021")
    page.wait_for_selector("#card-referrals")
    expected = engine_results(demo_home, EXECUTIVE_KPIS, "2025-26", Filters(la_codes=("E08000021",)))
    for kpi_id, result in expected.items():
        assert page.inner_text(f"#card-{kpi_id} .card-value") == format_figure(result.kpi, result.current), (
            kpi_id
        )
    assert page.inner_text("#filter-summary") == "Showing: 2025/26; Newcastle upon Tyne"
    # 2025/26 is not published yet: the card says which year it compares with
    assert "England 22.6%" in page.inner_text("#card-re_referral_12m")
    assert "2024/25, latest published" in page.inner_text("#card-re_referral_12m")
    assert page.locator("#card-re_referral_12m .rag").count() == 1
    assert page.console_errors == []


def test_brw005_a_filter_change_updates_the_url_and_the_figures_and_back_restores_them(
    server, page, demo_home
):
    from warehouse.kpis.engine import Filters
    from warehouse.kpis.formatting import format_figure

    page.goto(server + "/?period=2025-26&la=E08000021")
    page.wait_for_selector("#card-referrals")
    before = page.inner_text("#card-referrals .card-value")
    page.click("#filter-details > summary")  # the controls are folded under the summary line
    page.locator("#filter-gender").get_by_role("checkbox", name="Female").check()
    page.wait_for_url("**gender=F**")
    female = engine_results(
        demo_home, ["referrals"], "2025-26", Filters(la_codes=("E08000021",), gender=("F",))
    )
    wanted = format_figure(female["referrals"].kpi, female["referrals"].current)
    page.locator("#card-referrals .card-value", has_text=wanted).wait_for()
    assert "gender: Female" in page.inner_text("#filter-summary")
    # a copied link opens the same view
    copy = page.context.new_page()
    copy.goto(page.url)
    copy.locator("#card-referrals .card-value", has_text=wanted).wait_for()
    copy.close()
    page.go_back()
    page.locator("#card-referrals .card-value", has_text=before).wait_for()
    assert "gender" not in page.url
    assert page.console_errors == []


def test_brw006_values_the_scope_does_not_allow_are_dropped_from_the_url(server, page):
    page.goto(server + "/?period=2025-26&la=E09000001&gender=<script>")
    page.wait_for_selector("#card-referrals")
    assert page.inner_text("#filter-summary") == (
        "Showing: 2025/26; Newcastle upon Tyne\n"  # the scope's first LA, written into the URL
        "This link also asked for 1 local authority and 1 gender value that your account does not cover: "
        "the figures leave them out."
    )
    assert page.url.endswith("?period=2025-26&la=E08000021")


def test_brw027_the_la_is_always_in_the_url_and_an_account_lands_on_its_last_choice(server, page):
    page.goto(server + "/")  # an account of two LAs, with no choice yet: the first, in the URL
    page.locator("#filter-summary", has_text="Newcastle upon Tyne").wait_for()
    page.wait_for_function("location.search.includes('la=E08000021')")
    page.goto(server + "/?la=E06000057")
    page.locator("#filter-summary", has_text="Northumberland").wait_for()
    page.goto(server + "/front-door")  # a bare address: the last choice
    page.locator("#filter-summary", has_text="Northumberland").wait_for()
    page.wait_for_function("location.search.includes('la=E06000057')")
    page.goto(server + "/?la=E06000057&la=E08000021")  # the partnership total, on request
    page.locator("#filter-summary", has_text="Northumberland, Newcastle upon Tyne").wait_for()
    page.goto(server + "/missing")
    page.locator("#filter-summary", has_text="Northumberland, Newcastle upon Tyne").wait_for()
    assert page.console_errors == []


@pytest.mark.parametrize("path", ["/front-door", "/s47-icpc", "/cp-plans", "/missing"])
def test_brw007_operational_pages_render_cards_trends_breakdowns_and_grid(server, page, path):
    page.goto(server + path + "?period=2025-26&la=E08000021")
    page.wait_for_selector(".kpi-card")
    page.locator(".chart .js-plotly-plot").nth(2).wait_for()  # Plotly draws after the table at times
    assert page.locator(".chart .js-plotly-plot").count() >= 3  # two trends and at least one breakdown
    assert page.locator(".figures-table tbody tr").count() == 25  # 25 months
    assert page.console_errors == []


def test_brw008_the_monthly_grid_downloads_as_csv_with_the_engine_figures(server, page, demo_home):
    import csv
    import io

    from warehouse.kpis.engine import Filters
    from warehouse.kpis.formatting import format_figure

    page.goto(server + "/front-door?period=2025-26&la=E08000021")
    page.wait_for_selector("#front-door-grid tbody tr")
    with page.expect_download() as download:
        page.click("#front-door-export")
    assert download.value.suggested_filename == "front-door-2025-26.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert len(rows) == 25 and rows[0]["Month"] == "March 2026" and rows[-1]["Month"] == "March 2024"
    engine = engine_results(demo_home, ["referrals"], "2025-26", Filters(la_codes=("E08000021",)))[
        "referrals"
    ]
    march = engine.series[-1]
    assert rows[0]["Referrals"] == format_figure(engine.kpi, march)


def test_brw009_benchmarks_page_shows_published_figures_and_keeps_the_kpi_in_the_url(server, page):
    page.goto(server + "/benchmarks?la=E08000021&kpi=re_referral_12m")
    page.wait_for_selector("#benchmarks-years-grid .ag-row")
    # c1 file, time_period 2025: Newcastle upon Tyne 17.2, England 22.6, North East 20.7
    latest = page.locator("#benchmarks-years-grid .ag-row", has_text="2024/25").first.inner_text()
    assert "17.2%" in latest and "22.6%" in latest and "20.7%" in latest and "2 of 11 (1 = best)" in latest
    page.select_option("#benchmarks-kpi", label="ICPCs within 15 working days")
    page.wait_for_url("**kpi=icpc_15wd**")
    # c4 file, time_period 2024, Newcastle: (55 + 330) / 483 = 79.7%
    page.locator("#benchmarks-years-grid .ag-row", has_text="2023/24").filter(has_text="79.7%").wait_for()
    assert page.console_errors == []


def test_brw010_meeting_pack_pdf_has_the_cover_and_sections_with_the_engine_values(
    server, page, demo_home, tmp_path
):
    from pypdf import PdfReader

    from warehouse.kpis.engine import Filters
    from warehouse.kpis.formatting import format_figure
    from warehouse.kpis.registry import EXECUTIVE_KPIS

    page.goto(server + "/pack?period=2025-26&la=E08000021")
    page.wait_for_selector(".pack-cover")
    page.get_by_role("checkbox", name="CP plans").check()
    page.wait_for_url("**section=cp-plans**")
    page.locator('#pack-pdf[href*="section=cp-plans"]').wait_for()
    with page.expect_download(timeout=60_000) as download:
        page.click("#pack-pdf")
        # while the server prints it, the link says so
        page.locator(".pdf-status", has_text="Preparing the PDF").wait_for()
    page.locator(".pdf-status", has_text="The PDF is downloaded.").wait_for()
    assert download.value.suggested_filename == "meeting-pack.pdf"
    pdf = tmp_path / "meeting-pack.pdf"
    download.value.save_as(pdf)
    # Its pages as images, to look at (pytest --basetemp keeps them); the text checked below.
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "page")], check=True)
    reader = PdfReader(pdf)
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert len(reader.pages) >= 3  # cover, executive summary, CP plans
    assert "Period: 2025/26" in text and "Showing: 2025/26; Newcastle upon Tyne" in text
    assert "Data as at 31 October 2026" in text
    engine = engine_results(
        demo_home, EXECUTIVE_KPIS + ("cp_starts",), "2025-26", Filters(la_codes=("E08000021",))
    )
    for result in engine.values():
        assert format_figure(result.kpi, result.current) in text, result.kpi.id
    assert "CP plans started" in text
    # Print fit to circulate: a cover with the partnership, its glance and contents; every page
    # marked, numbered and dated in its header and footer; no app chrome.
    pages = [p.extract_text() for p in reader.pages]
    assert "Newcastle upon Tyne safeguarding children partnership" in pages[0] and "Contents" in pages[0]
    assert "1. Executive summary: 8 KPIs" in pages[0] and "2. CP plans:" in pages[0]
    printed = f"Printed {date.today().day} {date.today():%B %Y}; data as at 31 October 2026"
    for number, page_text in enumerate(pages, start=1):
        assert page_text.count("OFFICIAL-SENSITIVE") >= 2, number  # at the top and the foot
        assert f"Page {number} of {len(pages)}" in page_text and printed in page_text
    assert "Sign out" not in text and "Safeguarding performance" not in text
    # No page wasted, as the printed pages show (pdftoppm above): the cover holds the contents and
    # the SPC key; the executive summary's 8 cards, 4 a page; then CP plans follows on a page of its
    # own (its heading, its 2 cards not in the executive summary: no card is printed twice, and its
    # first trend, which fit nowhere earlier); its other trend shares the last page with the
    # submissions, whose 12 rows are whole.
    flat = [" ".join(page_text.split()) for page_text in pages]
    assert len(pages) == 5
    assert "What the SPC icons mean" in flat[0] and "Too few points for SPC" in flat[0]
    titles = [engine[kpi_id].kpi.title for kpi_id in EXECUTIVE_KPIS]
    assert flat[1].startswith(f"Executive summary {titles[0]}")
    for number, title in enumerate(titles):
        assert title in flat[1 + number // 4], title
    assert "CP plans started" not in flat[1] + flat[2]
    assert flat[3].startswith("CP plans Also on this dashboard, earlier in the pack: Children on a CP plan")
    assert "CP plans started" in flat[3] and "Children on a CP plan, monthly" in flat[3]
    assert "Repeat CP plans, monthly" in flat[4] and "Submissions" in flat[4]
    # every submission row (its period, then its due date), none run over to another page
    assert flat[4].count(" 2025/26 20 ") == 12


def test_brw010b_a_packs_dashboard_section_spaces_its_cards_from_its_charts(server, page):
    """The cards of a dashboard in the pack end a card's gap above its charts, on screen and in
    print (they touched: the charts' top was the cards' bottom)."""
    page.goto(server + "/pack?period=2025-26&la=E08000021&section=cp-plans")
    page.locator("#pack-cp-plans .chart-grid .main-svg").first.wait_for()
    space = """() => {
        const cards = document.querySelector('#pack-cp-plans .card-grid'), charts = cards.nextElementSibling;
        const lowest = Math.max(...[...cards.children].map(card => card.getBoundingClientRect().bottom));
        return [charts.className, charts.getBoundingClientRect().top - lowest, parseFloat(getComputedStyle(cards).rowGap)];
    }"""
    assert page.evaluate(space) == ["chart-grid", 16, 16]  # 1rem, as between two rows of cards
    page.emulate_media(media="print")
    assert page.evaluate(space) == ["chart-grid", pytest.approx(9.6, abs=0.1), pytest.approx(9.6, abs=0.1)]


@pytest.mark.parametrize(
    ("path", "printed"),
    [
        ("/pack", "Showing: 2025/26; Newcastle upon Tyne"),
        # the report's own period: the 6 months ending with the filter's (2025/26 ends in March 2026)
        ("/exceptions", "Showing: 6 months to March 2026 (Oct 2025 to Mar 2026); Newcastle upon Tyne"),
        ("/records", "Showing: 2025/26; Newcastle upon Tyne"),
    ],
)
def test_brw010c_a_board_page_says_what_it_shows_once_on_screen_and_once_in_print(
    server, page, path, printed
):
    """On screen the filter bar's summary says what the page shows, and the page does not say it
    again under it (it did, on these three); the bar is not printed, so the page's own line is."""
    page.goto(server + path + "?period=2025-26&la=E08000021")
    page.locator("#filter-summary", has_text="Showing:").wait_for()
    page.wait_for_selector("#main h1")
    page.wait_for_load_state("networkidle")

    def showing() -> list[str]:
        return [line for line in page.inner_text("body").split("\n") if "Showing:" in line]

    assert showing() == ["Showing: 2025/26; Newcastle upon Tyne"]
    assert page.locator("#filter-summary").is_visible()
    page.emulate_media(media="print")
    assert showing() == [printed]
    assert page.locator("#filter-summary").is_hidden()


def test_brw029_a_page_being_drawn_says_so_and_its_charts_say_so_until_drawn(server, page):
    from app.main import LOADING_WORDS

    # The page's drawing (Dash's router callback) and Plotly's script are held, as on a slow server
    # and a slow link, and let go one after the other.
    held: dict[str, list] = {"page": [], "charts": []}

    def hold_the_page(route):
        if '"_pages_content"' in (route.request.post_data or ""):
            held["page"].append(route)
        else:
            route.continue_()

    page.route("**/_dash-update-component*", hold_the_page)
    page.route("**/async-graph.js*", lambda route: held["charts"].append(route))
    page.goto(server + "/front-door?la=E08000021", wait_until="commit")
    status = page.locator("#main [role=status]")
    status.wait_for()
    assert status.inner_text() == LOADING_WORDS == "Loading the page\u2026"
    assert page.locator("#main h1").count() == 0 and held["page"]
    assert axe_violations(page) == []  # the page while it loads passes the accessibility rules too

    [route.continue_() for route in held["page"]]
    page.locator("#main h1", has_text="Front door").wait_for()
    assert page.locator("#main [role=status].page-loading").count() == 0
    # the cards are drawn, their sparklines and the trends not yet: each chart's box says so
    before = "el => getComputedStyle(el, '::before').content"
    pending = page.locator(".dash-graph")
    assert pending.count() > 0 and held["charts"]
    assert set(pending.evaluate_all(f"els => els.map({before})")) == {'"Loading the chart\u2026"'}

    [route.continue_() for route in held["charts"]]
    page.locator(".dash-graph .main-svg").first.wait_for()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.querySelectorAll('.dash-graph:not(:has(.main-svg))').length") == 0
    assert set(pending.evaluate_all(f"els => els.map({before})")) == {"none"}
    assert page.console_errors == []


def test_brw028_a_pdf_the_server_cannot_make_now_says_why_on_the_page(server, page):
    from app.page_pdf import BUSY

    page.goto(server + "/pack?period=2025-26&la=E08000021")
    page.wait_for_selector(".pack-cover")
    page.route("**/pack.pdf*", lambda route: route.fulfill(status=503, body=BUSY, content_type="text/plain"))
    page.click("#pack-pdf")
    page.locator(".pdf-status", has_text="could not be made").wait_for()
    assert page.inner_text(".pdf-status") == "The PDF could not be made: " + BUSY
    assert page.get_attribute("#pack-pdf", "aria-disabled") is None  # it can be asked for again


def test_brw011_a_click_on_a_bar_drills_down_and_the_breadcrumb_steps_back(server, page, demo_home):
    from warehouse.kpis.engine import Filters
    from warehouse.kpis.formatting import format_figure

    page.goto(server + "/front-door?period=2025-26&la=E08000021")
    page.wait_for_selector(".kpi-card")
    chart = page.locator('.chart:has(.chart-title:text-matches("^Referrals by source"))')
    chart.scroll_into_view_if_needed()
    box = chart.locator(".bars .point").first.bounding_box()  # the largest source: police
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**agency=Police**")
    police = engine_results(
        demo_home, ["referrals"], "2025-26", Filters(la_codes=("E08000021",), agency=("Police",))
    )
    page.locator(
        "#card-referrals .card-value",
        has_text=format_figure(police["referrals"].kpi, police["referrals"].current),
    ).wait_for()
    page.click(".crumb:has-text('agency: Police')")
    page.wait_for_url(lambda url: "agency" not in url)
    assert page.console_errors == []


def test_brw012_a_click_on_a_trend_point_shows_that_month(server, page):
    page.goto(server + "/s47-icpc?period=2025-26&la=E08000021")
    page.wait_for_selector(".kpi-card")
    chart = page.locator('.chart:has(.chart-title:text-matches("^Section 47 enquiries, monthly"))')
    chart.scroll_into_view_if_needed()
    points = chart.locator(".scatterlayer .point")
    box = points.last.bounding_box()  # March 2026
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**period=2026-03**")
    page.locator("#filter-summary", has_text="Showing: March 2026; Newcastle upon Tyne").wait_for()
    page.click("#filter-details > summary")
    assert page.eval_on_selector("#filter-period-kind", "select => select.selectedOptions[0].text") == "Month"


def test_a_period_kind_chosen_lists_its_own_periods_to_end_on(server, page):
    """Quarter chosen in the filter bar: the Ending list is quarters at once, not the 12-month periods it
    listed, and a quarter picked from it is the one shown. The 12 months to September 2025 become the
    quarter that ends with them, Q2 2025/26."""
    page.goto(server + "/front-door?period=R12-2025-09&la=E08000021")
    page.wait_for_selector(".kpi-card")
    page.click("#filter-details > summary")
    page.select_option("#filter-period-kind", "quarter")
    page.wait_for_url("**period=2025-26-Q2**")
    page.wait_for_function(
        "() => [...document.querySelector('#filter-period').options].every(o => !o.value || /^Q[1-4] /.test(o.text))"
    )
    page.select_option("#filter-period", "2025-26-Q1")
    page.wait_for_url("**period=2025-26-Q1**")
    page.locator("#filter-summary", has_text="Showing: Q1 2025/26; Newcastle upon Tyne").wait_for()
    assert page.console_errors == []


def test_the_navigation_keeps_the_filters_and_drops_what_a_page_chose(server, page):
    """Newcastle, Q2 and girls on the front door, with SPC charts; the CP plans link opens with the
    same filters (not the chart choice), and so does the pack once there."""
    page.goto(server + "/front-door?period=2025-26-Q2&la=E08000021&gender=F&chart=spc")
    page.locator("#filter-summary", has_text="gender: Female").wait_for()
    # once the links follow; the pages are in menus (closed until their name is clicked)
    page.locator(".nav-link[href*='gender=F']:text-is('CP plans')").wait_for(state="attached")
    page.click(".nav-group-name:text-is('Dashboards')")
    page.click(".nav-link:text-is('CP plans')")
    page.wait_for_url("**/cp-plans?**")
    assert page.url.endswith("/cp-plans?period=2025-26-Q2&la=E08000021&gender=F")
    page.locator("#filter-summary", has_text="Newcastle upon Tyne; gender: Female").wait_for()
    # The menu closed on the choice, and it and its page are marked as where the user is.
    assert page.locator(".nav-group[open]").count() == 0
    assert page.locator(".nav-link[aria-current=page]").all_text_contents() == ["CP plans"]
    assert page.locator(".nav-group-current > summary").all_text_contents() == ["Dashboards"]
    page.locator(".nav-link[href*='gender=F']:text-is('Meeting pack')").wait_for(state="attached")
    page.click(".nav-group-name:text-is('Board')")
    page.keyboard.press("Escape")  # closes the menu, back on its name
    assert page.locator(".nav-group[open]").count() == 0
    page.keyboard.press("Enter")
    page.click(".nav-link:text-is('Meeting pack')")
    page.wait_for_url("**/pack?**")
    assert "la=E08000021" in page.url and "gender=F" in page.url and "period=2025-26-Q2" in page.url
    assert page.console_errors == []


def test_brw016_the_first_tab_reaches_a_skip_link_that_goes_past_the_navigation(server, page):
    page.goto(server + "/front-door?la=E08000021")
    page.wait_for_selector("#main h1")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the page"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the next stop is in the page, not the navigation or the filters
    assert page.evaluate("document.activeElement.closest('#main') !== null")


def test_brw014_a_card_opens_the_records_behind_its_figure(server, exact_page, demo_home):
    from warehouse.kpis.engine import Filters
    from warehouse.kpis.suppression import NO_SUPPRESSION

    page = (
        exact_page  # record lists are for roles that see exact figures (tests/app/test_disclosure_attacks.py)
    )
    page.goto(server + "/front-door?period=2025-26&la=E08000021&gender=F")
    page.wait_for_selector("#card-re_referral_12m")
    page.click("#card-re_referral_12m a.card-link")
    page.wait_for_url("**/records?**kpi=re_referral_12m**")
    expected = engine_results(
        demo_home,
        ["re_referral_12m"],
        "2025-26",
        Filters(la_codes=("E08000021",), gender=("F",)),
        NO_SUPPRESSION,
    )["re_referral_12m"].current.numerator
    page.get_by_text(f"{expected:,} records.").wait_for()
    page.locator("#records-grid .ag-row").first.wait_for()  # the grid's script loads with the first grid
    assert page.locator("#records-grid .ag-row").count() == min(expected, 25)
    assert page.console_errors == []


def test_brw015_a_loaded_annex_a_workbook_shows_on_the_front_door_like_a_native_extract(
    annex_a_server, exact_page
):
    import openpyxl

    sample = Path(__file__).resolve().parents[1] / "data" / "annex_a" / "Annex_A_2024_Jan.xlsx"
    book = openpyxl.load_workbook(sample, data_only=True)
    contacts = [r for r in book["List 1"].iter_rows(min_row=2, values_only=True) if r[0] is not None]
    referrals = [r for r in book["List 3"].iter_rows(min_row=2, values_only=True) if r[0] is not None]
    # every contact and referral of the sample is dated 16 September 2020
    assert {r[5].date() for r in contacts + referrals} == {date(2020, 9, 16)}
    assert (len(contacts), len(referrals)) == (5, 6)
    # the return's latest date is in February 2021, so the default period is the 12 months to January;
    # the return covers 16 September 2020 on, so that period has no data until September
    page = exact_page  # the data team sees the exact 5 and 6; a protected role would see c and 5 or 10
    page.goto(annex_a_server + "/front-door?la=E08000021")
    page.locator("#card-contacts .card-value", has_text="no data").wait_for()
    assert page.inner_text("#card-contacts .card-no-data") == "Contacts not loaded for Feb 2020 to Aug 2020"
    assert page.inner_text("#filter-summary") == (
        "Showing: 12 months to January 2021 (Feb 2020 to Jan 2021); Newcastle upon Tyne"
    )
    page.goto(annex_a_server + "/front-door?la=E08000021&period=2020-09")
    page.locator("#card-contacts .card-value", has_text="5").wait_for()
    assert page.inner_text("#card-contacts .card-value") == "5"
    assert page.inner_text("#card-referrals .card-value") == "6"
    page.goto(annex_a_server + "/data")
    page.wait_for_selector("#data-loads-grid .ag-row")
    assert "Annex_A_2024_Jan.xlsx (List 7)" in page.inner_text("#data-loads-grid")
    assert page.console_errors == []
