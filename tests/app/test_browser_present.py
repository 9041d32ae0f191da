"""Presentation mode, driven by the keyboard as a chair would on a projector: no app chrome, the
headline first, then one KPI card at a time in the executive set's order."""

from __future__ import annotations

from warehouse.kpis.registry import EXECUTIVE_KPIS, get_kpi


def test_the_summarys_first_screen_on_a_projector_shows_four_kpis_with_their_rag(server, page):
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(server + "/?period=2025-26&la=E08000021")
    page.wait_for_selector("#executive-cards .card-value")
    on_screen = page.evaluate(
        """() => [...document.querySelectorAll('#executive-cards .kpi-card')]
            .filter(card => card.querySelector('.rag') && card.querySelector('.rag').getBoundingClientRect().bottom <= 768)
            .length"""
    )
    assert on_screen >= 4


def test_the_keyboard_steps_through_the_headline_then_each_kpi(server, page):
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(server + "/?period=2025-26&la=E08000021&gender=F")
    page.click("text=Present (one KPI at a time, for a projector)")
    page.wait_for_url("**/present?period=2025-26&la=E08000021&gender=F")
    page.goto(server + "/present?period=2025-26&la=E08000021")
    page.locator("#presentation-position", has_text=f"1 of {len(EXECUTIVE_KPIS) + 1}").wait_for()
    assert page.locator(".app-header").is_hidden() and page.locator("#filter-bar").is_hidden()
    visible = page.locator(".slide:visible")
    assert visible.count() == 1 and "Executive summary" in visible.inner_text()
    assert "KPIs with a target" in visible.inner_text() or "No KPI here has a target" in visible.inner_text()
    for number, kpi_id in enumerate(EXECUTIVE_KPIS, start=2):
        page.keyboard.press("ArrowRight")
        page.locator("#presentation-position", has_text=f"{number} of").wait_for()
        assert page.locator(".slide:visible").count() == 1
        assert page.locator(".slide:visible .card-title").inner_text().startswith(get_kpi(kpi_id).title)
    page.keyboard.press("ArrowRight")  # past the last slide it stays on the last
    page.locator("#presentation-position", has_text=f"{len(EXECUTIVE_KPIS) + 1} of").wait_for()
    page.keyboard.press("Home")
    page.locator("#presentation-position", has_text="1 of").wait_for()
    page.click("#presentation-next")
    page.locator("#presentation-position", has_text="2 of").wait_for()
    page.click("text=Leave the presentation")
    page.wait_for_url("**/?period=2025-26&la=E08000021")
    assert page.console_errors == []


# Where each part of the slide shown is, and whether anything scrolls: the page, or the slide in its box.
_SLIDE_PLACES = """() => {
    const slide = document.querySelector('.slide:not([hidden])'), box = document.querySelector('.slides');
    const bottom = selector => { const e = slide.querySelector(selector); return e ? e.getBoundingClientRect().bottom : null; };
    return {
        pageHeight: document.documentElement.scrollHeight, pageWidth: document.documentElement.scrollWidth,
        slideScrolls: box.scrollHeight > box.clientHeight, slideBottom: slide.getBoundingClientRect().bottom,
        value: bottom('.card-value'), rag: bottom('.rag'),
        controlsTop: document.querySelector('.slide-controls').getBoundingClientRect().top,
        controlsBottom: document.querySelector('.slide-controls').getBoundingClientRect().bottom,
    };
}"""


def test_every_slide_fits_a_projector_and_a_phone_without_scrolling(server, page):
    """At 1024x768 and at 390x844 nothing scrolls: each slide, its value and its RAG sit above the
    controls, and the controls at the foot of the screen (the page was 850 px tall on a 768 screen,
    82 px under its foot: the page's frame around a presentation 100% of the screen high)."""
    from appstate.targets import DEMO_TARGETS

    slides = len(EXECUTIVE_KPIS) + 1
    for width, height in ((1024, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(server + "/present?period=2025-26&la=E08000021")
        page.locator("#presentation-position", has_text=f"1 of {slides}").wait_for()
        for number in range(1, slides + 1):
            if number > 1:
                page.keyboard.press("ArrowRight")
                page.locator("#presentation-position", has_text=f"{number} of").wait_for()
            at = page.evaluate(_SLIDE_PLACES)
            where = (width, height, number)
            assert at["pageHeight"] <= height and at["pageWidth"] <= width, where
            assert not at["slideScrolls"] and at["slideBottom"] <= at["controlsTop"] + 1, where
            assert at["controlsBottom"] <= height + 1, where
            if number == 1:
                continue
            kpi_id = EXECUTIVE_KPIS[number - 2]
            assert at["value"] is not None and at["value"] <= at["controlsTop"], where
            if kpi_id in DEMO_TARGETS:  # a KPI with a target has its RAG on the slide, in view
                assert at["rag"] is not None and at["rag"] <= at["controlsTop"], (where, kpi_id)
    assert page.console_errors == []
