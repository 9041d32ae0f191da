"""app/components/charts.py: names from loaded files reach Plotly as text, never as markup."""

from __future__ import annotations

from app.components.charts import parts_chart
from warehouse.kpis.engine import Part

NAME = '<a href="https://evil.example/">Click here</a><img src=x onerror=alert(1)>'


def _figure(figure_element) -> dict:
    graph = next(child for child in figure_element.children if hasattr(child, "figure"))
    return graph.figure


def test_an_area_name_with_markup_is_drawn_as_its_text():
    chart = parts_chart(
        f"Referrals by area ({NAME})",
        (Part("NCL-X", 3, 60.0), Part("NCL-Y", 2, 40.0)),
        "areas",
        {"NCL-X": NAME, "NCL-Y": "West & North"},
        drill_param="area",
    )
    figure = _figure(chart)
    assert figure["data"][0]["y"] == [
        '&lt;a href="https://evil.example/"&gt;Click here&lt;/a&gt;&lt;img src=x onerror=alert(1)&gt;',
        "West &amp; North",
    ]
    assert figure["data"][0]["customdata"] == ["NCL-X", "NCL-Y"]  # the drill-down still filters by the code
    assert "<" not in figure["layout"]["title"]["text"]
