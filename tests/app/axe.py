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
