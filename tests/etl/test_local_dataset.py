"""A data team adds a dataset of its own, early help assessments, with two KPIs and a page, from files
in $SAFEGUARD_HOME/model (the example of docs/model.md), with no Python: `safeguard model apply`, then `safeguard load` of a
hand-built extract, each in its own process as a data team would run them. Then it sets a target for
each KPI on the Targets page of the app served over that home, and reads the KPIs on their page, in the
executive summary, in the scorecard workbook and in the meeting pack PDF, with their RAG and SPC. The
figures are worked out by hand below."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import urllib.request
from io import BytesIO
from pathlib import Path

import duckdb
import pytest

from tests.app.serving import SESSION_COOKIE, add_test_users, find_component, serve, session_cookie
from tests.helpers import early_help_example, model_doc_example
from warehouse.kpis.engine import Filters, evaluate, model_kpi, records
from warehouse.kpis.periods import financial_year, month, parse_period
from warehouse.kpis.suppression import NO_SUPPRESSION, SuppressionPolicy
from warehouse.queries import run
from warehouse.settings import Settings

pytestmark = pytest.mark.slow  # it runs the CLI in processes of its own

LA = "E08000021"
# The dimension of docs/model.md read from the dataset's own column `outcome`.
OUTCOME = model_doc_example('id = "outcome"')

# Five assessments in 2024/25, in an extract that covers 2023/24 and 2024/25 (so SPC has a count for
# every month of its series). Working days count after the start, up to and including the end:
#   EH1 Health  20 May -> 11 Jun 2024 completed: 15 working days (over the 27 May bank holiday)
#   EH2 Schools 20 May -> 31 Jul 2024 completed: 51 (8 in May, 20 in June, 23 in July)
#   EH3 Health  3 Jun -> 20 Jun 2024 withdrawn (written W)
#   EH4 Health  10 Jun 2024, still open
#   EH5 Schools 6 Jan -> 3 Mar 2025 completed: 40 (19 in January, 20 in February, 1 in March)
# Started: 5 (May 2, June 2, January 1); Health 3. Completed: EH1, EH2, EH5; in time EH1, EH5: 2 of 3.
# By quarter: started Q4 2023/24 0, then in 2024/25 Q1 4, Q2 0, Q3 0, Q4 1; completed in time in
# 2024/25 Q1 1 of 1 (EH1), Q2 0 of 1 (EH2), Q3 none completed, Q4 1 of 1 (EH5).
ROWS = [
    ("EH1", "A", "2024-05-20", "2024-06-11", "completed", "HEA", "Mother worried about school"),
    ("EH2", "B", "2024-05-20", "2024-07-31", "completed", "SCH", ""),
    ("EH3", "C", "2024-06-03", "2024-06-20", "W", "Health", "Family moved away"),
    ("EH4", "D", "2024-06-10", "", "", "NHS", ""),
    ("EH5", "E", "2025-01-06", "2025-03-03", "completed", "Schools", ""),
]
HEADER = [
    "la_code", "coverage_start", "coverage_end", "eh_id", "child_id", "date_of_birth", "gender", "ethnicity",
    "disability", "area_code", "postcode", "start_date", "completed_date", "outcome", "lead_agency", "notes",
]  # fmt: skip


# The data team's targets, from the start of 2024/25, with the default 5% tolerance band:
#   eh_assessments 4 (higher is better): the year's 5 is on target (green); Q4's 1 is 3 short, beyond
#     the band of 0.2, so off target (red).
#   eh_completed_45wd 70%: the year's 66.7% is 3.3 short, within the band of 3.5, so near target
#     (amber); Q4's 100% is on target (green).
TARGETS = {"eh_assessments": 4, "eh_completed_45wd": 70}
# The 12 months to March 2025, the last month with data: 2024/25.
VIEW = f"?la={LA}&period=R12-2025-03"
DATA_TEAM = "test-data"  # sees exact counts, so the hand-worked figures are the ones shown
STARTED_TITLE = "Early help assessments started"
IN_TIME_TITLE = "Early help assessments completed within 45 working days"
# SPC, read by hand from the 25 months to March 2025. eh_completed_45wd has a figure only in the three
# months with a completion (June and July 2024, March 2025): fewer than the 12 points SPC needs.
# eh_assessments has a count for each of the 24 months covered, 0 but for May and June 2024 (2 each) and
# January 2025 (1): the mean is 5/24 = 0.21 and the mean moving range 6/23 = 0.26, so the upper limit is
# 0.21 + 2.66 x 0.26 = 0.90, above which those three months are special causes; March's 0, the latest
# point, is inside the limits, in no run of 7 below the mean (February and March follow January's 1)
# and no trend of 7, so the latest reading is common cause.
SPC_WORDS = {
    "eh_assessments": "Common cause: no significant change",
    "eh_completed_45wd": "Too few points for SPC",
}


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


def _home(tmp_path_factory, name: str) -> Settings:
    home = tmp_path_factory.mktemp(name) / "home"
    home.mkdir()
    (home / "pseudonymisation.key").write_text("test-key")  # the app's, the same as the CLI's below
    return Settings(home=home)


def _apply(settings, files: dict[str, str]) -> str:
    """The model files applied with `safeguard model apply`: what it said, on one line."""
    (settings.home / "model").mkdir(parents=True)
    for name, text in files.items():
        (settings.home / "model" / name).write_text(text, encoding="utf-8")
    applied = _run(settings, "model", "apply")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    return " ".join(applied.stdout.split())


def _load_extract(settings, folder: Path) -> Path:
    extract = folder / "early_help.csv"
    with extract.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for eh_id, child, start, completed, outcome, agency, notes in ROWS:
            writer.writerow(
                [LA, "2023-04-01", "2025-03-31", eh_id, child, "2014-07-19", "F", "WBRI", "N", "NCL-E", "NE4 6SB",
                 start, completed, outcome, agency, notes]
            )  # fmt: skip
    loaded = _run(settings, "load", str(extract))
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    return settings.warehouse_path


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    """One home for the module: the model applied and the extract loaded once."""
    return _home(tmp_path_factory, "early_help")


@pytest.fixture(scope="module")
def loaded(settings, tmp_path_factory):
    said = _apply(settings, {"early_help.toml": early_help_example()})
    assert "dataset early_help: added" in said and "KPIs affected: eh_assessments, eh_completed_45wd" in said
    assert "Early help (/early-help)" in said and "Executive summary (/)" in said
    assert "Scorecard (/scorecard)" in said  # the example puts both KPIs under the front door priority
    return _load_extract(settings, tmp_path_factory.mktemp("early_help_extract"))


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
    # the last of those a target rates (higher is better), before the built-in neutral volumes
    assert model.executive_kpis[-3:] == ("eh_completed_45wd", "referrals", "cp_open")
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


def assert_cube_is_raw(con, kpis: list[str]) -> None:
    """The KPIs' figures from the cubes equal those counted from the raw facts, over CROSS_CHECKS."""
    for code in CROSS_CHECKS["periods"]:
        for wanted in CROSS_CHECKS["filters"]:
            filters = Filters((LA,), **wanted)
            cube = evaluate(con, kpis, parse_period(code), filters)
            raw = evaluate(con, kpis, parse_period(code), filters, source="raw")
            assert cube == raw, (code, wanted)


