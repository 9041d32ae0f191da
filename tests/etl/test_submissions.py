"""Figures submitted by agencies, from the template to the warehouse: the template made from the model
and read back (workbook and CSV twin), every check with its message naming the file, sheet, row and
field, a bad file refused whole with nothing already loaded lost, a correction superseding the figures
it corrects with both kept, the same figures again changing nothing, and the inbox taking a file."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from etl.cli import app
from etl.inbox import inbox_folders, run_inbox
from etl.readers.figures import COLUMNS
from tests.etl import submission_fixtures
from tests.etl.submission_fixtures import HEALTH_PARTNER, NEWCASTLE, NORTHUMBERLAND, POLICE_PARTNER, TODAY

# A warehouse whose model declares figures, made once for the module and copied for each test.
figures_base, figures_home = submission_fixtures.figures_base, submission_fixtures.figures_home

# The template's rows for the two LAs (the model's order: LA, then measure, then part), from row 2.
KEYS = [
    (la, measure, part)
    for la in (NEWCASTLE, NORTHUMBERLAND)
    for measure, part in (
        ("pr_incidents", "0-12"),
        ("pr_incidents", "13-17"),
        ("pr_encompass", ""),
        ("pr_satisfaction", ""),
    )
]
# What the police type in, row by row: Newcastle's then Northumberland's.
TYPED = [14, 9, 31, 4.5, 6, 2, 12, 3.75]


def cli(*args: str):
    result = CliRunner().invoke(app, list(args))
    return result


def make_template(folder: Path, *las: str) -> Path:
    out = folder / "police-q1.xlsx"
    la_options = [option for la in las for option in ("--la", la)]
    result = cli("template", "--agency", "Police", "--period", "2025-26-Q1", *la_options, "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


def fill(template: Path, to: Path, values: list) -> Path:
    workbook = load_workbook(template)
    sheet = workbook["Figures"]
    value_column = COLUMNS.index("value") + 1
    for row_number, value in enumerate(values, start=2):
        sheet.cell(row_number, value_column).value = value
    workbook.save(to)
    return to


def current(settings) -> dict[tuple[str, str, str], float | None]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        rows = con.execute("SELECT la_code, measure, part, value FROM current_figure").fetchall()
    return {(la, measure, part): value for la, measure, part, value in rows}


def submit(path: Path, *options: str):
    return cli("submit", str(path), "--today", TODAY.isoformat(), *options)


def test_the_template_is_made_from_the_model_with_its_keys_locked_and_values_checked(figures_home, tmp_path):
    out = make_template(tmp_path, NEWCASTLE, NORTHUMBERLAND)
    workbook = load_workbook(out)
    assert workbook.sheetnames == ["Instructions", "Figures"]
    sheet = workbook["Figures"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert tuple(rows[0]) == COLUMNS
    index = {column: i for i, column in enumerate(COLUMNS)}
    assert [(r[index["la_code"]], r[index["measure"]], r[index["part"]] or "") for r in rows[1:]] == KEYS
    assert {(r[index["dataset"]], r[index["agency"]], r[index["period"]]) for r in rows[1:]} == {
        ("police_returns", "Police", "2025-26-Q1")
    }
    assert rows[1][index["la_name"]] == "Newcastle upon Tyne"
    assert rows[1][index["part_label"]] == "Children aged 0 to 12"
    # The keys are locked on a protected sheet; the value and not_available cells are not.
    assert sheet.protection.sheet
    assert sheet.cell(2, index["la_code"] + 1).protection.locked
    assert not sheet.cell(2, index["value"] + 1).protection.locked
    assert not sheet.cell(2, index["not_available"] + 1).protection.locked
    # Counts take whole numbers of 0 or more; the satisfaction score (a number) decimals of 0 or more.
    checks = {
        (v.type, v.operator, v.formula1): {str(r) for r in v.sqref.ranges}
        for v in sheet.data_validations.dataValidation
    }
    assert checks[("whole", "greaterThanOrEqual", "0")] == {"K2", "K3", "K4", "K6", "K7", "K8"}
    assert checks[("decimal", "greaterThanOrEqual", "0")] == {"K5", "K9"}
    assert checks[("list", None, '"yes"')] == {f"L{n}" for n in range(2, 10)}
    guide = [row[0] for row in workbook["Instructions"].iter_rows(values_only=True)]
    assert guide[0] == "Figures submitted by Police: Q1 2025/26"
    text = " ".join(str(v) for row in workbook["Instructions"].iter_rows(values_only=True) for v in row if v)
    # Due 20 days after 30 June 2025; each measure's definition and unit; how to correct.
    assert "20 July 2025: Police returns, 20 days after the period ends" in text
    assert "Mean satisfaction score of victims surveyed. (at the period's end)" in text
    assert "a number, 0 or more (decimals allowed)" in text
    assert "To correct figures already sent, upload the file again for the same period" in text
    # The CSV twin: the same columns and rows.
    twin = list(csv.reader(io.StringIO(out.with_suffix(".csv").read_text(encoding="utf-8"))))
    assert twin[0] == list(COLUMNS)
    assert [[cell or "" for cell in row] for row in twin[1:]] == [
        ["" if v is None else str(v) for v in row] for row in rows[1:]
    ]


def test_a_filled_template_loads_the_figures_typed_and_the_csv_twin_too(figures_home, tmp_path):
    template = make_template(tmp_path, NEWCASTLE, NORTHUMBERLAND)
    result = submit(fill(template, tmp_path / "filled.xlsx", TYPED))
    assert result.exit_code == 0, result.output
    assert current(figures_home) == dict(zip(KEYS, TYPED, strict=True))
    with duckdb.connect(str(figures_home.warehouse_path), read_only=True) as con:
        loads = con.execute(
            "SELECT load_id, file_name, source_format, dataset, la_code, coverage_start, coverage_end, status, "
            "rows_read, rows_loaded FROM etl_load ORDER BY load_id"
        ).fetchall()
        submissions = con.execute(
            "SELECT submission_id, load_id, la_code, agency, source, file_name FROM submission ORDER BY 1"
        ).fetchall()
    from datetime import date

    q1 = (date(2025, 4, 1), date(2025, 6, 30))
    # One load (and one submission) per LA, each of its four figures.
    assert loads == [
        (1, "filled.xlsx (Figures)", "figures_xlsx", "police_returns", NEWCASTLE, *q1, "loaded", 4, 4),
        (2, "filled.xlsx (Figures)", "figures_xlsx", "police_returns", NORTHUMBERLAND, *q1, "loaded", 4, 4),
    ]
    assert submissions == [
        (1, 1, NEWCASTLE, "Police", "upload", "filled.xlsx"),
        (2, 2, NORTHUMBERLAND, "Police", "upload", "filled.xlsx"),
    ]


def test_the_csv_twin_filled_in_loads_too(figures_home, tmp_path):
    template = make_template(tmp_path, NEWCASTLE)
    rows = list(csv.DictReader(io.StringIO(template.with_suffix(".csv").read_text(encoding="utf-8"))))
    for row, value in zip(rows, ["1", "2", "3", ""], strict=True):
        row["value"] = value
    rows[3]["not_available"] = "yes"  # no satisfaction survey this quarter
    filled = tmp_path / "filled.csv"
    with filled.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    assert submit(filled).exit_code == 0
    assert current(figures_home) == dict(zip(KEYS[:4], [1, 2, 3, None], strict=True))


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def good_rows() -> list[dict[str, str]]:
    """Newcastle's four rows, filled in as TYPED."""
    return [
        dict.fromkeys(COLUMNS, "")
        | {"dataset": "police_returns", "agency": "Police", "period": "2025-26-Q1", "la_code": la}
        | {"measure": measure, "part": part, "value": str(value)}
        for (la, measure, part), value in zip(KEYS[:4], TYPED[:4], strict=True)
    ]


