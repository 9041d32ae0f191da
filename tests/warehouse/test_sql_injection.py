"""SQL metacharacters in a filter are only values: they match no row, break no query and change
nothing; the URL parser drops them before the engine; and no warehouse code splices values into SQL."""

from __future__ import annotations

import ast
import re
import shutil
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import duckdb
import pytest

from app.filters import DIMENSIONS, FilterOptions, parse_query
from warehouse.kpis.engine import Filters, evaluate, records
from warehouse.kpis.periods import parse_period
from warehouse.kpis.registry import REGISTRY, get_kpi
from warehouse.kpis.suppression import NO_SUPPRESSION
from warehouse.model.files import active_model

WAREHOUSE = Path(__file__).resolve().parents[2] / "warehouse"
CITY = "E08000021"
PERIOD = parse_period("R12-2026-10")  # the demo's default view: the 12 months to October 2026

HOSTILE = [
    "' OR 1=1 --",
    "x'; DROP TABLE contact; --",
    "%",
    "_",
    "\\",
    "'",
    '"; DELETE FROM contact; --',
    "$la_codes",
    "?",
]

# Every filter -> (a KPI whose rows carry that dimension, the kpi_cube column that holds it): every
# dimension of the model, so a new one is attacked too.
FIELDS = {"la_codes": ("contacts", "la_code")} | {
    d.id: (next(k.id for k in REGISTRY.values() if d.id in k.dimensions and not k.is_share), d.cube_column)
    for d in active_model().dimensions
}


@pytest.fixture(scope="module")
def con(demo_home: Path, tmp_path_factory: pytest.TempPathFactory):
    """A writable copy of the demo warehouse: a DROP that got through would really drop."""
    copy = tmp_path_factory.mktemp("injection") / "warehouse.duckdb"
    shutil.copy2(demo_home / "warehouse.duckdb", copy)
    with duckdb.connect(str(copy)) as connection:
        yield connection


def _filters(field: str, values: tuple[str, ...]) -> Filters:
    if field == "la_codes":
        return Filters(la_codes=values)
    return Filters(la_codes=(CITY,), **{field: values})


def _table_counts(con) -> dict[str, int]:
    return {
        table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # names are this test's own
        for table in ("contact", "referral", "cp_plan", "missing_episode", "kpi_cube", "etl_load")
    }


@pytest.mark.parametrize("field", FIELDS)
def test_hostile_values_in_every_filter_match_nothing_and_change_nothing(con, field):
    kpi_id, column = FIELDS[field]
    before = _table_counts(con)
    # Worked out apart from the engine: no cube row holds any of these values...
    holding = con.execute(
        f"SELECT count(*) FROM kpi_cube WHERE list_contains(?, {column})", [HOSTILE]
    ).fetchone()[0]
    assert holding == 0
    # ... while the unfiltered figure is not zero, so a zero below is the filter at work.
    [unfiltered] = evaluate(con, [kpi_id], PERIOD, Filters(la_codes=(CITY,)))
    assert unfiltered.current.numerator > 0

    # An LA named by a hostile value has nothing loaded: its figures are "no data", not 0. The
    # values go in together (each is a parameter of its own, so one that got spliced into the SQL
    # would break the query or match rows whichever others stand beside it).
    nothing = None if field == "la_codes" else 0
    hostile = _filters(field, tuple(HOSTILE))
    for source in ("cube", "raw"):
        [result] = evaluate(con, [kpi_id], PERIOD, hostile, source=source)
        assert result.current.numerator == nothing, source
        assert [f.numerator for f in result.series] == [nothing] * len(result.series), source
    listed = records(con, get_kpi(kpi_id), PERIOD, hostile, NO_SUPPRESSION)
    assert listed.count == 0 and listed.rows.empty
    # All at once, beside a real value: the real one still counts, the others add nothing.
    if field != "la_codes":
        real = con.execute(
            f"SELECT any_value({column}) FROM kpi_cube WHERE la_code = ? AND measure = ? "
            f"AND {column} IS NOT NULL",
            [CITY, get_kpi(kpi_id).numerator],
        ).fetchone()[0]
        [alone] = evaluate(con, [kpi_id], PERIOD, _filters(field, (real,)))
        [mixed] = evaluate(con, [kpi_id], PERIOD, _filters(field, (real, *HOSTILE)))
        assert mixed.current.numerator == alone.current.numerator > 0
    assert _table_counts(con) == before


def _options() -> FilterOptions:
    return FilterOptions(
        las={CITY: "Newcastle upon Tyne"},
        dimension_values={
            "area": {"NCL-E": "East"},
            "agency": {"Police": "Police"},
            "ethnicity": {"WBRI": "White British"},
            "gender": {"F": "Female"},
            "category": {"N": "Neglect"},
        },
        first_month=date(2024, 11, 1),
        last_month=date(2026, 10, 1),
    )


