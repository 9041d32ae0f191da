"""The SQL made from the model, so that a dimension, a dataset or a measure is declared once and
nowhere else.

- `passes` and `row_passes(wanted)`: the filter predicate. `wanted` is a map of dimension id -> the
  values wanted, of the filtered dimensions only (Filters.query_params); a dimension the map does not
  name is not filtered, so a server still on the previous model can query a warehouse with a newer
  one. The row is any table or query with the dimensions' columns by name (the cubes, raw events).
- `age_band(birth_month, at_date)`: from the bands of the age dimension.
- `child_dimensions(scope)`: each child's dimensions read from the child's record.
- `filter_values(scope)`: the values a filter offers, for dimensions whose values are in a table.
- `fact_counts(scope)`: the records of every dataset, built-in or a partnership's own, per LA.
- The cubes' dimension columns, added to a warehouse that lacks them (`cube_columns_sql`).

Identifiers are checked by the model (warehouse/model/specs.py); labels are quoted here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from warehouse.model.datasets import Dataset, Kind
from warehouse.model.files import Model
from warehouse.model.specs import AgeBands, Condition, Dimension, FromChild, Measure, MeasureTiming

CUBE_TABLES = ("kpi_cube", "missing_child_month", "measure_child_month")


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def definitions_sql(model: Model) -> list[str]:
    """The statements that (re)make the model's macros, in order."""
    return [
        (
            "CREATE OR REPLACE MACRO passes(wanted, value) AS "
            "(wanted IS NULL OR value IS NULL OR list_contains(wanted, value))"
        ),
        _row_passes(model.dimensions),
        _age_band(model.dimensions),
        _child_dimensions(model.dimensions),
        _filter_values(model.dimensions),
        _fact_counts(model),
        # Working days after `from_date` up to and including `to_date`, on the English bank-holiday
        # calendar, for a measure condition's `working_days`: the rule transforms/010_derived_flags.sql
        # applies to ICPC timeliness, there as a join over the whole table.
        (
            "CREATE OR REPLACE MACRO working_days(from_date, to_date) AS ("
            "(SELECT working_day_number FROM calendar WHERE calendar_date = CAST(to_date AS DATE)) - "
            "(SELECT working_day_number FROM calendar WHERE calendar_date = CAST(from_date AS DATE)))"
        ),
    ]


def cube_columns_sql(model: Model) -> list[str]:
    """Every dimension's column on every cube: a new dimension's is added (NULL until the cubes are
    rebuilt, which a migration does)."""
    return [
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {dimension.cube_column} VARCHAR"
        for table in CUBE_TABLES
        for dimension in model.dimensions
    ]


def _row_passes(dimensions: tuple[Dimension, ...]) -> str:
    # A dimension that does not apply to a row (NULL, category for contacts say) lets it through.
    tests = [f"passes(map_extract_value(wanted, {literal(d.id)}), {d.cube_column})" for d in dimensions]
    return "CREATE OR REPLACE MACRO row_passes(wanted) AS (" + "\n    AND ".join(tests or ["TRUE"]) + ")"


def _age_band(dimensions: tuple[Dimension, ...]) -> str:
    bands: AgeBands | None = next((d.age_bands for d in dimensions if d.age_bands), None)
    if bands is None:
        return "CREATE OR REPLACE MACRO age_band(birth_month, at_date) AS CAST(NULL AS VARCHAR)"
    cases = "\n        ".join(
        f"WHEN datediff('month', birth_month, at_date) < {band.below_months} THEN {literal(band.label)}"
        for band in bands.bands
    )
    # "Unknown" when there is no date of birth (unborn children on a CP plan have none).
    return f"""CREATE OR REPLACE MACRO age_band(birth_month, at_date) AS
    CASE
        WHEN birth_month IS NULL OR birth_month > at_date THEN {literal(bands.unknown)}
        {cases}
        ELSE {literal(bands.over)}
    END"""


def _child_dimensions(dimensions: tuple[Dimension, ...]) -> str:
    columns = ["c.la_code", "c.child_id", "c.birth_month"]
    joins = []
    for d in dimensions:
        if d.from_child is None:
            continue
        expression, join = _from_child(d.id, d.from_child)
        columns.append(f"{expression} AS {d.cube_column}")
        joins += [join] if join else []
    return (
        "CREATE OR REPLACE MACRO child_dimensions(scope) AS TABLE\nSELECT "
        + ", ".join(columns)
        + "\nFROM child AS c"
        + "".join(f"\n{join}" for join in joins)
        + "\nWHERE list_contains(scope, c.la_code)"
    )


def _from_child(dimension_id: str, source: FromChild) -> tuple[str, str | None]:
    value = f"c.{source.column}"
    join = None
    if source.lookup is not None:
        alias = f"lookup_{dimension_id}"
        join = f"LEFT JOIN {source.lookup.table} AS {alias} ON {alias}.{source.lookup.key} = {value}"
        value = f"{alias}.{source.lookup.value}"
    if source.labels:
        cases = " ".join(
            f"WHEN CAST({value} AS VARCHAR) = {literal(stored)} THEN {literal(shown)}"
            for stored, shown in source.labels.items()
        )
        return f"CASE {cases} ELSE {literal(source.missing)} END", join
    return f"coalesce(CAST({value} AS VARCHAR), {literal(source.missing)})", join