COUNT = "pr_incidents is a count: a whole number, 0 or more"
# (what is wrong, the change to a row (index from 0: row 2 of the file is index 0), the message).
MISTAKES = [
    ("a negative count", (0, {"value": "-3"}), f"bad.csv, row 2, value: -3 is negative; {COUNT}"),
    (
        "a fraction of a count",
        (1, {"value": "2.5"}),
        f"bad.csv, row 3, value: 2.5 is not a whole number; {COUNT}",
    ),
    ("not a number", (0, {"value": "lots"}), f"bad.csv, row 2, value: 'lots' is not a number; {COUNT}"),
    (
        "a blank figure",
        (2, {"value": ""}),
        "bad.csv, row 4, value: blank: give the figure, or write yes under not_available if it is not available",
    ),
    (
        "a figure marked not available",
        (2, {"not_available": "yes"}),
        "bad.csv, row 4, value: the row is marked not available but holds a figure: clear one of them",
    ),
    (
        "not yes or blank",
        (2, {"not_available": "maybe"}),
        "bad.csv, row 4, not_available: 'maybe': write yes, or leave it blank",
    ),
    (
        "a negative score",
        (3, {"value": "-0.5"}),
        "bad.csv, row 5, value: -0.5 is negative; pr_satisfaction is a number, 0 or more (decimals allowed)",
    ),
    (
        "another agency",
        (0, {"agency": "Health"}),
        "bad.csv, row 2, agency: police_returns is submitted by Police, not 'Health'",
    ),
    (
        "an unknown dataset",
        (0, {"dataset": "police"}),
        (
            "bad.csv, row 2, dataset: 'police' is not a dataset of figures; known: education_returns, "
            "health_returns, partnership_returns, police_returns, training_returns"
        ),
    ),
    (
        "a month for quarterly figures",
        (0, {"period": "2025-07"}),
        (
            "bad.csv, row 2, period: '2025-07' is not a period of police_returns, which is quarterly: give a quarter "
            "of a financial year, such as 2025-26-Q1 (April to June 2025)"
        ),
    ),
    (
        "a quarter not yet ended",
        (0, {"period": "2025-26-Q3"}),
        "bad.csv, row 2, period: Q3 2025/26 ends on 31 December 2025: its figures are submitted once it has ended",
    ),
    (
        "an unknown LA",
        (0, {"la_code": "E09999999"}),
        "bad.csv, row 2, la_code: 'E09999999' is not the code of an English LA (E08000021)",
    ),
    (
        "an unknown measure",
        (2, {"measure": "pr_arrests"}),
        (
            "bad.csv, row 4, measure: 'pr_arrests' is not a measure of police_returns; its measures: pr_incidents, "
            "pr_encompass, pr_satisfaction"
        ),
    ),
    (
        "an unknown part",
        (1, {"part": "18+"}),
        "bad.csv, row 3, part: '18+' is not one of its parts: pr_incidents is given by its parts 0-12, 13-17, one row each",
    ),
    (
        "the whole of a measure given by parts",
        (1, {"part": ""}),
        "bad.csv, row 3, part: the whole is not given: pr_incidents is given by its parts 0-12, 13-17, one row each",
    ),
    (
        "a part of a whole figure",
        (2, {"part": "all"}),
        "bad.csv, row 4, part: pr_encompass has no parts: leave part blank, not 'all'",
    ),
    (
        "a figure given twice",
        (3, {"measure": "pr_encompass", "value": "30"}),
        (
            "bad.csv, row 5, measure: the same figure (E08000021, pr_encompass, part (whole), 2025-26-Q1) as row 4: "
            "give each figure once"
        ),
    ),
]


