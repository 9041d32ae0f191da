"""A page's static parts become one component each, written as escaped HTML, and nothing else does."""

from __future__ import annotations

import pytest
from dash import dcc, html

from app.components.static_html import Markup, StaticHtml, flatten


def test_a_table_of_figures_becomes_one_element_with_its_rows_as_html():
    table = html.Table(
        [
            html.Thead(html.Tr([html.Th("Month", scope="col"), html.Th("Contacts", className="num")])),
            html.Tbody(html.Tr([html.Th("Sep 2026", scope="row"), html.Td(1_376, className="num")])),
        ],
        className="figures-table",
    )
    [flat] = flatten([table])
    assert isinstance(flat, StaticHtml)
    assert flat.tag == "table"
    assert flat.attributes == {"className": "figures-table"}
    assert flat.children == (
        '<thead><tr><th scope="col">Month</th><th class="num">Contacts</th></tr></thead>'
        '<tbody><tr><th scope="row">Sep 2026</th><td class="num">1376</td></tr></tbody>'
    )


def test_text_and_attributes_are_escaped_so_a_comment_cannot_become_markup():
    comment = html.P(
        ["<script>alert(1)</script> & Co's ", html.Span("x", title='say "hi" <b>')],
        className="comment",
    )
    flat = flatten(comment)
    assert flat.children == (
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co's "
        '<span title="say &quot;hi&quot; &lt;b&gt;">x</span>'
    )


def test_what_a_callback_writes_or_a_person_uses_stays_a_component():
    chart = dcc.Graph(id="trend")
    written = html.Div("later", id="status")
    link = dcc.Link("Records", href="/records")
    card = html.Article([html.H3("Contacts"), html.P("1,376"), link, written, chart], className="card")
    flat = flatten(html.Div([card, html.Ul([html.Li("a"), html.Li("b")])]))
    article, listing = flat.children
    assert isinstance(article, html.Article)  # it holds a link, a chart and an element with an id
    heading, value, kept_link, kept_written, kept_chart = article.children
    assert (heading.tag, heading.children) == ("h3", "Contacts")
    assert (value.tag, value.children) == ("p", "1,376")
    assert (kept_link, kept_written, kept_chart) == (link, written, chart)
    assert (listing.tag, listing.children) == ("ul", "<li>a</li><li>b</li>")


def test_void_elements_booleans_and_styles_are_written_as_html_has_them():
    flat = flatten(
        html.Div(
            [
                html.Img(src="data:image/svg+xml;base64,PHN2Zy8+", alt="trend"),
                html.Br(),
                html.Details(html.Summary("More"), open=True),
                html.Details(html.Summary("Less"), open=False),
                html.Span("hidden", style={"displayMode": "none"}, **{"aria-hidden": "true"}),
            ]
        )
    )
    assert flat.children == (
        '<img alt="trend" src="data:image/svg+xml;base64,PHN2Zy8+"><br>'
        "<details open><summary>More</summary></details><details><summary>Less</summary></details>"
        '<span style="display-mode: none" aria-hidden="true">hidden</span>'
    )


@pytest.mark.parametrize(
    "unsafe",
    [
        html.A("x", href="javascript:alert(1)"),
        html.A("x", href="//elsewhere.example/"),
        html.Img(src="data:text/html;base64,PHNjcmlwdD4="),
        html.Span("x", style={"width": 10}),
    ],
)
def test_a_script_address_another_sites_protocol_relative_link_or_unitless_style_is_refused(unsafe):
    with pytest.raises(ValueError):
        flatten(html.Div([html.P("a"), unsafe]))


def test_the_props_read_are_those_dash_itself_would_send():
    from app.components.static_html import _props

    nodes = [
        html.Div(
            [html.Span("a", className="x", **{"data-kpi": "referrals", "aria-label": "Referrals"})],
            style={"color": "red"},
            title="t",
            hidden=False,
        ),
        html.Td(7, colSpan=2, className="num"),
        html.Img(src="/assets/logo.svg", alt=""),
        html.Br(),
    ]
    for node in [*nodes, nodes[0].children[0]]:
        assert _props(node) == node.to_plotly_json()["props"]
        assert list(_props(node)) == list(node.to_plotly_json()["props"])  # in the same order


def test_markup_is_written_as_the_same_dash_elements_would_be():
    as_components = html.Table(
        [
            html.Thead(html.Tr([html.Th("Month", scope="col"), html.Th("Contacts", className="num")])),
            html.Tbody(html.Tr([html.Th("<Sep>", scope="row"), html.Td(1_376, className="num")])),
        ],
        className="figures-table",
        **{"aria-label": 'say "hi"'},
    )
    as_markup = Markup(
        "table",
        [
            Markup(
                "thead",
                Markup("tr", [Markup("th", "Month", scope="col"), Markup("th", "Contacts", className="num")]),
            ),
            Markup(
                "tbody",
                Markup("tr", [Markup("th", "<Sep>", scope="row"), Markup("td", 1_376, className="num")]),
            ),
        ],
        className="figures-table",
        **{"aria-label": 'say "hi"'},
    )
    from_markup, from_components = flatten(as_markup), flatten(as_components)
    assert (from_markup.tag, from_markup.attributes) == (
        "table",
        {"className": "figures-table", "aria-label": 'say "hi"'},
    )
    assert from_markup.children == from_components.children
    assert '<th scope="row">&lt;Sep&gt;</th>' in from_markup.children
    # inside a Dash element with nothing interactive, the whole becomes one static element
    box = flatten(html.Div(as_markup, className="box"))
    assert isinstance(box, StaticHtml) and box.children.startswith('<table class="figures-table"')


@pytest.mark.parametrize(
    "unsafe",
    [
        Markup("td", "x", onClick="alert(1)"),
        Markup("a", "x", href="javascript:alert(1)"),
        Markup("td", "x", **{'x" onload="alert(1)': "y"}),
        Markup("script>", "x"),
        Markup("td", dcc.Link("Records", href="/records")),
    ],
)
def test_markup_is_checked_as_any_static_element(unsafe):
    with pytest.raises(ValueError):
        flatten(html.Div(unsafe))


def test_markup_a_callback_returns_unflattened_is_sent_as_its_static_html():
    import json

    import plotly

    sent = json.loads(
        json.dumps(html.Div([Markup("p", "a < b", className="note")]), cls=plotly.utils.PlotlyJSONEncoder)
    )
    [child] = sent["props"]["children"]
    assert child["type"] == "StaticHtml"
    assert child["props"] == {"tag": "p", "attributes": {"className": "note"}, "children": "a &lt; b"}
