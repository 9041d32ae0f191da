"""A data team adds a dataset of its own, early help assessments, with two KPIs and a page, from files
in $SAFEGUARD_HOME/model (the example of docs/model.md), with no Python: `safeguard model apply`, then `safeguard load` of a
hand-built extract, each in its own process as a data team would run them. The figures are worked out
by hand below."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from warehouse.kpis.engine import Filters, evaluate, model_kpi, records
from warehouse.kpis.periods import financial_year, month, parse_period
from warehouse.kpis.suppression import NO_SUPPRESSION, SuppressionPolicy
from warehouse.queries import run

pytestmark = pytest.mark.slow  # it runs the CLI in processes of its own

LA = "E08000021"
MODEL_DOC = Path(__file__).resolve().parents[2] / "docs" / "model.md"
# The early help example of docs/model.md, as a data team would copy it: the doc is what is tested.
EARLY_HELP = next(
    block
    for block in re.findall(r"```toml\n(.*?)```", MODEL_DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    if "[[dataset]]" in block
)

# The dimension of docs/model.md read from the dataset's own column `outcome`.
OUTCOME = next(
    block
    for block in re.findall(r"```toml\n(.*?)```", MODEL_DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    if 'id = "outcome"' in block
)

# Five assessments in 2024/25. Working days count after the start, up to and including the end:
#   EH1 Health  20 May -> 11 Jun 2024 completed: 15 working days (over the 27 May bank holiday)
#   EH2 Schools 20 May -> 31 Jul 2024 completed: 51 (8 in May, 20 in June, 23 in July)
#   EH3 Health  3 Jun -> 20 Jun 2024 withdrawn (written W)
#   EH4 Health  10 Jun 2024, still open
#   EH5 Schools 6 Jan -> 3 Feb 2025 completed: 20 (19 in January, 1 in February)
# Started: 5 (May 2, June 2, January 1); Health 3. Completed: EH1, EH2, EH5; in time EH1, EH5: 2 of 3.
ROWS = [
    ("EH1", "A", "2024-05-20", "2024-06-11", "completed", "HEA", "Mother worried about school"),
    ("EH2", "B", "2024-05-20", "2024-07-31", "completed", "SCH", ""),
    ("EH3", "C", "2024-06-03", "2024-06-20", "W", "Health", "Family moved away"),
    ("EH4", "D", "2024-06-10", "", "", "NHS", ""),
    ("EH5", "E", "2025-01-06", "2025-02-03", "completed", "Schools", ""),
]
HEADER = [
    "la_code", "coverage_start", "coverage_end", "eh_id", "child_id", "date_of_birth", "gender", "ethnicity",
    "disability", "area_code", "postcode", "start_date", "completed_date", "outcome", "lead_agency", "notes",
]  # fmt: skip


def _run(settings, *args: str) -> subprocess.CompletedProcess:
    env = os.environ | {"SAFEGUARD_HOME": str(settings.home), "SAFEGUARD_PSEUDONYMISATION_KEY": "test-key"}
    return subprocess.run(
        [sys.executable, "-m", "etl.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _apply(settings, files: dict[str, str]) -> str:
    """The model files applied with `safeguard model apply`: what it said, on one line."""
    (settings.home / "model").mkdir(parents=True)
    for name, text in files.items():
        (settings.home / "model" / name).write_text(text, encoding="utf-8")
    applied = _run(settings, "model", "apply")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    return " ".join(applied.stdout.split())


def _load_extract(settings, tmp_path) -> Path:
    extract = tmp_path / "early_help.csv"
    with extract.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for eh_id, child, start, completed, outcome, agency, notes in ROWS:
            writer.writerow(
                [LA, "2024-04-01", "2025-03-31", eh_id, child, "2014-07-19", "F", "WBRI", "N", "NCL-E", "NE4 6SB",
                 start, completed, outcome, agency, notes]
            )  # fmt: skip
    loaded = _run(settings, "load", str(extract))
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    return settings.warehouse_path


@pytest.fixture
def loaded(settings, tmp_path):
    said = _apply(settings, {"early_help.toml": EARLY_HELP})
    assert "dataset early_help: added" in said and "KPIs affected: eh_assessments, eh_completed_45wd" in said
    assert "Early help (/early-help)" in said and "Executive summary (/)" in said
    return _load_extract(settings, tmp_path)


def test_the_kpis_of_a_dataset_of_its_own_are_the_figures_worked_out_by_hand(loaded):
    with duckdb.connect(str(loaded), read_only=True) as con:
        started, in_time = evaluate(
            con, ["eh_assessments", "eh_completed_45wd"], financial_year(2024), Filters((LA,))
        )
        [health] = evaluate(con, ["eh_assessments"], financial_year(2024), Filters((LA,), agency=("Health",)))
        [june] = evaluate(con, ["eh_assessments"], month(2024, 6), Filters((LA,)))
    assert started.current.value == 5 and health.current.value == 3 and june.current.value == 2
    assert (in_time.current.numerator, in_time.current.denominator) == (2, 3)
    assert round(in_time.current.value, 1) == 66.7


def test_its_rows_are_stored_without_the_free_text_and_with_hashed_children(loaded):
    with duckdb.connect(str(loaded), read_only=True) as con:
        rows = con.execute(
            "SELECT eh_id, outcome, lead_agency FROM early_help_assessment ORDER BY eh_id"
        ).fetchall()
        columns = [c[0] for c in con.execute("DESCRIBE early_help_assessment").fetchall()]
        children = [c for (c,) in con.execute("SELECT child_id FROM early_help_assessment").fetchall()]
        overview = run(con, "fact_counts", la_codes=[LA])  # the Data page's "what the warehouse holds"
    assert rows == [
        ("EH1", "completed", "Health"),
        ("EH2", "completed", "Schools"),
        ("EH3", "withdrawn", "Health"),
        ("EH4", None, "Health"),
        ("EH5", "completed", "Schools"),
    ]
    assert "notes" not in columns and not {"A", "B", "C", "D", "E"} & set(children)
    [early_help] = overview[overview["dataset"] == "early_help"].itertuples()
    assert (early_help.n_rows, str(early_help.first_date.date()), str(early_help.last_date.date())) == (
        5,
        "2024-05-20",
        "2025-01-06",
    )
    assert b"Mother worried" not in loaded.read_bytes() and b"Family moved" not in loaded.read_bytes()


def test_the_new_kpis_page_and_executive_place_are_in_the_warehouses_model(loaded):
    from warehouse.model.files import model_for

    with duckdb.connect(str(loaded), read_only=True) as con:
        model = model_for(con)
    assert model.executive_kpis[-1] == "eh_completed_45wd"
    assert [p.id for p in model.pages][-1] == "early-help"
    assert model.kpis["eh_assessments"].dimensions == (
        "area", "agency", "age_band", "gender", "ethnicity", "disability",
    )  # fmt: skip


# The child of every row was born in July 2014: 9 at the 2024 starts, 10 at EH5's in January 2025.
CROSS_CHECKS = {
    "periods": ["2024-25", "2024-25-Q1", "2024-06", "2025-01", "2025-02", "R12-2025-03"],
    "filters": [
        {},
        {"agency": ("Health",)},
        {"agency": ("Schools",), "gender": ("F",)},
        {"area": ("NCL-E",), "age_band": ("5-9",)},
        {"age_band": ("10-15",), "disability": ("Not disabled",)},
    ],
}


def test_the_raw_facts_give_the_cubes_figures_for_its_kpis(loaded):
    kpis = ["eh_assessments", "eh_completed_45wd"]
    with duckdb.connect(str(loaded), read_only=True) as con:
        for code in CROSS_CHECKS["periods"]:
            for wanted in CROSS_CHECKS["filters"]:
                filters = Filters((LA,), **wanted)
                cube = evaluate(con, kpis, parse_period(code), filters)
                raw = evaluate(con, kpis, parse_period(code), filters, source="raw")
                assert cube == raw, (code, wanted)
        started, in_time = evaluate(con, kpis, financial_year(2024), Filters((LA,)), source="raw")
        [under_ten] = evaluate(
            con, ["eh_assessments"], financial_year(2024), Filters((LA,), age_band=("5-9",)), source="raw"
        )
    assert started.current.value == 5 and under_ten.current.value == 4  # all but EH5
    assert (in_time.current.numerator, in_time.current.denominator) == (2, 3)


# What the app makes of the warehouse's model, in a process of its own (the app reads its model once,
# from the published warehouse): the filter bar's control, a URL's round trip, and the "showing" line.
FILTER_BAR = """
from app import ids
from app.components.filter_bar import LABELS
from app.filters import filter_options, parse_query

