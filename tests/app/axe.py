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


# The dashboards drawn by the front door's template (app/operational.py): the admin's pass opens
# each (its console, its reflow) and checks the front door's markup with axe.
FRONT_DOOR_TEMPLATE = {
    "/s47-icpc",
    "/cp-plans?la=E06000057",
    "/missing?care=In+care",
    "/early-help-episodes?la=E08000021",
}

# One page of each layout, checked with axe at 320 px as well: every page's reflow is checked there.
NARROW_LAYOUTS = [
    "/?period=2025-26&la=E08000021",
    "/front-door?la=E08000021&chart=spc",
    "/scorecard?la=E08000021",
    "/meetings",
]

# The pages whose forms are drawn, or not, by the viewer's role: each other role opens each of them
# for the errors a callback logs when it writes to a form that role's page does not have.
FORM_PAGES = {
    "/meetings",
    "/submissions",
    "/data",
    "/records?kpi=referrals&la=E08000021",
    "/targets",
    "/challenges",
    "/actions",
    "/risks",
    "/reviews",
    "/commentary?kpi=icpc_15wd&la=E08000021&period=2025-26",
}

# Where a role's markup differs from the admin's, so axe checks the page again as that role sees
# it: its forms (or their absence) and its figures (rounded for the roles that see protected
# ones).
ROLE_MARKUP = {
    "test-exec": [
        "/?period=2025-26&la=E08000021",
        "/front-door?la=E08000021&chart=spc",
        "/meetings",
        "/actions",
    ],
    "test-partner": [
        "/submissions",
        "/commentary?kpi=icpc_15wd&la=E08000021&period=2025-26",
        "/challenges",
        "/records?kpi=referrals&la=E08000021",
    ],
    "test-data": ["/data", "/records?kpi=referrals&la=E08000021", "/targets", "/reviews", "/risks"],
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
    server: str, page, paths: list[str], axe_at: dict[int, set[str]] | None = None
) -> tuple[dict, dict, dict]:
    """Each page's axe violations at each width it is checked at, the pages wider than a narrower
    window (WCAG 1.4.10 Reflow: everything reads top to bottom; only a table of many columns, the
    scorecard or a grid, scrolls inside its own box), and the errors each page logged in the
    browser's console (a callback that fails for a role: one writing to a form that role's page does
    not have). `axe_at` gives the pages axe checks at each width (every page at 1440 when None); a
    page is opened at 1440 px and laid out again for each narrower width, where its reflow is
    checked, and the colours and the controls' sizes where axe checks it."""
    from axe_playwright_python.sync_playwright import Axe

    axe_at = axe_at if axe_at is not None else {1440: set(paths)}
    axe = Axe()
    violations, too_wide, console_errors = {}, {}, {}
    for path in paths:
        page.console_errors.clear()
        page.set_viewport_size({"width": 1440, "height": 900})
        page.goto(server + path)
        page.wait_for_selector("#main h1, .presentation h1")
        page.wait_for_load_state("networkidle")
        for width in sorted(axe_at, reverse=True):
            if width != 1440:
                page.set_viewport_size({"width": width, "height": 640})
                scroll_width = settled_scroll_width(page, width)
                if scroll_width > width:
                    too_wide[path] = scroll_width
            if path in axe_at[width] and (found := axe_violations(page, axe)):
                violations[f"{path} at {width} px"] = found
        # a page not found is one: the browser says so of its 404
        logged = [e for e in page.console_errors if not (path == NOT_FOUND and "404" in e)]
        if logged:
            console_errors[path] = logged
    return violations, too_wide, console_errors