def test_the_raw_facts_give_the_cubes_figures_for_its_kpis(loaded):
    kpis = ["eh_assessments", "eh_completed_45wd"]
    with duckdb.connect(str(loaded), read_only=True) as con:
        assert_cube_is_raw(con, kpis)
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
view = parse_query("?period=R12-2025-03&la=E08000021&outcome=withdrawn&outcome=lost&outcome=Unknown", options)
print(ids.FILTER_DIMENSIONS["outcome"], LABELS["outcome"], options.allowed("outcome"), sep="|")
print(view.to_query(), view.engine_filters(("E08000021",)).active(), view.describe(options), sep="|")
"""


@pytest.fixture(scope="module")
def outcome_settings(tmp_path_factory) -> Settings:
    """A second home, with the outcome dimension applied beside the early help file."""
    return _home(tmp_path_factory, "early_help_outcome")


@pytest.fixture(scope="module")
def loaded_with_outcome(outcome_settings, tmp_path_factory):
    said = _apply(outcome_settings, {"early_help.toml": early_help_example(), "outcome.toml": OUTCOME})
    assert "dimension outcome: added" in said
    return _load_extract(outcome_settings, tmp_path_factory.mktemp("outcome_extract"))


def test_a_dimension_from_its_own_column_filters_its_kpis_in_the_cube_the_events_and_the_app(
    loaded_with_outcome, outcome_settings, monkeypatch
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

    env = os.environ | {
        "SAFEGUARD_HOME": str(outcome_settings.home),
        "SAFEGUARD_PSEUDONYMISATION_KEY": "test-key",
    }
    shown = subprocess.run(
        [sys.executable, "-c", FILTER_BAR], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert shown.returncode == 0, shown.stderr
    control, query = shown.stdout.splitlines()
    assert control == (
        "filter-outcome|Early help outcome|{'completed': 'Completed', 'withdrawn': 'Withdrawn', 'Unknown': 'Still open'}"
    )
    assert query == (
        "?period=R12-2025-03&la=E08000021&outcome=withdrawn&outcome=Unknown|{'outcome': ('withdrawn', 'Unknown')}|"
        "12 months to March 2025 (Apr 2024 to Mar 2025); Newcastle upon Tyne; early help outcome: Withdrawn, Still open"
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
search = "?period=R12-2025-03&la=E08000021&kpi=eh_completed_45wd"
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
    # In time, in the 12 months to March 2025: EH1 (completed 11 June 2024) and EH5 (3 March 2025,
    # a Schools one); EH2 took 51 working days.
    assert json.loads(rows) == [
        {"subject_id": stored["EH1"], "event_date": "2024-06-11"},
        {"subject_id": stored["EH5"], "event_date": "2025-03-03"},
    ]
    assert executive == "True True" and linked == "True"
    assert [str(d.date()) for d in schools.rows["event_date"]] == ["2025-03-03"] and schools.count == 1
    assert protected.withheld and protected.rows is None and protected.count is None


# --- the app served over the home, as the data team uses it ---


def _request(url: str, body: dict | None = None) -> bytes:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode() if body is not None else None,
        headers={
            "Cookie": f"{SESSION_COOKIE}={session_cookie(DATA_TEAM)}",
            "Content-Type": "application/json",
        },
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.read()


def _callback(url: str, outputs: list[tuple[str, str]], inputs, state, changed: str) -> dict:
    def dependencies(pairs):
        return [{"id": i, "property": p, "value": v} for i, p, v in pairs]

    payload = {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",  # two or more outputs
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": dependencies(inputs),
        "changedPropIds": [changed],
        "state": dependencies(state),
    }
    return json.loads(_request(url + "/_dash-update-component", payload))["response"]


def _layout(url: str, path: str) -> dict:
    """A page's layout as Dash's router gives it to the browser, its static parts parsed back."""
    from tests.app.serving import expanded

    return expanded(
        _callback(
            url,
            [("_pages_content", "children"), ("_pages_store", "data")],
            [("_pages_location", "pathname", path), ("_pages_location", "search", VIEW)],
            [],
            "_pages_location.pathname",
        )["_pages_content"]["children"]
    )


def _texts(node) -> list[str]:
    """Every string in a layout, in order."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [text for child in node for text in _texts(child)]
    if isinstance(node, dict):
        return _texts(node.get("props", {}).get("children"))
    return []


