"""Building, migrating and opening the warehouse file.

Three kinds of SQL make the warehouse:
- schema/: the tables as release 9 made them (the baseline);
- migrations/: every change to the tables since, each file named for the version it brings the
  warehouse to (0010_cell_keys.sql makes version 10), run once, in order;
- definitions/: what holds no loaded data (macros, and the reference data shipped with the
  program: code lists, DfE/ONS tables, the bank-holiday calendar), made anew whenever they or a
  migration change.
`build_schema` makes a new warehouse from all three; `migrate` brings an existing one up to date
inside a load's copy-and-swap (etl/load/publish.py), keeping every loaded row and rebuilding the
cubes. Facts arrive only through `etl.load`.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from collections.abc import Mapping
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import holidays
import pandas as pd

from warehouse.benchmark_sources import SOURCES_FILE as BENCHMARK_SOURCES_FILE
from warehouse.benchmarks import benchmark_values, make_every_la_comparisons
from warehouse.model import sql as model_sql
from warehouse.model.datasets import REFERENCE_DIR, code_list_names
from warehouse.model.files import Model, model_for
from warehouse.queries.run import QUERIES_DIR
from warehouse.settings import environment

PACKAGE_DIR = Path(__file__).resolve().parent
SCHEMA_DIR = PACKAGE_DIR / "schema"
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"
DEFINITIONS_DIR = PACKAGE_DIR / "definitions"
BASELINE_VERSION = 9  # what schema/ builds; migrations/ holds every change since
TRANSFORMS_DIR = PACKAGE_DIR / "transforms"
LOADS_DIR = PACKAGE_DIR / "loads"
REAL_DATA_DIR = PACKAGE_DIR / "data" / "real"

CALENDAR_FIRST_DAY = date(2000, 1, 1)
CALENDAR_LAST_DAY = date(2040, 12, 31)

# Tables that hold facts or audit; everything else is reference data.
FACT_TABLES = (
    "child",
    "area",
    "contact",
    "referral",
    "s47_enquiry",
    "cp_plan",
    "missing_episode",
    "assessment",
    "cla_missing_count",
)
# Figures submitted by agencies (migrations/0014_submitted_figures.sql): kept, never replaced.
FIGURE_TABLES = ("submission", "submitted_figure")
CUBE_TABLES = (
    "kpi_cube",
    "missing_child_month",
    "kpi_cube_la",
    "missing_child_month_la",
    "measure_child_month",
    "missing_children_window_la",
    "kpi_cube_all",
)


class WarehouseError(Exception):
    """The warehouse file is missing, unreadable or of another schema version."""


def _sql_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.sql"))


def _migrations() -> list[tuple[int, Path]]:
    found = [(int(path.name.split("_", 1)[0]), path) for path in _sql_files(MIGRATIONS_DIR)]
    versions = [version for version, _ in found]
    if versions != sorted(set(versions)) or (versions and versions[0] <= BASELINE_VERSION):
        raise WarehouseError(
            f"the migrations in {MIGRATIONS_DIR} must have distinct versions above "
            f"{BASELINE_VERSION}: {versions}"
        )
    return found


SCHEMA_VERSION = max([BASELINE_VERSION, *(version for version, _ in _migrations())])


def run_sql_file(con: duckdb.DuckDBPyConnection, path: Path, **params: object) -> None:
    """Run each statement of a SQL file, binding the $named parameters that statement uses."""
    for statement in duckdb.extract_statements(path.read_text(encoding="utf-8")):
        _execute(con, statement, params)


def _execute(
    con: duckdb.DuckDBPyConnection, statement: duckdb.Statement, params: Mapping[str, object]
) -> None:
    """One parsed statement, given the $named parameters it uses."""
    wanted = statement.named_parameters
    con.execute(statement.query, {name: params[name] for name in wanted} if wanted else None)


@cache
def code_list(name: str) -> pd.DataFrame:
    """A code list from warehouse/reference, with its aliases column as text ('' if none)."""
    frame = pd.read_csv(REFERENCE_DIR / f"{name}.csv", dtype=str, keep_default_na=False)
    return frame


@cache
def english_calendar(first: date = CALENDAR_FIRST_DAY, last: date = CALENDAR_LAST_DAY) -> pd.DataFrame:
    """Every day with its financial year, quarter and working-day status (England).

    Made once per process (a new warehouse is defined from it on every first load, hundreds of
    times in the tests): copy it before changing it."""
    days = pd.date_range(first, last, freq="D")
    bank_holidays = holidays.country_holidays("GB", subdiv="ENG", years=range(first.year, last.year + 1))
    names = pd.Series([bank_holidays.get(d.date()) for d in days], index=days, dtype="object")
    fy_start = days.year - (days.month < 4).astype(int)
    is_weekend = days.day_of_week >= 5
    is_bank_holiday = names.notna().to_numpy()
    is_working_day = ~is_weekend & ~is_bank_holiday
    return pd.DataFrame(
        {
            "calendar_date": days.date,
            "financial_year": [f"{y}/{(y + 1) % 100:02d}" for y in fy_start],
            "fy_start_year": fy_start,
            "fy_quarter": ((days.month - 4) % 12) // 3 + 1,
            "month_start": days.to_period("M").to_timestamp().date,
            "is_weekend": is_weekend,
            "is_bank_holiday": is_bank_holiday,
            "bank_holiday_name": names.to_numpy(),
            "is_working_day": is_working_day,
            "working_day_number": is_working_day.cumsum(),
        }
    )


def _statistical_neighbours_2025() -> pd.DataFrame:
    wide = pd.read_csv(REAL_DATA_DIR / "sn_model_2025_wide.csv", dtype=str, encoding="utf-8-sig")
    long = [
        pd.DataFrame(
            {
                "old_la_code": wide["old_la_code"],
                "neighbour_old_la_code": wide[f"SN_{rank}"],
                "neighbour_rank": rank,
                "closeness": wide[f"SN_{rank}P"],
            }
        )
        for rank in range(1, 11)
    ]
    return pd.concat(long, ignore_index=True).dropna(subset=["neighbour_old_la_code"])


def local_authority_codes() -> frozenset[str]:
    """Every English LA code the warehouse knows (from the ONS population table)."""
    return frozenset(_ons_population().query("geographic_level == 'Local authority'")["new_la_code"])


def local_authority_names() -> dict[str, str]:
    """Every English LA's name by its code, the latest the ONS table gives."""
    rows = _ons_population().query("geographic_level == 'Local authority'").sort_values("time_period")
    return dict(zip(rows["new_la_code"], rows["la_name"], strict=True))