options = filter_options(("E08000021",))
view = parse_query("?period=R12-2025-02&la=E08000021&outcome=withdrawn&outcome=lost&outcome=Unknown", options)
print(ids.FILTER_DIMENSIONS["outcome"], LABELS["outcome"], options.allowed("outcome"), sep="|")
print(view.to_query(), view.engine_filters(("E08000021",)).active(), view.describe(options), sep="|")
"""


@pytest.fixture
def loaded_with_outcome(settings, tmp_path):
    said = _apply(settings, {"early_help.toml": EARLY_HELP, "outcome.toml": OUTCOME})
    assert "dimension outcome: added" in said
    return _load_extract(settings, tmp_path)


def test_a_dimension_from_its_own_column_filters_its_kpis_in_the_cube_the_events_and_the_app(
    loaded_with_outcome, settings, monkeypatch
):
    from warehouse.kpis import engine
    from warehouse.model.files import published_model

    # The engine serving the warehouse's model, as a process started after the apply does.
    monkeypatch.setattr(engine, "active_model", lambda: published_model(loaded_with_outcome))
    # 2024/25 starts by outcome: completed EH1, EH2, EH5; withdrawn EH3; still open (blank) EH4.
    kpis = ["eh_assessments", "eh_completed_45wd", "referrals"]
    fy = financial_year(2024)
    figures = {}
    with duckdb.connect(str(loaded_with_outcome), read_only=True) as con:
        for values in [("completed",), ("withdrawn",), ("Unknown",), ("withdrawn", "Unknown")]:
            filters = Filters((LA,), outcome=values)
            cube = evaluate(con, kpis, fy, filters)
            assert cube == evaluate(con, kpis, fy, filters, source="raw"), values
            figures[values] = cube
        withdrawn = records(
            con, model_kpi(con, "eh_assessments"), fy, Filters((LA,), outcome=("withdrawn",)), NO_SUPPRESSION
        )
    started = {values: found[0].current.value for values, found in figures.items()}
    assert started == {("completed",): 3, ("withdrawn",): 1, ("Unknown",): 1, ("withdrawn", "Unknown"): 2}
    in_time = figures[("completed",)][1].current
    assert (in_time.numerator, in_time.denominator) == (2, 3)  # EH1 and EH5 of the three completed
    referrals = figures[("completed",)][2]
    assert referrals.ignored_filters == ("outcome",) and figures[("completed",)][0].ignored_filters == ()
    assert [str(d.date()) for d in withdrawn.rows["event_date"]] == ["2024-06-03"]  # EH3

    env = os.environ | {"SAFEGUARD_HOME": str(settings.home), "SAFEGUARD_PSEUDONYMISATION_KEY": "test-key"}
    shown = subprocess.run(
        [sys.executable, "-c", FILTER_BAR], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert shown.returncode == 0, shown.stderr
    control, query = shown.stdout.splitlines()
    assert control == (
        "filter-outcome|Early help outcome|{'completed': 'Completed', 'withdrawn': 'Withdrawn', 'Unknown': 'Still open'}"
    )
    assert query == (
        "?period=R12-2025-02&la=E08000021&outcome=withdrawn&outcome=Unknown|{'outcome': ('withdrawn', 'Unknown')}|"
        "12 months to February 2025 (Mar 2024 to Feb 2025); Newcastle upon Tyne; early help outcome: Withdrawn, Still open"
    )


# The records page and the early help page's cards, as the app serves them to the data team (exact
# figures) and to an executive (protected), in a process of the app's own over the warehouse.
RECORDS_PAGE = """
import json