def _card(layout: dict, kpi_id: str) -> str:
    card = find_component(layout, f"card-{kpi_id}")
    assert card is not None, f"no card for {kpi_id}"
    return " ".join(" ".join(_texts(card)).split())


@pytest.fixture(scope="module")
def app_url(loaded, settings, tmp_path_factory):
    """The app over the home, after the data team set its targets on the Targets page."""
    add_test_users(settings.home)
    server = serve(settings.home, tmp_path_factory.mktemp("early_help_server"))
    url = next(server)
    for kpi_id, value in TARGETS.items():
        said = _callback(
            url,
            [("target-status", "children"), ("targets-history", "children")],
            [("target-save", "n_clicks", 1)],
            [
                ("target-kpi", "value", kpi_id),
                ("target-la", "value", LA),
                ("target-from", "value", "2024-04-01"),
                ("target-value", "value", value),
                ("target-tolerance", "value", 5),
            ],
            "target-save.n_clicks",
        )["target-status"]["children"]
        assert said.startswith("Set: "), said
    yield url
    next(server, None)


def test_the_page_shows_the_figures_with_the_targets_rag_and_spc(app_url):
    page = _layout(app_url, "/early-help")
    started, in_time = _card(page, "eh_assessments"), _card(page, "eh_completed_45wd")
    year = "12 months to March 2025 (Apr 2024 to Mar 2025)"
    assert started.startswith(
        f"{STARTED_TITLE} local definition 5 ✔ On target: target 4 {year} ~ {SPC_WORDS['eh_assessments']} "
    )
    # The 12 months to February 2025 also hold all five starts, and two completions (EH1 in time, EH2
    # not): 50%.
    assert "0 (0.0%) on 12 months to Feb 2025" in started  # nothing moved: no sign
    assert in_time.startswith(
        f"{IN_TIME_TITLE} local definition 66.7% ▲ Near target: target 70.0% {year} · 2 of 3 "
        f"– {SPC_WORDS['eh_completed_45wd']} "
    )
    # worked from the figures as shown: 66.7% on 50.0% is +16.7 points, and 16.7 / 50.0 = +33.4%
    assert "+16.7 points (+33.4%) (better) on 12 months to Feb 2025" in in_time