def la_code_for_old_code(old_la_code: str) -> str | None:
    """The new (9-character) code of an LA from its DfE 3-digit code, as the CIN census gives it.

    The latest year wins, so a code that boundary changes reused points at today's authority.
    """
    rows = _ons_population().query("geographic_level == 'Local authority' and old_la_code == @old_la_code")
    return None if rows.empty else rows.sort_values("time_period")["new_la_code"].iloc[-1]


@cache
def _ons_population() -> pd.DataFrame:
    frame = pd.read_csv(REAL_DATA_DIR / "ons_mid-year_population_estimates_2012_to_2024.csv", dtype=str)
    frame["time_period"] = frame["time_period"].astype(int)
    # DfE marks unpublished values with letters (x, c, ...): they stay missing, never 0.
    frame["population_estimate"] = pd.to_numeric(frame["population_estimate"], errors="coerce").astype(
        "Int64"
    )
    return frame


def build_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table in an empty database, bring it to this version and fill the reference data."""
    for path in _sql_files(SCHEMA_DIR):
        run_sql_file(con, path)
    set_meta(con, schema_version=str(BASELINE_VERSION), created_at=_now_iso(), data_version="0")
    migrate(con)


def new_warehouse(path: Path) -> None:
    """A new warehouse file at `path`: every table, this version, the reference data, no rows."""
    con = duckdb.connect(str(path))
    try:
        build_schema(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()


def definitions_fingerprint(model: Model) -> str:
    """What the definitions are made from: what the program ships, and the model (a new dimension
    changes the cubes' columns and macros)."""
    statements = [*model_sql.definitions_sql(model), *model_sql.events_sql(model)]
    generated = hashlib.sha256("\n".join(statements).encode()).hexdigest()
    return f"{_shipped_fingerprint()}-{model.fingerprint}-{generated}"


@cache
def _shipped_fingerprint() -> str:
    """The definitions' SQL and the reference data shipped with the program."""
    digest = hashlib.sha256()
    files = [
        *_sql_files(DEFINITIONS_DIR),
        *sorted(REFERENCE_DIR.glob("*.csv")),
        *sorted(REAL_DATA_DIR.rglob("*.*")),
        BENCHMARK_SOURCES_FILE,  # what benchmark_value reads of them
        QUERIES_DIR / "benchmark_comparison.sql",  # what benchmark_comparison_every_la is made by
    ]
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def define(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)make the macros and the reference data from what this program ships."""
    frames = {
        "raw_ons_population": _ons_population().copy(),
        "raw_sn_model_2025": _statistical_neighbours_2025(),
        "raw_calendar": english_calendar().copy(),
        "raw_benchmark_value": benchmark_values(),
    } | {f"raw_ref_{name}": code_list(name) for name in code_list_names()}
    model = model_for(con)
    for name, frame in frames.items():
        con.register(name, frame)
    try:
        for statement in model_sql.definitions_sql(model):
            con.execute(statement)
        for path in _sql_files(DEFINITIONS_DIR):
            run_sql_file(con, path)
        for statement in model_sql.events_sql(model):  # they read builtin_events, made by a file
            con.execute(statement)
        make_every_la_comparisons(con)
    except BaseException:
        # An aborted transaction refuses the clean-up too: what failed first is what is reported.
        with contextlib.suppress(duckdb.Error):
            for name in frames:
                con.unregister(name)
        raise
    for name in frames:
        con.unregister(name)
    set_meta(con, definitions=definitions_fingerprint(model))


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    return int(get_meta(con)["schema_version"])


def needs_migration(con: duckdb.DuckDBPyConnection) -> bool:
    meta = get_meta(con)
    return int(meta["schema_version"]) < SCHEMA_VERSION or meta.get("definitions") != definitions_fingerprint(
        model_for(con)
    )


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Bring a warehouse of an earlier version up to this program's, in the caller's transaction.

    Each migration runs in order and records its version; the definitions are made anew if they
    or the tables changed; then the derived flags and cubes of every loaded LA are rebuilt from the
    facts, so that a change to how they are built reaches the rows loaded before it. Returns the
    versions applied (none when the tables were up to date)."""
    if not needs_migration(con):
        return []
    current = schema_version(con)
    applied = []
    for version, path in _migrations():
        if version > current:
            run_sql_file(con, path)
            set_meta(con, schema_version=str(version), **{f"migrated_to_{version}_at": _now_iso()})
            applied.append(version)
    model = model_for(con)
    for statement in model_sql.cube_columns_sql(model):
        con.execute(statement)
    for name in model.generated_datasets:  # packs' and a partnership's own datasets' tables, made or widened
        for statement in model_sql.fact_table_sql(model.datasets[name]):
            con.execute(statement)
    define(con)
    run_sql_file(con, LOADS_DIR / "kpi_cube_all_rebuild.sql")  # kpi_cube summed, as the rebuild expects
    las = [la for (la,) in con.execute("SELECT DISTINCT la_code FROM child ORDER BY 1").fetchall()]
    if las:
        run_transforms(con, las)
    return applied


def new_cell_key_salt() -> str:
    return secrets.token_hex(32)


def cell_key_salt(con: duckdb.DuckDBPyConnection) -> str:
    """The secret mixed into every record's cell key (disclosure control), made on first use and
    kept with the warehouse: whoever can read the file sees exact counts anyway, and keeping it
    here keeps every record's key, and so every rounded figure, the same across loads, restores
    and upgrades."""
    salt = get_meta(con).get("cell_key_salt")
    if salt is None:
        salt = new_cell_key_salt()
        set_meta(con, cell_key_salt=salt)
    return salt


ROLLUPS = "030_rollups.sql"


def run_transforms(con: duckdb.DuckDBPyConnection, la_codes: list[str]) -> None:
    """Derived flags and cubes for the LAs a load changed.

    Every dataset's rows of kpi_cube (the built-in datasets' in transforms/020_cubes.sql, a pack's
    or a partnership's own from the model) go in as one insert of their queries' union, just before
    the roll-ups: DuckDB then runs the datasets' queries side by side, and keeps both cores busy
    where one query alone would leave one idle (one LA at scale 17: 3.2 s to 2.75 s). An LA's first
    rows go straight into kpi_cube; a rebuild's replace only the rows that changed."""
    salt = cell_key_salt(con)
    before, union, after = _transform_statements(con)
    first_rows = [
        *before,
        *_cube_insert(KPI_CUBE_INSERT, union),
        *_load_statements("kpi_cube_all_add"),
        *after,
    ]
    rebuilt = [
        *before,
        *_cube_insert(REBUILT_CUBE_INSERT, union),
        *_load_statements("kpi_cube_changes"),
        *after,
    ]
    # A warehouse's first LA: its rows of the all-LA cube are summed by the insert that adds them.
    summed_already = len(la_codes) == 1 and single_value(con, "SELECT count(*) FROM kpi_cube_all") == 0
    # One LA at a time: the union holds every dataset's query's working memory at once, so a load of
    # all England's LAs (the national build) would hold them for every LA; and each LA's stocks then
    # run to the last month its own loads cover.
    for la_code in sorted(la_codes):
        has_rows = single_value(con, "SELECT count(*) > 0 FROM kpi_cube WHERE la_code = ?", [la_code])
        for statement in rebuilt if has_rows else first_rows:
            _execute(con, statement, {"la_codes": [la_code], "cell_key_salt": salt})
    if la_codes:
        _sum_all_la_cube(con, summed_already)


def _cube_insert(insert: str, union: str | None) -> list[duckdb.Statement]:
    return duckdb.extract_statements(f"{insert}\n{union}") if union else []


def _load_statements(name: str) -> list[duckdb.Statement]:
    return duckdb.extract_statements((LOADS_DIR / f"{name}.sql").read_text(encoding="utf-8"))


# kpi_cube_all is summed again (loads/kpi_cube_all_compact.sql) once the rows each rebuilt LA left have
# grown it by a quarter since it last was: summing its 1.6 million rows of a national warehouse at
# every routine load would cost more than the load's own cubes, and queries sum its rows anyway.
SUM_ALL_LA_CUBE_GROWTH = 1.25


def _sum_all_la_cube(con: duckdb.DuckDBPyConnection, summed_already: bool = False) -> None:
    rows = single_value(con, "SELECT count(*) FROM kpi_cube_all")
    summed = int(get_meta(con).get("kpi_cube_all_summed_rows", "0"))
    if summed_already:
        set_meta(con, kpi_cube_all_summed_rows=str(rows))
    elif rows > summed * SUM_ALL_LA_CUBE_GROWTH:
        run_sql_file(con, LOADS_DIR / "kpi_cube_all_compact.sql")
        set_meta(con, kpi_cube_all_summed_rows=str(single_value(con, "SELECT count(*) FROM kpi_cube_all")))


def _transform_statements(
    con: duckdb.DuckDBPyConnection,
) -> tuple[list[duckdb.Statement], str | None, list[duckdb.Statement]]:
    """The transforms' statements in order, parsed once for every LA they are run for: those before
    the roll-ups, the union of the kpi_cube inserts' queries (None if there are none), and the
    roll-ups'."""
    before: list[duckdb.Statement] = []
    after: list[duckdb.Statement] = []
    cube_queries: list[str] = []
    statements = before

    def add(statement: duckdb.Statement) -> None:
        query = _kpi_cube_query(statement.query)
        if query is None:
            statements.append(statement)
        else:
            cube_queries.append(query)

    for path in _sql_files(TRANSFORMS_DIR):
        if path.name == ROLLUPS:  # a partnership's own datasets' cube rows come before the roll-ups
            for generated in model_sql.model_cubes_sql(model_for(con)):
                add(duckdb.extract_statements(generated)[0])
            statements = after
        for parsed in duckdb.extract_statements(path.read_text(encoding="utf-8")):
            add(parsed)
    union = "\nUNION ALL BY NAME\n".join(f"({query})" for query in cube_queries) if cube_queries else None
    return before, union, after


KPI_CUBE_INSERT = "INSERT INTO kpi_cube BY NAME"
REBUILT_CUBE_INSERT = "INSERT INTO kpi_cube_rebuilt BY NAME"  # transforms/020_cubes.sql makes the table


def _kpi_cube_query(statement: str) -> str | None:
    """The query of a statement that inserts rows into kpi_cube by name (after any comments), or None."""
    lines = statement.strip().splitlines()
    while lines and (lines[0].startswith("--") or not lines[0].strip()):
        lines.pop(0)
    body = "\n".join(lines).strip()
    if not body.startswith(KPI_CUBE_INSERT):
        return None
    return body.removeprefix(KPI_CUBE_INSERT).strip().rstrip(";")


def single_value(con: duckdb.DuckDBPyConnection, sql: str, params: object = None) -> Any:
    """The value of a query that returns one row of one value (a count, a sum, the next ID), read
    to the end so the connection is free for the next call."""
    rows = con.execute(sql, params).fetchall()
    if not rows:
        raise RuntimeError(f"a query that always returns one row returned none: {sql.strip()[:200]}")
    return rows[0][0]


def set_meta(con: duckdb.DuckDBPyConnection, **values: str) -> None:
    for key, value in values.items():
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])