from app.main import create_app
from tests.app.serving import add_test_users, find_component, page_layout, signed_in
from warehouse.settings import get_settings

add_test_users(get_settings().home)
app = create_app()
search = "?period=R12-2025-02&la=E08000021&kpi=eh_completed_45wd"
data_team = page_layout(signed_in(app.server.test_client(), "test-data"), "/records", search)
executive = page_layout(signed_in(app.server.test_client(), "test-exec"), "/records", search)
cards = page_layout(signed_in(app.server.test_client(), "test-data"), "/early-help", search)
print(json.dumps(find_component(data_team, "records-grid")["props"]["rowData"]))
print(find_component(executive, "records-grid") is None, "shown only to roles that see exact figures" in str(executive))
print("/records?" in str(find_component(cards, "card-eh_completed_45wd")))
"""


def test_the_records_behind_its_kpi_are_listed_by_pseudonymised_child_to_the_data_team_only(loaded, settings):
    env = os.environ | {"SAFEGUARD_HOME": str(settings.home), "SAFEGUARD_PSEUDONYMISATION_KEY": "test-key"}
    shown = subprocess.run(
        [sys.executable, "-c", RECORDS_PAGE],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    rows, executive, linked = shown.stdout.splitlines()
    with duckdb.connect(str(loaded), read_only=True) as con:
        kpi = model_kpi(con, "eh_completed_45wd")
        schools = records(con, kpi, financial_year(2024), Filters((LA,), agency=("Schools",)), NO_SUPPRESSION)
        protected = records(con, kpi, financial_year(2024), Filters((LA,)), SuppressionPolicy())
        stored = dict(con.execute("SELECT eh_id, child_id FROM early_help_assessment").fetchall())
    # In time, in the 12 months to February 2025: EH1 (completed 11 June 2024) and EH5 (3 February
    # 2025, a Schools one); EH2 took 51 working days.
    assert json.loads(rows) == [
        {"child_id": stored["EH1"], "event_date": "2024-06-11"},
        {"child_id": stored["EH5"], "event_date": "2025-02-03"},
    ]
    assert executive == "True True" and linked == "True"
    assert [str(d.date()) for d in schools.rows["event_date"]] == ["2025-02-03"] and schools.count == 1
    assert protected.withheld and protected.rows is None and protected.count is None
