"""`safeguard model check` and `apply`: a data team's own KPI, page and dimension, from files in
$SAFEGUARD_HOME/model, checked, applied in one atomic swap, and refused whole when wrong."""

from __future__ import annotations

import csv

import duckdb
import pytest
from typer.testing import CliRunner

from etl.cli import app
from tests.helpers import early_help_example, write_extract
from warehouse.kpis.engine import Filters, evaluate
from warehouse.kpis.periods import financial_year
from warehouse.model.files import model_for, read_model

LA = "E08000021"
WINDOW = {"la_code": LA, "coverage_start": "2024-04-01", "coverage_end": "2025-03-31"}
# Three children referred in 2024/25: A (a girl) twice, B (a boy) and C (gender not known) once.
REFERRALS = [
    {"child_id": "A", "gender": "F", "referral_date": "2024-05-01"},
    {"child_id": "A", "gender": "F", "referral_date": "2024-08-01"},
    {"child_id": "B", "gender": "M", "referral_date": "2024-06-01"},
    {"child_id": "C", "gender": "U", "referral_date": "2024-07-01"},
]

LOCAL_KPI_AND_PAGE = """
[[kpi]]
id = "referrals_local"
title = "Referrals (our count)"
dataset = "referrals"
unit = "count"
direction = "neutral"
timing = "flow"
numerator = "referrals"
definition = "Referrals in the period."

[[page]]
id = "our-front-door"
title = "Our front door"
intro = "The partnership's own view of referrals."
kpis = ["referrals_local", "referrals"]
trends = ["referrals_local"]
by_area = "referrals_local"
"""

# A dimension of the partnership's own, from the child's record: two groups and the rest.
LOCAL_DIMENSION = """
[[dimension]]
id = "sex"
label = "Sex (girls and boys)"
describe = "sex"
url_key = "sex"
datasets = "all"
from_child = { column = "gender", labels = { F = "Girls", M = "Boys" }, missing = "Other or not known" }
"""


@pytest.fixture
def warehouse(settings, load, tmp_path):
    load(write_extract(tmp_path / "referrals.csv", "referrals", REFERRALS, **WINDOW))
    (settings.home / "model").mkdir()
    return settings.warehouse_path


def run(*args: str):
    return CliRunner().invoke(app, ["model", *args])


def applied(path):
    with duckdb.connect(str(path), read_only=True) as con:
        return model_for(con), con.execute("SELECT count(*) FROM referral").fetchone()[0]


def test_check_lists_what_a_new_kpi_and_page_change_and_apply_makes_them_the_warehouses(warehouse, settings):
    (settings.home / "model" / "front_door.toml").write_text(LOCAL_KPI_AND_PAGE, encoding="utf-8")
    checked = run("check")
    assert checked.exit_code == 0, checked.output
    text = " ".join(checked.output.split())
    assert "kpi referrals_local: added" in text and "page our-front-door: added" in text
    assert (
        "KPIs affected: referrals_local" in text
        and "Pages affected: Our front door (/our-front-door)" in text
    )
    assert applied(warehouse)[0].kpis.keys() == read_model().kpis.keys()  # nothing applied yet

    done = run("apply")
    assert done.exit_code == 0, done.output
    model, referrals = applied(warehouse)
    assert referrals == 4 and [f.name for f in model.local_files] == ["front_door.toml"]
    assert [p.id for p in model.pages][-1] == "our-front-door"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        [local, national] = evaluate(
            con, ["referrals_local", "referrals"], financial_year(2024), Filters((LA,))
        )
    assert local.current.value == national.current.value == 4
    assert "nothing to apply" in run("check").output