def _filter_values(dimensions: tuple[Dimension, ...]) -> str:
    selects = []
    for d in dimensions:
        ref = d.reference
        if ref is None:
            continue
        selects.append(
            f"SELECT DISTINCT {literal(d.id)} AS dimension, CAST({ref.value} AS VARCHAR) AS value, "
            f"CAST({ref.label} AS VARCHAR) AS label, "
            + (
                f"la_code FROM {ref.table} WHERE list_contains(scope, la_code)"
                if ref.by_la
                else f"NULL AS la_code FROM {ref.table}"
            )
        )
    body = "\nUNION ALL\n".join(selects) or (
        "SELECT NULL AS dimension, NULL AS value, NULL AS label, NULL AS la_code WHERE FALSE"
    )
    return "CREATE OR REPLACE MACRO filter_values(scope) AS TABLE\n" + body


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def condition_sql(condition: Condition, alias: str = "f") -> str:
    """A measure's condition as SQL on the record `alias`: every name is a checked identifier and
    every value a quoted literal or a number."""
    if condition.between is not None:
        start, end = (f"{alias}.{column}" for column in condition.between)
        tested = {
            "days": f"datediff('day', CAST({start} AS DATE), CAST({end} AS DATE))",
            "working_days": f"working_days({start}, {end})",
            "hours": f"datediff('hour', CAST({start} AS TIMESTAMP), CAST({end} AS TIMESTAMP))",
        }[condition.unit or "days"]
    else:
        tested = f"{alias}.{condition.column}"
    if condition.in_ is not None:
        return f"CAST({tested} AS VARCHAR) IN ({', '.join(literal(v) for v in condition.in_)})"
    if condition.set is not None:
        return f"{tested} IS {'NOT ' if condition.set else ''}NULL"
    bounds = []
    if condition.at_least is not None:
        bounds.append(f"{tested} >= {_number(condition.at_least)}")
    if condition.at_most is not None:
        bounds.append(f"{tested} <= {_number(condition.at_most)}")
    return " AND ".join(bounds)


def measure_condition_sql(measure: Measure, alias: str = "f") -> str:
    """All of a measure's conditions (TRUE when it has none); NULL (a blank tested) never counts."""
    return " AND ".join(f"coalesce({condition_sql(c, alias)}, FALSE)" for c in measure.where) or "TRUE"


def measures_cube_sql(
    table: str, id_column: str, measures: Sequence[Measure], record_dimensions: Mapping[str, str]
) -> list[str]:
    """The cube rows of a dataset's own measures, for the LAs of a load ($la_codes), each insert by
    column name, beside the built-in datasets' (transforms/020_cubes.sql, whose child_dims it reads):
    - flow: a record in the month of its `date`;
    - stock: a record at each month end at which it is open (`date` on or before it, `end` blank or
      after it), from the month it opened to the last month any load of the LA covers, as cp_open;
    - children: each child once per month in which it has a record dated, in measure_child_month,
      from which the engine counts the distinct children of any run of months.
    `record_dimensions` maps a cube column to the dataset column that holds it (area_code, say); the
    child's dimensions come from the child's record as for every dataset."""
    by_timing = {timing: [m for m in measures if m.timing == timing] for timing in MeasureTiming}
    dims = "".join(
        f"coalesce(CAST(f.{column} AS VARCHAR), 'Unknown') AS {cube_column}, "
        for cube_column, column in record_dimensions.items()
    )
    statements = []
    if by_timing[MeasureTiming.FLOW]:
        statements.append(f"""INSERT INTO kpi_cube BY NAME
SELECT f.la_code, date_trunc('month', m.event_date) AS month, m.measure, {dims}
       age_band(d.birth_month, m.event_date) AS age_band,
       d.* EXCLUDE (la_code, child_id, birth_month), count(*) AS n,
       sum(record_key($cell_key_salt, f.la_code, f.{id_column})) AS key_sum
{_dated_records(table, by_timing[MeasureTiming.FLOW])}
GROUP BY ALL""")
    stocks = by_timing[MeasureTiming.STOCK]
    if stocks:
        values = ",\n           ".join(
            f"({literal(m.id)}, CAST(f.{m.date} AS DATE), CAST(f.{m.end} AS DATE), {measure_condition_sql(m)})"
            for m in stocks
        )
        first_opened = " UNION ALL ".join(
            f"SELECT min(CAST({m.date} AS DATE)) FROM {table} WHERE list_contains($la_codes, la_code)"
            for m in stocks
        )
        statements.append(f"""INSERT INTO kpi_cube BY NAME
SELECT f.la_code, me.month, m.measure, {dims}
       age_band(d.birth_month, me.month_end) AS age_band,
       d.* EXCLUDE (la_code, child_id, birth_month), count(*) AS n,
       sum(record_key($cell_key_salt, f.la_code, f.{id_column})) AS key_sum
FROM {table} AS f
LEFT JOIN child_dims AS d USING (child_id)
CROSS JOIN LATERAL (
    VALUES {values}
) AS m(measure, opened, closed, counts)
JOIN (
    SELECT DISTINCT month_start AS month, last_day(month_start) AS month_end
    FROM calendar
    WHERE calendar_date BETWEEN (SELECT min(opened) FROM ({first_opened}) AS o(opened))
                            AND (SELECT max(coverage_end) FROM etl_load WHERE list_contains($la_codes, la_code))
) AS me ON m.opened <= me.month_end AND (m.closed IS NULL OR m.closed > me.month_end)
WHERE list_contains($la_codes, f.la_code) AND m.counts
GROUP BY ALL""")
    if by_timing[MeasureTiming.CHILDREN]:
        # A child's cell key is that of the child, however many records it has: a count of children
        # is keyed like the built-in one (missing_child_month).
        statements.append(f"""INSERT INTO measure_child_month BY NAME
SELECT DISTINCT f.la_code, date_trunc('month', m.event_date) AS month, m.measure, f.child_id, {dims}
       age_band(d.birth_month, m.event_date) AS age_band,
       d.* EXCLUDE (la_code, child_id, birth_month),
       record_key($cell_key_salt, f.la_code, f.child_id) AS child_key
{_dated_records(table, by_timing[MeasureTiming.CHILDREN])}""")
    return statements


