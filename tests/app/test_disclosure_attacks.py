"""The four ways a police partner once recovered hidden counts, tried again over HTTP as a partner
and as a protected executive: the complement filter, the records list, a card's change, and a
period less its months. Each reads the figures the way an attacker would (the CSV export, the
page's grid, the cards), then asks which hidden values the figures still allow: more than one must.

tests/warehouse/kpis/test_disclosure.py runs the generic differencing checks on the engine; here
the point is that the pages and exports hand out nothing but the engine's protected figures."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO

import duckdb
import pytest
from openpyxl import load_workbook

from tests.app.serving import export_rows, find_component, page_layout, signed_in
from warehouse.kpis.engine import Figure, Filters, evaluate
from warehouse.kpis.periods import Period, PeriodKind, add_months, parse_period, period_ending
from warehouse.kpis.registry import REGISTRY
from warehouse.kpis.suppression import NO_SUPPRESSION, SUPPRESSED, SuppressionPolicy

CITY = "E08000021"
PERIOD = "2025-26"
ETHNICITIES = ("White", "Mixed", "Asian", "Black", "Other", "Not known")
# The agencies whose figures each role is shown: every agency's, for the protected executive and for
# the police partner alike (its figures are partnership-wide; its agency limits only the records it
# lists, tests/app/test_board_partner.py).
ROLES = {"test-partner": (), "test-exec": ()}


def possible(shown: str) -> range:
    """The true counts a shown figure allows, for an attacker who knows the method."""
    if shown == SUPPRESSED:
        return range(5)
    value = int(shown.replace(",", ""))
    return range(max(value - 4, 5), value + 5)


def candidates(total: str, known_parts: list[str], less: list[str] = ()) -> set[int]:
    """Hidden values h (0 to 4) with total = h + sum(known_parts) - sum(less) for some true figures."""
    low = sum(possible(p).start for p in known_parts) - sum(possible(p).stop - 1 for p in less)
    high = sum(possible(p).stop - 1 for p in known_parts) - sum(possible(p).start for p in less)
    return {h for h in range(5) if any(low <= t - h <= high for t in possible(total))}


@pytest.fixture(scope="module")
def con(demo_home):
    with duckdb.connect(str(demo_home / "warehouse.duckdb"), read_only=True) as connection:
        yield connection


def exact_months(con, agencies: tuple[str, ...], **filters) -> dict[date, int]:
    """The true monthly contacts over the 25 months the page's grid and CSV show."""
    [result] = evaluate(
        con,
        ["contacts"],
        parse_period(PERIOD),
        Filters((CITY,), agency=agencies, **filters),
        NO_SUPPRESSION,
    )
    return {f.period.first_month: int(f.value) for f in result.series}


def label(month: date) -> str:
    return Period(PeriodKind.MONTH, month).label


# Narrower slices for a scope whose 'Not known' months are all large: (URL query, engine filters).
SLICES = [({}, {}), ({"age": "Under 1"}, {"age_band": ("Under 1",)}), ({"gender": "U"}, {"gender": ("U",)})]


def hidden_month(con, agencies: tuple[str, ...]) -> tuple[date, dict, dict]:
    """A month and slice in which the 'Not known' ethnicity has 1 to 4 contacts in this scope."""
    for query, filters in SLICES:
        months = exact_months(con, agencies, ethnicity=("Not known",), **filters)
        small = [m for m, n in months.items() if 1 <= n <= 4]
        if small:
            return small[0], query, filters
    raise AssertionError("the demo has no small cells to attack")


def contacts_csv(client, **query: str | tuple[str, ...]) -> dict[str, str]:
    parts = [f"period={PERIOD}", f"la={CITY}"]
    for key, values in query.items():
        parts += [f"{key}={v.replace(' ', '+')}" for v in ((values,) if isinstance(values, str) else values)]
    return {row["Month"]: row["Contacts"] for row in export_rows(client, "?" + "&".join(parts))}