@pytest.mark.parametrize("change, message", [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES])
def test_each_mistake_is_refused_naming_the_file_row_and_field_and_nothing_loaded_is_lost(
    figures_home, tmp_path, change, message
):
    assert submit(write_csv(tmp_path / "good.csv", good_rows())).exit_code == 0
    before = current(figures_home)
    rows = good_rows()
    index, values = change
    rows[index] |= values
    result = submit(write_csv(tmp_path / "bad.csv", rows))
    assert result.exit_code == 1
    assert message in " ".join(result.output.split()), result.output
    assert current(figures_home) == before  # nothing of the bad file, nothing of the good one lost
    with duckdb.connect(str(figures_home.warehouse_path), read_only=True) as con:
        # The refused file is in the load history, its problem among the rejections.
        assert con.execute("SELECT status, rows_loaded FROM etl_load WHERE load_id = 2").fetchone() == (
            "failed",
            0,
        )
        assert con.execute("SELECT message FROM etl_rejection WHERE load_id = 2").fetchall() == [(message,)]
        assert con.execute("SELECT count(*) FROM submission").fetchone() == (1,)


def test_a_workbooks_messages_name_its_sheet_and_every_problem_at_once(figures_home, tmp_path):
    template = make_template(tmp_path, NEWCASTLE)
    result = submit(fill(template, tmp_path / "bad.xlsx", [-1, 2, 3.5, None]))
    assert result.exit_code == 1
    said = " ".join(result.output.split())
    assert "bad.xlsx, sheet Figures, row 2, value: -1 is negative" in said
    assert "bad.xlsx, sheet Figures, row 4, value: 3.5 is not a whole number" in said
    assert "bad.xlsx, sheet Figures, row 5, value: blank: give the figure" in said
    assert current(figures_home) == {}


