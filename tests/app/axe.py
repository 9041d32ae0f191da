"""axe-core's check of a page against WCAG 2.2 AA, as every browser test that asks it runs it."""

from __future__ import annotations

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]  # axe's tags for its rules


def axe_violations(page, axe=None) -> list[tuple[str, list, str]]:
    """Each violation on the page as it is drawn now: (rule, where, the element's markup). Only the
    violations: axe skips gathering what passes, which halves its time."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]}
    return [
        (violation["id"], node["target"], node["html"][:120])
        for violation in (axe or Axe()).run(page, options=options).response["violations"]
        for node in violation["nodes"]
    ]


NOT_FOUND = "/no-such-page"

# Every page, with the filters that give it the most to draw.
EVERY_PAGE = [
    "/?period=2025-26&la=E08000021",
    "/front-door?la=E08000021&chart=spc",
    "/s47-icpc",
    "/cp-plans?la=E06000057",
    "/missing?care=In+care",
    "/early-help-episodes?la=E08000021",  # a partner pack's records
    "/children-in-need-and-care?la=E08000021",  # published figures only
    "/health?la=E08000021",  # figures agencies submit
    "/benchmarks",
    "/pack",
    "/meetings",  # the forms each role has
    "/present?la=E08000021",
    "/data",
    "/submissions",
    "/records?kpi=referrals&la=E08000021",
    "/scorecard?la=E08000021",
    "/exceptions?la=E08000021",
    "/targets",
    "/challenges",
    "/actions",
    "/risks",
    "/reviews",
    "/audit",
    "/commentary?kpi=icpc_15wd&la=E08000021&period=2025-26",
    NOT_FOUND,
    "/annual-report?la=E08000021",
]


# What only the admin's run checks: the dashboards drawn by the same template as the front door
# (app/operational.py), and the pages whose markup is the same for every role (the benchmarks,
# presentation mode, a page not found); each other role checks the front door and every other page,
# as its permissions and scope draw them.
ONE_TEMPLATE = {
    "/s47-icpc",
    "/cp-plans?la=E06000057",
    "/missing?care=In+care",
    "/early-help-episodes?la=E08000021",
    "/children-in-need-and-care?la=E08000021",
    "/health?la=E08000021",
    "/benchmarks",
    "/present?la=E08000021",
    NOT_FOUND,
}


def settled_scroll_width(page, width: int, patience_ms: int = 5000) -> int:
    """The page's width once Plotly has redrawn its charts for a narrower window: it waits a pause
    of its own before it does, longer on a busy machine (the page's CSP rules out wait_for_function)."""
    for _ in range(patience_ms // 100):
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width <= width:
            break
        page.wait_for_timeout(100)
    return scroll_width


def pages_violations(
    server: str, page, paths: list[str], widths: tuple[int, ...] = (1440,)
) -> tuple[dict, dict, dict]:
    """Each page's axe violations at each width, the pages wider than a narrower window (WCAG
    1.4.10 Reflow: everything reads top to bottom; only a table of many columns, the scorecard or a
    grid, scrolls inside its own box), and the errors each page logged in the browser's console (a
    callback that fails for a role: one writing to a form that role's page does not have). A page is
    opened at 1440 px and laid out again for each narrower width, where the colours and the
    controls' sizes are checked again."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    violations, too_wide, console_errors = {}, {}, {}
    for path in paths:
        page.console_errors.clear()
        page.set_viewport_size({"width": 1440, "height": 900})
        page.goto(server + path)
        page.wait_for_selector("#main h1, .presentation h1")
        page.wait_for_load_state("networkidle")
        for width in widths:
            if width != 1440:
                page.set_viewport_size({"width": width, "height": 640})
                scroll_width = settled_scroll_width(page, width)
                if scroll_width > width:
                    too_wide[path] = scroll_width
            found = axe_violations(page, axe)
            if found:
                violations[f"{path} at {width} px"] = found
        # a page not found is one: the browser says so of its 404
        logged = [e for e in page.console_errors if not (path == NOT_FOUND and "404" in e)]
        if logged:
            console_errors[path] = logged
    return violations, too_wide, console_errors