@pytest.mark.parametrize("username", ROLES)
def test_the_complement_filter_leaves_the_hidden_count_open(demo_app, con, username):
    client = signed_in(demo_app.server.test_client(), username)
    month, query, filters = hidden_month(con, ROLES[username])
    truth = exact_months(con, ROLES[username], ethnicity=("Not known",), **filters)[month]
    hidden = contacts_csv(client, ethnicity="Not known", **query)[label(month)]
    everyone = contacts_csv(client, **query)[label(month)]
    the_rest = contacts_csv(client, ethnicity=tuple(e for e in ETHNICITIES if e != "Not known"), **query)[
        label(month)
    ]
    assert hidden == SUPPRESSED
    assert everyone != SUPPRESSED and int(everyone.replace(",", "")) % 5 == 0
    found = candidates(everyone, [the_rest])
    assert truth in found and len(found) >= 2, (everyone, the_rest, found)


def test_no_record_list_is_given_to_a_protected_role(demo_app):
    client = signed_in(demo_app.server.test_client(), "test-exec")
    search = f"?period=2025-09&la={CITY}&ethnicity=Not+known&kpi=contacts"
    layout = page_layout(client, "/records", search)
    assert "shown only to roles that see exact figures" in str(layout)
    assert find_component(layout, "records-grid") is None
    payload = {
        "output": "records-download.data",
        "outputs": {"id": "records-download", "property": "data"},
        "inputs": [{"id": "records-export", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["records-export.n_clicks"],
        "state": [{"id": "url", "property": "search", "value": search}],
    }
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 204 or "child_id" not in response.get_data(as_text=True)
    cards = page_layout(client, "/front-door", f"?period={PERIOD}&la={CITY}")
    assert "View the records" not in str(cards)


def test_a_partner_lists_none_of_its_own_contacts_in_a_slice_where_the_rest_is_small(demo_app, con):
    """The attack: in a slice where the other agencies' contacts are 1 to 4, the police partner lists
    its own exactly and takes them from the rounded whole. Contacts are social care's records, the
    police's among them, so it lists none: there is no exact part to take away."""
    client = signed_in(demo_app.server.test_client(), "test-partner")
    for query, filters in SLICES:
        nk = {"ethnicity": ("Not known",), **filters}
        everyone_true = exact_months(con, (), **nk)
        police_true = exact_months(con, ("Police",), **nk)
        small = [m for m, n in everyone_true.items() if 1 <= n - police_true[m] <= 4 and police_true[m]]
        if small:
            break
    else:
        raise AssertionError("the demo has no small non-police cells to attack")
    extra = "".join(f"&{k}={v.replace(' ', '+')}" for k, v in query.items())
    for agency in ("", "&agency=Police"):
        search = f"?period={small[0]:%Y-%m}&la={CITY}&ethnicity=Not+known&kpi=contacts{extra}{agency}"
        layout = page_layout(client, "/records", search)
        assert find_component(layout, "records-grid") is None
        assert "Record lists are shown only" in str(layout)


def test_the_data_team_still_gets_the_records(demo_app):
    client = signed_in(demo_app.server.test_client(), "test-data")
    layout = page_layout(client, "/records", f"?period=2025-09&la={CITY}&kpi=contacts")
    assert find_component(layout, "records-grid") is not None


def protected(con, period: Period, agencies: tuple[str, ...], **filters) -> Figure:
    [result] = evaluate(
        con,
        ["contacts"],
        period,
        Filters((CITY,), agency=agencies, **filters),
        SuppressionPolicy(),
        series_months=1,
    )
    return result.current


def shown(figure: Figure) -> str:
    return SUPPRESSED if figure.suppressed else f"{int(figure.value):,}"


@pytest.mark.parametrize("username", ROLES)
def test_a_change_on_the_previous_rolling_year_leaves_the_hidden_month_open(demo_app, con, username):
    """R12 to M less R12 to M-1 is month M less month M-12: with both months known, M would be."""
    agencies = ROLES[username]
    month, query, filters = hidden_month(con, agencies)
    nk = {"ethnicity": ("Not known",), **filters}
    rolling = period_ending(PeriodKind.ROLLING_12, month)
    client = signed_in(demo_app.server.test_client(), username)
    card = str(
        page_layout(
            client,
            "/front-door",
            f"?period=R12-{month:%Y-%m}&la={CITY}&ethnicity=Not+known"
            + "".join(f"&{k}={v.replace(' ', '+')}" for k, v in query.items()),
        )
    )
    now, before = protected(con, rolling, agencies, **nk), protected(con, rolling.previous(), agencies, **nk)
    assert shown(now) in card  # the card shows the engine's protected figure, nothing finer
    year_ago = shown(protected(con, Period(PeriodKind.MONTH, add_months(month, -12)), agencies, **nk))
    truth = exact_months(con, agencies, **nk)[month]
    found = candidates(shown(now), [shown(before)], less=[year_ago])  # now = h + before - year_ago
    assert truth in found and len(found) >= 2, (shown(now), shown(before), year_ago, found)


@pytest.mark.parametrize("username", ROLES)
def test_a_quarter_less_its_other_months_leaves_the_hidden_month_open(demo_app, con, username):
    agencies = ROLES[username]
    month, query, filters = hidden_month(con, agencies)
    quarter = period_ending(PeriodKind.QUARTER, month)
    client = signed_in(demo_app.server.test_client(), username)
    csv_months = contacts_csv(client, ethnicity="Not known", **query)
    others = [csv_months[label(m)] for m in quarter.month_starts() if m != month]
    total = shown(protected(con, quarter, agencies, ethnicity=("Not known",), **filters))
    card = str(
        page_layout(
            client,
            "/front-door",
            f"?period={quarter.code}&la={CITY}&ethnicity=Not+known"
            + "".join(f"&{k}={v.replace(' ', '+')}" for k, v in query.items()),
        )
    )
    assert total in card
    truth = exact_months(con, agencies, ethnicity=("Not known",), **filters)[month]
    found = candidates(total, others)
    assert truth in found and len(found) >= 2, (total, others, found)


def _counts_in(text: str) -> list[int]:
    """Every 'n of d' and 'n ÷ d' pair's counts in a report."""
    return [int(n.replace(",", "")) for pair in re.findall(r"([\d,]+) (?:of|÷) ([\d,]+)", text) for n in pair]


def test_the_executives_exports_hold_only_protected_counts(demo_app):
    client = signed_in(demo_app.server.test_client(), "test-exec")
    markdown = client.get(f"/exceptions.md?la={CITY}&period=2026-09")
    assert markdown.status_code == 200
    text = markdown.get_data(as_text=True)
    counts = _counts_in(text)
    assert counts and all(n >= 5 and n % 5 == 0 for n in counts), counts
    assert "rounded to a multiple of 5" in text
    workbook = client.get(f"/scorecard.xlsx?la={CITY}&period=2026-09")
    assert workbook.status_code == 200
    sheet = load_workbook(BytesIO(workbook.data)).active
    # A published KPI's row holds the LA's published figure (a rate such as 107 children in care per
    # 10,000), public and made of no counts of ours: only the rows counted from records are counts.
    published = {kpi.title for kpi in REGISTRY.values() if kpi.is_published}
    cells = [
        c.value
        for row in sheet.iter_rows()
        if row[0].value not in published
        for c in row
        if c.value is not None
    ]
    assert any("rounded to a multiple of 5" in str(v) for v in cells)
    whole_counts = [v for v in cells if isinstance(v, int) and not isinstance(v, bool) and v > 31]
    assert whole_counts and all(v % 5 == 0 for v in whole_counts), whole_counts