def test_a_partner_submits_for_its_own_agency_and_las_only(figures_home, tmp_path):
    both = make_template(tmp_path, NEWCASTLE, NORTHUMBERLAND)
    filled = fill(both, tmp_path / "filled.xlsx", TYPED)
    by_health = submit(filled, "--as", HEALTH_PARTNER)
    assert by_health.exit_code == 1
    assert f"row 2, agency: {HEALTH_PARTNER} submits for Health, not Police" in " ".join(
        by_health.output.split()
    )
    by_police = submit(filled, "--as", POLICE_PARTNER)
    assert by_police.exit_code == 1  # Northumberland's rows: Newcastle only
    assert f"row 6, la_code: {POLICE_PARTNER} submits for E08000021, not E06000057" in " ".join(
        by_police.output.split()
    )
    (tmp_path / "nc").mkdir()
    newcastle = fill(make_template(tmp_path / "nc", NEWCASTLE), tmp_path / "nc.xlsx", TYPED[:4])
    assert submit(newcastle, "--as", POLICE_PARTNER).exit_code == 0
    with duckdb.connect(str(figures_home.warehouse_path), read_only=True) as con:
        assert con.execute("SELECT submitted_by, la_code FROM submission").fetchall() == [
            (POLICE_PARTNER, NEWCASTLE)
        ]


