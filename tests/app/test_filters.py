"""The URL codec of the filter bar: round trips, validation against the scope, words."""

from __future__ import annotations

from datetime import date

from app.filters import FilterOptions, ViewFilters, parse_query, refused_in_link, with_period_kind
from warehouse.kpis.periods import PeriodKind

OPTIONS = FilterOptions(
    las={"E08000021": "Newcastle upon Tyne", "E06000057": "Northumberland"},
    dimension_values={
        "area": {"NCL-E": "East (Newcastle upon Tyne)"},
        "agency": {"Police": "Police", "Health": "Health"},
        "ethnicity": {"White": "White"},
        "gender": {"F": "Female", "M": "Male"},
        "category": {"NEG": "Neglect"},
    },
    first_month=date(2022, 4, 1),
    last_month=date(2026, 10, 1),
)


def test_a_view_survives_the_round_trip_through_the_url():
    view = ViewFilters(period="2025-26-Q2", la=("E08000021",), gender=("F",), agency=("Police", "Health"))
    assert view.to_query() == "?period=2025-26-Q2&la=E08000021&agency=Police&agency=Health&gender=F"
    assert parse_query(view.to_query(), OPTIONS) == view


def test_unknown_values_and_periods_outside_the_data_are_dropped():
    view = parse_query("?period=2030-31&la=E09000001&gender=%3Cscript%3E&age=10-15&care=In+care", OPTIONS)
    # an LA outside the scope is dropped, and the view has the scope's first LA in its place
    assert view == ViewFilters(period="R12-2026-10", la=("E08000021",), age=("10-15",), care=("In care",))
    assert refused_in_link(
        "?la=E09000001&la=E09000002&gender=%3Cscript%3E&gender=F&agency=Fire", OPTIONS
    ) == ["2 local authorities", "1 agency value", "1 gender value"]
    assert refused_in_link("?la=E08000021&gender=F", OPTIONS) == []


def test_the_la_is_always_in_the_view_the_last_choice_where_the_link_names_none():
    assert parse_query("?period=2025-26", OPTIONS).la == ("E08000021",)
    assert parse_query("?period=2025-26", OPTIONS, last_las=("E06000057",)).la == ("E06000057",)
    both = ("E06000057", "E08000021")  # the partnership total, when that was the last choice
    assert parse_query("", OPTIONS, last_las=both).la == both
    # a last choice outside the scope (another account's browser) is not used; the link's LA wins
    assert parse_query("", OPTIONS, last_las=("E09000001",)).la == ("E08000021",)
    assert parse_query("?la=E08000021", OPTIONS, last_las=("E06000057",)).la == ("E08000021",)


def test_the_default_period_is_the_12_months_to_the_latest_complete_month():
    assert parse_query("", OPTIONS).period == "R12-2026-10"


def test_switching_period_kind_keeps_the_end_where_it_can():
    view = parse_query("?period=2025-26-Q2", OPTIONS)
    assert with_period_kind(view, PeriodKind.MONTH, OPTIONS).period == "2025-09"
    assert (
        with_period_kind(view, PeriodKind.FINANCIAL_YEAR, OPTIONS).period == "2024-25"
    )  # 2025/26 ends in March
    assert with_period_kind(view, PeriodKind.ROLLING_12, OPTIONS).period == "R12-2025-09"


def test_complete_periods_only():
    years = [p.code for p in OPTIONS.periods(PeriodKind.FINANCIAL_YEAR)]
    assert years == ["2025-26", "2024-25", "2023-24", "2022-23"]
    assert OPTIONS.periods(PeriodKind.QUARTER)[0].code == "2026-27-Q2"  # July to September 2026


def test_the_active_filters_in_words():
    view = ViewFilters(period="2025-26", la=("E08000021",), gender=("F",), category=("NEG",))
    assert (
        view.describe(OPTIONS) == "2025/26; Newcastle upon Tyne; gender: Female; category of abuse: Neglect"
    )
    assert ViewFilters(period="2025-26").describe(OPTIONS) == "2025/26; all local authorities in your scope"


def test_the_engine_gets_only_las_in_scope():
    filters = ViewFilters(period="2025-26", la=("E08000021", "E09000001")).engine_filters(
        ("E08000021", "E06000057")
    )
    assert filters.la_codes == ("E08000021",)
    assert ViewFilters(period="2025-26").engine_filters(("E06000057",)).la_codes == ("E06000057",)


def test_data_without_areas_or_categories_still_parses_and_drops_those_filters():
    from dataclasses import replace

    values = OPTIONS.dimension_values | {"area": {}, "category": {}}
    bare = replace(OPTIONS, dimension_values=values)  # a return with no area codes, no CP plans
    view = parse_query("?period=2025-26&la=E08000021&area=NCL-E&category=NEG&gender=F", bare)
    assert view == ViewFilters(period="2025-26", la=("E08000021",), gender=("F",))