def test_the_url_parser_drops_hostile_values_and_keeps_real_ones():
    params = ["la", *DIMENSIONS]
    real = {
        "la": CITY,
        "area": "NCL-E",
        "agency": "Police",
        "age": "5-9",
        "gender": "F",
        "ethnicity": "WBRI",
        "category": "N",
        "care": "In care",
        "disability": "Disabled",
        "exploitation": "CCE",
        "risk": "high",
        "sector": "education",
        "allegation": "physical",
        "lado_outcome": "false",
        "dash": "high",
    }
    query = [("period", "R12-2026-10")] + [(param, value) for param in params for value in HOSTILE]
    view = parse_query("?" + urlencode(query), _options())
    # every hostile value is dropped; the view names the scope's first LA, as a link without one does
    assert {param: view.values(param) for param in params} == {param: () for param in params} | {
        "la": (CITY,)
    }
    view = parse_query("?" + urlencode(query + list(real.items())), _options())
    assert {param: view.values(param) for param in params} == {
        param: (value,) for param, value in real.items()
    }
    # A hostile period falls back to the default rather than reaching the engine.
    assert (
        parse_query("?" + urlencode({"period": "R12-2026-10' OR 1=1 --"}), _options()).period == "R12-2026-10"
    )


# --- no SQL is built by splicing values in ---

# Only the load that replaces a window, and the count of what it would replace (the shrink guard),
# format their SQL, with table and column names that come from the model's datasets (never from a file or
# a request): any other placeholder is new and must be looked at.
FORMATTED_SQL = {
    "loads/replace_window.sql": {"table", "event_date", "id_column"},
    "loads/window_rows.sql": {"table", "event_date"},
}
SQL_WORDS = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|WHERE|JOIN|VALUES|DROP|CREATE)\b")
PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)\}(?!\})")


def _without_comments(sql: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


def test_no_sql_file_in_the_warehouse_has_python_placeholders():
    found = {}
    for path in sorted(WAREHOUSE.rglob("*.sql")):
        sql = _without_comments(path.read_text(encoding="utf-8"))
        placeholders = set(PLACEHOLDER.findall(sql)) | ({"%"} if re.search(r"%s|%\(", sql) else set())
        if placeholders:
            found[path.relative_to(WAREHOUSE).as_posix()] = placeholders
    assert found == FORMATTED_SQL


def _spliced_sql(node: ast.AST) -> str | None:
    """The SQL text of an f-string, a str.format() or a % / + on a literal, if it reads like SQL."""
    if isinstance(node, ast.JoinedStr):
        text = "".join(part.value for part in node.values if isinstance(part, ast.Constant))
        return text if SQL_WORDS.search(text) else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        target = node.func.value
        if (
            isinstance(target, ast.Constant)
            and isinstance(target.value, str)
            and SQL_WORDS.search(target.value)
        ):
            return target.value
        # "...".read_text().format(...): SQL read from a file and then formatted
        if (
            isinstance(target, ast.Call)
            and isinstance(target.func, ast.Attribute)
            and target.func.attr == "read_text"
        ):
            return ast.unparse(node)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        for side in (node.left, node.right):
            if (
                isinstance(side, ast.Constant)
                and isinstance(side.value, str)
                and SQL_WORDS.search(side.value)
            ):
                return side.value
            if isinstance(side, ast.BinOp):  # "SELECT ... '" + value + "'" nests one BinOp in another
                return _spliced_sql(side)
    return None


# The one module that writes SQL text: from the model's declarations, whose names are checked
# identifiers and whose labels it quotes (tests/warehouse/model/test_model_sql.py attacks it).
MODEL_SQL = WAREHOUSE / "model" / "sql.py"


def test_no_warehouse_module_splices_values_into_sql():
    found = []
    for path in sorted(p for p in WAREHOUSE.rglob("*.py") if p != MODEL_SQL):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            sql = _spliced_sql(node)
            if sql is not None:
                found.append(f"{path.relative_to(WAREHOUSE)}:{node.lineno}: {sql.strip()[:60]}")
    assert found == []


def test_the_splice_check_would_see_the_usual_ways_of_splicing():
    """The check above is only worth something if it flags what it is for, and not ordinary text."""
    flagged = [
        "f\"SELECT * FROM contact WHERE agency = '{agency}'\"",
        "\"SELECT * FROM contact WHERE agency = '{}'\".format(agency)",
        "\"SELECT * FROM contact WHERE agency = '%s'\" % agency",
        '"SELECT * FROM contact WHERE agency = \'" + agency + "\'"',
        "path.read_text().format(table=name)",
    ]
    ordinary = [
        'f"No warehouse at {path}: load some extracts first"',
        '"rows from {} to {}".format(a, b)',
        'f"{a.kpi.title}, {period}"',
    ]
    assert [_spliced_sql(ast.parse(code, mode="eval").body) is not None for code in flagged] == [True] * len(
        flagged
    )
    assert [_spliced_sql(ast.parse(code, mode="eval").body) for code in ordinary] == [None] * len(ordinary)