def test_a_correction_supersedes_and_both_are_kept_and_the_same_figures_again_change_nothing(
    figures_home, tmp_path
):
    template = make_template(tmp_path, NEWCASTLE, NORTHUMBERLAND)
    assert submit(fill(template, tmp_path / "first.xlsx", TYPED)).exit_code == 0
    # Newcastle's Encompass count corrected from 31 to 33; Northumberland's figures are as before.
    corrected = [*TYPED[:2], 33, *TYPED[3:]]
    result = submit(
        fill(template, tmp_path / "corrected.xlsx", corrected), "--note", "late notifications added"
    )
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert (
        "Police returns of Newcastle upon Tyne (E08000021) for Q1 2025/26: submission 3, 4 figures, correcting 1 figure"
        in said
    )
    assert (
        "Police returns of Northumberland (E06000057) for Q1 2025/26: the same figures as the warehouse holds; nothing changed"
        in said
    )
    assert current(figures_home) == dict(zip(KEYS, corrected, strict=True))
    with duckdb.connect(str(figures_home.warehouse_path), read_only=True) as con:
        history = con.execute(
            "SELECT submission_id, file_name, note, previous_value, value, revision FROM figure_history "
            "WHERE la_code = ? AND measure = 'pr_encompass' ORDER BY submission_id",
            [NEWCASTLE],
        ).fetchall()
        assert history == [
            (1, "first.xlsx", None, None, 31.0, 0),
            (3, "corrected.xlsx", "late notifications added", 31.0, 33.0, 1),
        ]
        assert con.execute("SELECT count(*) FROM submission").fetchone() == (3,)
    # The corrected file's figures again, in a CSV: the same figures, nothing recorded.
    rows = [
        dict.fromkeys(COLUMNS, "")
        | {"dataset": "police_returns", "agency": "Police", "period": "2025-26-Q1", "la_code": la}
        | {"measure": measure, "part": part, "value": str(value)}
        for (la, measure, part), value in zip(KEYS, corrected, strict=True)
    ]
    again = submit(write_csv(tmp_path / "again.csv", rows))
    assert again.exit_code == 0 and again.output.count("nothing changed") == 2
    with duckdb.connect(str(figures_home.warehouse_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM submission").fetchone() == (3,)


def test_the_inbox_loads_a_file_of_figures_as_the_inbox(figures_home, tmp_path):
    template = make_template(tmp_path, NEWCASTLE)
    folders = inbox_folders(figures_home)
    fill(template, folders.inbox / "police.xlsx", TYPED[:4])
    run = run_inbox(figures_home, folders, settle_seconds=0, today=TODAY, log=lambda *a, **k: None)
    assert run.exit_code == 0 and [f.status for f in run.files] == ["loaded"]
    assert run.files[0].moved_to.parent.parent == folders.archive
    assert current(figures_home) == dict(zip(KEYS[:4], TYPED[:4], strict=True))
    with duckdb.connect(str(figures_home.warehouse_path), read_only=True) as con:
        assert con.execute("SELECT source, file_name FROM submission").fetchall() == [
            ("inbox", "police.xlsx")
        ]


def test_a_template_is_asked_of_an_agency_that_submits_for_a_period_of_its_cadence(figures_home, tmp_path):
    out = str(tmp_path / "t.xlsx")
    housing = cli(
        "template", "--agency", "Housing", "--period", "2025-26-Q1", "--la", NEWCASTLE, "--out", out
    )
    assert housing.exit_code == 2
    assert (
        "'Housing' submits no figures in the model; the agencies that do: Health, Local authority, Police, "
        "Schools and education" in " ".join(housing.output.split())
    )
    monthly = cli("template", "--agency", "police", "--period", "2025-07", "--la", NEWCASTLE, "--out", out)
    assert monthly.exit_code == 2
    assert (
        "'2025-07' is not a period of Police's figures: police_returns is quarterly: give a quarter of a "
        "financial year, such as 2025-26-Q1 (April to June 2025)" in " ".join(monthly.output.split())
    )
    # A quarter still running on the day: its template is refused, as its figures would be, row by row.
    running = cli(
        "template", "--agency", "Police", "--period", "2025-26-Q3", "--la", NEWCASTLE, "--out", out,
        "--today", "2025-12-31",
    )  # fmt: skip
    assert running.exit_code == 2
    assert "Q3 2025/26 ends on 31 December 2025: its figures are submitted once it has ended" in " ".join(
        running.output.split()
    )
    assert not (tmp_path / "t.xlsx").exists()
    # The council's training figures are yearly: the template of 2024/25, as a CSV alone.
    training = cli(
        "template",
        "--agency",
        "Local authority",
        "--period",
        "2024-25",
        "--la",
        NEWCASTLE,
        "--out",
        str(tmp_path / "t.csv"),
    )
    assert training.exit_code == 0, training.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "t.csv").read_text(encoding="utf-8"))))
    assert [(r["dataset"], r["period"], r["la_code"], r["measure"], r["unit"]) for r in rows] == [
        ("training_returns", "2024-25", NEWCASTLE, "tr_attendees", "count")
    ]
    assert not (tmp_path / "t.xlsx").exists()
