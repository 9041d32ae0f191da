"""KPIs over figures agencies submit, on the pages of the demo home: a card shows the quarter's figure
as the warehouse holds it, a late return says who has not submitted which quarter, and the records
page lists the submitted figures part by part for a role that sees exact figures."""

from __future__ import annotations

from datetime import date

import duckdb

from tests.app.serving import find_component, page_layout, signed_in

CITY, COUNTY = "E08000021", "E06000057"
Q2 = "2026-27-Q2"  # July to September 2026: the latest quarter due by the demo's 25 November 2026


def _text(node) -> str:
    """The text a person reads in a layout as Dash sends it to the browser."""
    if isinstance(node, str):
        return node
    if isinstance(node, list):
        return " ".join(_text(child) for child in node)
    if isinstance(node, dict):
        return _text(node.get("props", {}).get("children") or "")
    return ""


def _submitted(demo_home, la_code: str, measure: str) -> dict[str, float]:
    """A measure's current figures for Q2 2026/27, part by part, read straight from the warehouse."""
    with duckdb.connect(str(demo_home / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            "SELECT part, value FROM current_figure WHERE la_code = ? AND measure = ? AND period_start = ?",
            [la_code, measure, date(2026, 7, 1)],
        ).fetchall()
    return dict(rows)


def test_a_figures_card_shows_the_quarters_submitted_figure(demo_app, demo_home):
    client = signed_in(demo_app.server.test_client(), "test-data")  # exact figures
    layout = page_layout(client, "/health", f"?la={CITY}&period={Q2}")
    card = _text(find_component(layout, "card-crisis_24h"))
    seen = _submitted(demo_home, CITY, "crisis_team_seen_24h")[""]
    referrals = _submitted(demo_home, CITY, "crisis_team_referrals")[""]
    assert f"{seen / referrals * 100:.1f}%" in card and f"{seen:,.0f} of {referrals:,.0f}" in card
    assert "Q2 2026/27" in card and "local definition" in card and "Too few points for SPC" in card
    self_harm = _text(find_component(layout, "card-self_harm_u18"))
    ages = _submitted(demo_home, CITY, "self_harm_u18")
    assert set(ages) == {"0-12", "13-15", "16-17"}
    assert f"{sum(ages.values()):,.0f}" in self_harm  # the whole is the sum of the ages submitted


def test_a_late_return_says_who_has_not_submitted_which_quarter(demo_app):
    client = signed_in(demo_app.server.test_client())  # the test admin, who sees both demo LAs
    layout = page_layout(client, "/health", f"?la={COUNTY}&period={Q2}")
    card = _text(find_component(layout, "card-crisis_24h"))
    assert "no data" in card and "Health has not submitted Q2 2026/27 (due 20 October 2026)" in card


def test_the_submitted_figures_behind_a_card_are_listed_part_by_part(demo_app, demo_home):
    client = signed_in(demo_app.server.test_client(), "test-data")
    layout = page_layout(client, "/records", f"?kpi=self_harm_u18&la={CITY}&period={Q2}")
    text = _text(layout)
    assert "Submitted figures behind Self-harm presentations, under 18: Q2 2026/27" in text
    grid = find_component(layout, "records-grid")
    rows = grid["props"]["rowData"]
    ages = _submitted(demo_home, CITY, "self_harm_u18")
    shown = {r["part"]: r["value"] for r in rows}
    assert shown == {
        "Aged 0 to 12": f"{ages['0-12']:,.0f}",
        "Aged 13 to 15": f"{ages['13-15']:,.0f}",
        "Aged 16 to 17": f"{ages['16-17']:,.0f}",
    }
    assert {r["submitted_by"] for r in rows} == {"health.analyst"}
    # A protected role is told why it gets no list: a part can be a small count.
    protected = _text(
        page_layout(
            signed_in(demo_app.server.test_client(), "test-exec"),
            "/records",
            f"?kpi=self_harm_u18&la={CITY}&period={Q2}",
        )
    )
    assert "only for roles that see exact figures" in protected and "Aged 0 to 12" not in protected


def test_a_mean_score_card_shows_the_total_over_the_responses(demo_app, demo_home):
    client = signed_in(demo_app.server.test_client(), "test-data")
    card = _text(
        find_component(page_layout(client, "/training", f"?la={CITY}&period={Q2}"), "card-feedback_score")
    )
    total = _submitted(demo_home, CITY, "feedback_score_total")[""]
    responses = _submitted(demo_home, CITY, "feedback_responses")[""]
    assert f"{total / responses:.2f}" in card and f"{total:,.0f} ÷ {responses:,.0f}" in card


def test_a_filter_leaves_a_figures_card_whole_and_says_so(demo_app, demo_home):
    client = signed_in(demo_app.server.test_client(), "test-data")
    layout = page_layout(client, "/health", f"?la={CITY}&period={Q2}&age=10-15")
    filtered = _text(find_component(layout, "card-crisis_24h"))
    seen = _submitted(demo_home, CITY, "crisis_team_seen_24h")[""]
    referrals = _submitted(demo_home, CITY, "crisis_team_referrals")[""]
    assert f"{seen / referrals * 100:.1f}%" in filtered  # the whole LA's figure
    assert "Not split by age: its figures are submitted whole for each local authority." in filtered
