"""/exceptions.md: the exception report as Markdown, through the app's own Flask routes, over a copy
of the demo home (commentary is written into the copy's app state)."""

from __future__ import annotations

import re
from datetime import date

import duckdb
import pytest

from appstate.commentary import write_commentary
from appstate.db import session
from appstate.targets import lookup
from tests.app.serving import signed_in
from warehouse.kpis.engine import Filters
from warehouse.kpis.exceptions import KpiException, exception_report
from warehouse.kpis.periods import rolling_6
from warehouse.kpis.suppression import SuppressionPolicy

CITY = "E08000021"
REPORT_PERIOD = rolling_6(date(2026, 10, 1))  # the demo's default view ends in October 2026


@pytest.fixture
def home(demo_copy):
    return demo_copy


@pytest.fixture
def client(home):
    from app.main import create_app

    return signed_in(create_app().server.test_client())


def expected_exceptions(home) -> list[KpiException]:
    """What the warehouse function finds, as partners see it."""
    with (
        duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con,
        session(f"sqlite:///{home / 'appstate.sqlite'}") as db,
    ):
        report = exception_report(
            con, Filters(la_codes=(CITY,)), SuppressionPolicy(), lookup(db), period=REPORT_PERIOD
        )
    return list(report.exceptions)


def test_the_markdown_lists_the_exceptions_the_warehouse_finds(client, home):
    response = client.get(f"/exceptions.md?la={CITY}")
    assert response.status_code == 200
    assert response.mimetype == "text/markdown"
    assert 'filename="exception-report.md"' in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("# Exception report: Newcastle upon Tyne\n")
    assert "- Period: **6 months to October 2026 (May 2026 to Oct 2026)**" in text
    assert "- Data as at: 31 October 2026" in text
    titles = [found.kpi.title for found in expected_exceptions(home)]
    assert titles, "the demo targets make at least one exception"
    assert re.findall(r"^## (.+)$", text, flags=re.MULTILINE) == titles
    assert text.count("### What is the data telling us?") == len(titles)
    assert text.count("[Write commentary](http://localhost/commentary?") == len(titles)
    assert "period=R6-2026-10" in text


def test_commentary_markup_appears_only_escaped(client, home):
    found = expected_exceptions(home)
    kpi_id = found[0].kpi.id
    with session(f"sqlite:///{home / 'appstate.sqlite'}") as db:
        write_commentary(
            db,
            kpi_id,
            CITY,
            REPORT_PERIOD.code,
            "<script>alert(1)</script> & [a link](javascript:alert(1))\n# not a heading",
            author="Board <b>member</b>",
        )
    text = client.get(f"/exceptions.md?la={CITY}").get_data(as_text=True)
    assert "> &lt;script&gt;alert(1)&lt;/script&gt; &amp; \\[a link\\](javascript:alert(1))" in text
    assert "> \\# not a heading" in text
    assert "Board &lt;b&gt;member&lt;/b&gt;, " in text
    assert "<" not in text and "[a link](" not in text
    # The KPI with commentary no longer offers to write it; the others still do.
    assert text.count("[Write commentary]") == len(found) - 1


def test_a_view_of_several_las_asks_for_one(client):
    response = client.get("/exceptions.md?la=E08000021&la=E06000057")
    assert response.status_code == 400
    assert "for one local authority" in response.get_data(as_text=True)
    assert "la=E08000021 (Newcastle upon Tyne)" in response.get_data(as_text=True)