def test_apply_writes_the_extract_format_and_an_example_extract_that_loads(warehouse, settings, load):
    (settings.home / "model" / "early_help.toml").write_text(early_help_example(), encoding="utf-8")
    done = run("apply")
    assert done.exit_code == 0, done.output
    docs = settings.home / "docs"
    assert f"The extract formats, example extracts and KPIs of your own are in {docs}" in " ".join(
        done.output.split()
    )
    formats = (docs / "extract-formats.md").read_text(encoding="utf-8")
    assert "### Early help assessments (`early_help`)" in formats
    assert (
        "| `lead_agency` | no | code: `Health` Health, `Schools` Schools | The lead agency, as the agency filter "
        "names it. | `Schools` |"
    ) in formats
    example = docs / "examples" / "early_help.csv"
    with example.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header == [
        "la_code", "coverage_start", "coverage_end", "eh_id", "child_id", "date_of_birth", "gender", "ethnicity",
        "disability", "area_code", "postcode", "start_date", "completed_date", "outcome", "lead_agency", "notes",
    ]  # fmt: skip
    [outcome] = load(example)
    assert (outcome.status, outcome.rows_loaded, outcome.rows_rejected) == ("loaded", 2, 0), outcome.message
    kpis = (docs / "kpis.md").read_text(encoding="utf-8")
    assert kpis.count("\n### ") == 2 and "### Early help assessments started" in kpis
    assert "dataset `early_help`; unit count" in kpis


def test_a_new_dimension_gets_its_cube_column_and_filters_figures(warehouse, settings):
    (settings.home / "model" / "sex.toml").write_text(LOCAL_DIMENSION, encoding="utf-8")
    assert run("apply").exit_code == 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT sex, sum(n) FROM kpi_cube WHERE measure = 'referrals' GROUP BY 1 ORDER BY 1"
        ).fetchall()
        # A server still on the previous model queries the new warehouse as before.
        [before] = evaluate(con, ["referrals"], financial_year(2024), Filters((LA,), gender=("F",)))
    assert rows == [("Boys", 1), ("Girls", 2), ("Other or not known", 1)]
    assert before.current.value == 2


def test_check_says_when_an_installs_own_scorecard_toml_replaces_the_models_priorities(warehouse, settings):
    assert "scorecard.toml" not in run("check").output
    own = settings.home / "scorecard.toml"
    own.write_text('[[priorities]]\ntitle = "Ours"\nkpis = ["cp_open"]\n', encoding="utf-8")
    text = " ".join(run("check").output.split())
    assert f"Note: {own} is in force: it sets the scorecard's priorities in place of the model's" in text


@pytest.mark.parametrize(
    "text, says",
    [
        ('[[kpi]]\nid = "x"\n', "kpi[0] ('x').title: Field required"),
        (LOCAL_KPI_AND_PAGE.replace('"referrals_local", "referrals"]', '"referrals_local", "nope"]'), "kpis: no KPI 'nope'"),
        (LOCAL_KPI_AND_PAGE.replace('id = "our-front-door"', 'id = "scorecard"'), "/scorecard is one of the app's own pages"),
        (LOCAL_KPI_AND_PAGE.replace('trends = ["referrals_local"]', 'trends = ["cp_open"]'), "trends: 'cp_open' is not one of the page's KPIs"),
    ],
)  # fmt: skip
def test_a_mistake_is_refused_with_file_key_and_reason_and_nothing_changes(warehouse, settings, text, says):
    (settings.home / "model" / "ours.toml").write_text(text, encoding="utf-8")
    before = warehouse.read_bytes()
    result = run("apply")
    assert result.exit_code == 1
    assert "ours.toml" in result.output and says in " ".join(result.output.split())
    assert warehouse.read_bytes() == before


def test_a_model_that_does_not_fit_the_warehouse_is_not_applied(warehouse, settings):
    """Valid on paper, but its values come from a table the warehouse does not have."""
    broken = LOCAL_DIMENSION.replace(
        'from_child = { column = "gender", labels = { F = "Girls", M = "Boys" }, missing = "Other or not known" }',
        'from_child = { column = "gender", missing = "Not known" }\n'
        'reference = { table = "ref_school", value = "code", label = "name" }',
    )
    (settings.home / "model" / "school.toml").write_text(broken, encoding="utf-8")
    before = warehouse.read_bytes()
    result = run("apply")
    assert result.exit_code == 2
    assert "Not applied" in result.output and "ref_school" in result.output
    assert warehouse.read_bytes() == before