def get_meta(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT key, value FROM meta").fetchall())


def check_schema_version(con: duckdb.DuckDBPyConnection, path: Path, allow_older: bool = False) -> None:
    """A warehouse this program can read as it is, or (`allow_older`) migrate; else a clear refusal."""
    try:
        version = get_meta(con).get("schema_version")
    except duckdb.Error as error:
        raise WarehouseError(f"{path} is not a safeguarding warehouse ({error})") from error
    if version is None or not version.isdigit() or int(version) < BASELINE_VERSION:
        raise WarehouseError(
            f"{path} has schema version {version}, older than any this program can migrate "
            f"({BASELINE_VERSION}): rebuild it by loading the archived extracts into a new SAFEGUARD_HOME."
        )
    if int(version) > SCHEMA_VERSION:
        raise WarehouseError(
            f"{path} has schema version {version}, made by a newer release of this program "
            f"(this one knows up to {SCHEMA_VERSION}): upgrade the program."
        )
    if int(version) < SCHEMA_VERSION and not allow_older:
        raise WarehouseError(
            f"{path} has schema version {version}, this program needs version {SCHEMA_VERSION}: run "
            "`safeguard upgrade`, which migrates it in place and keeps every loaded row (a load does too)."
        )


def open_readonly(path: Path, allow_older: bool = False) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a published warehouse, checked for its schema version, its memory
    held to SAFEGUARD_DUCKDB_MEMORY_LIMIT and its threads to SAFEGUARD_DUCKDB_THREADS."""
    if not path.exists():
        raise WarehouseError(f"No warehouse at {path}: load some extracts first (safeguard load).")
    settings = environment()
    con = duckdb.connect(
        str(path),
        read_only=True,
        config={"memory_limit": settings.duckdb_memory_limit, "threads": settings.duckdb_threads},
    )
    try:
        check_schema_version(con, path, allow_older)
    except WarehouseError:
        con.close()
        raise
    return con


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