def _dated_records(table: str, measures: Sequence[Measure]) -> str:
    """The FROM and WHERE of the records each measure counts, one row per measure and record, at the
    record's `date` (m.event_date), with the child's dimensions (d)."""
    values = ",\n           ".join(
        f"({literal(m.id)}, CAST(f.{m.date} AS DATE), {measure_condition_sql(m)})" for m in measures
    )
    return f"""FROM {table} AS f
LEFT JOIN child_dims AS d USING (child_id)
CROSS JOIN LATERAL (
    VALUES {values}
) AS m(measure, event_date, counts)
WHERE list_contains($la_codes, f.la_code) AND m.event_date IS NOT NULL AND m.counts"""


SQL_TYPES = {
    Kind.TEXT: "VARCHAR",
    Kind.CODE: "VARCHAR",
    Kind.CHILD_ID: "VARCHAR",
    Kind.POSTCODE: "VARCHAR",
    Kind.DATE: "DATE",
    Kind.DATETIME: "TIMESTAMP",
    Kind.INTEGER: "BIGINT",
}


def fact_table_sql(dataset: Dataset) -> list[str]:
    """The table of a partnership's own dataset, made or given its new columns (a model apply): its
    columns are never dropped, so nothing loaded is lost."""
    columns = [(c.name, SQL_TYPES[c.kind]) for c in dataset.fact_columns]
    required = {"la_code", dataset.id_column, "child_id"}
    body = ",\n    ".join(f"{name} {kind}{' NOT NULL' if name in required else ''}" for name, kind in columns)
    return [
        f"CREATE TABLE IF NOT EXISTS {dataset.table} (\n    {body},\n    load_id INTEGER NOT NULL\n)",
        *[f"ALTER TABLE {dataset.table} ADD COLUMN IF NOT EXISTS {name} {kind}" for name, kind in columns],
    ]


def fact_load_sql(dataset: Dataset) -> str:
    """A file's staged rows (the view `incoming`) into a partnership's own dataset's table."""
    cast = ", ".join(f"CAST({c.name} AS {SQL_TYPES[c.kind]}) AS {c.name}" for c in dataset.fact_columns)
    return f"INSERT INTO {dataset.table} BY NAME SELECT {cast}, $load_id AS load_id FROM incoming"


def model_cubes_sql(model: Model) -> list[str]:
    """The cube inserts of the partnership's own datasets' measures, run after the built-in ones."""
    statements = []
    for name in model.local_datasets:
        dataset = model.datasets[name]
        measures = [m for m in model.measures.values() if m.dataset == name]
        statements += measures_cube_sql(
            dataset.table, dataset.id_column, measures, model.record_dimensions(name)
        )
    return statements


def _fact_counts(model: Model) -> str:
    """Records per LA and dataset, with their first and last event dates: the Data page's overview."""
    selects = [
        f"SELECT la_code, {literal(name)} AS dataset, count(*) AS n_rows, "
        f"min(CAST({d.event_date} AS DATE)) AS first_date, max(CAST({d.event_date} AS DATE)) AS last_date "
        f"FROM {d.table} WHERE list_contains(scope, la_code) GROUP BY la_code"
        for name, d in model.datasets.items()
    ]
    return "CREATE OR REPLACE MACRO fact_counts(scope) AS TABLE\n" + "\nUNION ALL\n".join(selects)