def test_the_executive_summary_includes_the_kpi_the_model_puts_in_it(app_url):
    summary = _layout(app_url, "/")
    assert _card(summary, "eh_completed_45wd").startswith(
        f"{IN_TIME_TITLE} local definition 66.7% ▲ Near target"
    )
    assert find_component(summary, "card-eh_assessments") is None  # not in the executive set


def test_the_scorecard_workbook_has_each_kpi_under_its_priority_with_figures_rag_and_spc(app_url):
    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(_request(app_url + "/scorecard.xlsx" + VIEW))).active
    header = next(row for row in range(1, 20) if sheet.cell(row, 1).value == "KPI")
    headings = [cell.value for cell in sheet[header]]
    rows = {sheet.cell(row, 1).value: row for row in range(header + 1, sheet.max_row + 1)}
    # The scorecard runs to Q4 2024/25, the last quarter of the year viewed; both KPIs close the front door
    # priority, after its built-in KPIs, in the order the model declares them.
    assert headings[2:6] == ["Q1 2024/25", "Q2 2024/25", "Q3 2024/25", "Q4 2024/25"]
    titles = list(rows)
    front_door = titles.index("Front door: the right help at the right time")
    assert titles[titles.index("Protecting children at risk") - 2 :][:2] == [STARTED_TITLE, IN_TIME_TITLE]
    assert front_door < titles.index(STARTED_TITLE)

    def line(title: str) -> dict:
        return dict(zip(headings, (cell.value for cell in sheet[rows[title]]), strict=True))

    started, in_time = line(STARTED_TITLE), line(IN_TIME_TITLE)
    assert [started[q] for q in headings[2:6]] == [4, 0, 0, 1]
    assert (started["Target"], started["RAG"]) == (4, "Off target")
    assert [in_time[q] for q in ("Q1 2024/25", "Q2 2024/25", "Q4 2024/25")] == [1.0, 0.0, 1.0]  # Excel's 100%
    assert (in_time["Target"], in_time["RAG"]) == (0.7, "On target")
    assert started["SPC variation"] == SPC_WORDS["eh_assessments"]
    assert in_time["SPC variation"] == SPC_WORDS["eh_completed_45wd"]


@pytest.mark.browser
def test_the_meeting_pack_pdf_shows_the_figures_and_rag(app_url):
    from pypdf import PdfReader

    pdf = _request(app_url + "/pack.pdf" + VIEW + "&section=early-help")
    cover, *pages = (" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(pdf)).pages)
    assert "2. Early help: 2 KPIs" in cover
    text = " ".join(pages)
    executive = text[text.index("Executive summary") : text.index("Early help Also on this dashboard")]
    assert f"{IN_TIME_TITLE} local definition 66.7% ▲ Near target: target 70.0% " in executive
    assert f"– {SPC_WORDS['eh_completed_45wd']}" in executive
    # the early help section prints the card the executive summary has not (each card once)
    section = text[text.index("Early help Also on this dashboard") :]
    assert f"earlier in the pack: {IN_TIME_TITLE}." in section
    assert f"{STARTED_TITLE} local definition 5 ✔ On target: target 4 " in section
    assert f"~ {SPC_WORDS['eh_assessments']}" in section


def test_the_exception_report_judges_its_kpis_like_the_built_in_ones(app_url):
    report = _request(app_url + f"/exceptions.md?la={LA}").decode()
    # The report's 6 months to March 2025 (October to March) hold one start (EH5, January) against a
    # target of 4: off target beyond the 5% band, and down from the 4 of April to September (-75%).
    # Its one completion (EH5, in time) is 100%, up from 50%: not an exception.
    started = next(block for block in report.split("\n## ") if block.startswith(STARTED_TITLE))
    assert "Off target" in started and "Worse than the previous period" in started
    assert not any(block.startswith(IN_TIME_TITLE) for block in report.split("\n## "))
