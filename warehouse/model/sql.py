"""The SQL made from the model, so that a dimension, a dataset or a measure is declared once and
nowhere else.

- `passes` and `row_passes(wanted)`: the filter predicate. `wanted` is a map of dimension id -> the
  values wanted, of the filtered dimensions only (Filters.query_params); a dimension the map does not
  name is not filtered, so a server still on the previous model can query a warehouse with a newer
  one. The row is any table or query with the dimensions' columns by name (the raw events).
- `row_filter_sql`: the same filters for the cubes' queries, as a condition on the filtered
  dimensions' columns only, their values bound as parameters (Filters.cube_params).
- `age_band(birth_month, at_date)`: from the bands of the age dimension.
- `child_dimensions(scope)`: each child's dimensions read from the child's record.
- `filter_values(scope)`: the values a filter offers, for dimensions whose values are in a table.
- `fact_counts(scope)`: the records of every dataset, built-in or a partnership's own, per LA.
- `kpi_events(scope, first_month, last_month)`: every event a KPI measure counts, built-in
  (definitions/045_events.sql) or of a partnership's own dataset (`events_sql`).
- The cubes' dimension columns, added to a warehouse that lacks them (`cube_columns_sql`).

Identifiers are checked by the model (warehouse/model/specs.py); labels are quoted here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from warehouse.model.datasets import Dataset, Kind
from warehouse.model.files import HAND_WRITTEN_DATASETS, Model
from warehouse.model.specs import AgeBands, Condition, Dimension, FromChild, Measure, MeasureTiming

CUBE_TABLES = ("kpi_cube", "missing_child_month", "measure_child_month")
# kpi_cube summed over every LA (migrations/0017): its area_code is NULL, as its rows are no area's.
ALL_LA_CUBE = "kpi_cube_all"


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
        _generated_dimensions(model),
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
        for table in (*CUBE_TABLES, ALL_LA_CUBE)
        for dimension in model.dimensions
    ]


def row_filter_sql(dimensions: Sequence[Dimension]) -> str:
    """The filters of the cubes' queries as a condition on the filtered dimensions' columns only: the
    values wanted of the n-th are the parameter $filter_n. A row with no value of a dimension (NULL:
    its records do not carry it) passes, as with row_passes."""
    tests = [
        f"({d.cube_column} IS NULL OR list_contains($filter_{number}::VARCHAR[], {d.cube_column}))"
        for number, d in enumerate(dimensions)
    ]
    return " AND ".join(tests) or "TRUE"


def _row_passes(dimensions: tuple[Dimension, ...]) -> str:
    # A dimension that does not apply to a row (NULL, category for contacts say) lets it through.
    tests = [f"passes(map_extract_value(wanted, {literal(d.id)}), {d.cube_column})" for d in dimensions]
    return "CREATE OR REPLACE MACRO row_passes(wanted) AS (" + "\n    AND ".join(tests or ["TRUE"]) + ")"


def _generated_dimensions(model: Model) -> str:
    """One row with a NULL column for each dimension that only generated datasets carry (read from
    their records' columns): a hand-written query of a hand-written table joins it, so that row_passes
    finds every dimension's column, and lets the rows through (the table does not carry them)."""
    columns = [
        f"CAST(NULL AS VARCHAR) AS {d.cube_column}"
        for d in model.dimensions
        if not (d.from_child or d.age_bands)
        and d.datasets != "all"
        and not set(d.datasets) & HAND_WRITTEN_DATASETS
    ]
    return "CREATE OR REPLACE MACRO generated_dimensions() AS TABLE SELECT " + (
        ", ".join(columns) or "NULL AS no_generated_dimension"
    )


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


def condition_sql(
    condition: Condition,
    alias: str = "f",
    measure: Measure | None = None,
    table: str = "",
    followers: Mapping[str, Dataset] | None = None,
) -> str:
    """A measure's condition as SQL on the record `alias` of `table`: every name is a checked
    identifier and every value a quoted literal or a number. A repeat looks for another record of
    the table, of the same LA and value, dated by the measure's `date` before this one and within
    the months given (records of other LAs or never loaded are not seen). A following record is one
    of the dataset `followed_by` (of `followers`, by name), of the same LA and child, dated from the
    measure's `date` to `within_days` after it."""
    if condition.followed_by is not None:
        following = (followers or {}).get(condition.followed_by)
        if measure is None or measure.date is None or following is None:
            raise ValueError(f"no dataset {condition.followed_by!r} to follow a measure's dated records")
        dated, later = f"CAST({alias}.{measure.date} AS DATE)", f"CAST(later.{following.event_date} AS DATE)"
        return f"""EXISTS (SELECT 1 FROM {following.table} AS later
            WHERE later.la_code = {alias}.la_code AND later.child_id = {alias}.child_id
              AND {later} BETWEEN {dated} AND {dated} + {int(condition.within_days or 0)})"""
    if condition.repeat_of is not None:
        if measure is None or measure.date is None or not table:
            raise ValueError("a repeat is tested on a measure's dated records of a table")
        key, dated = condition.repeat_of, measure.date
        return f"""EXISTS (SELECT 1 FROM {table} AS earlier
            WHERE earlier.la_code = {alias}.la_code AND earlier.{key} = {alias}.{key}
              AND earlier.{dated} < {alias}.{dated}
              AND earlier.{dated} >= {alias}.{dated} - INTERVAL {int(condition.within_months or 0)} MONTH)"""
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
    if condition.contains is not None:  # a `codes` column holds its codes joined by ';'
        codes = ", ".join(literal(code) for code in condition.contains)
        return f"list_has_any(string_split(CAST({tested} AS VARCHAR), ';'), [{codes}])"
    bounds = []
    if condition.at_least is not None:
        bounds.append(f"{tested} >= {_number(condition.at_least)}")
    if condition.at_most is not None:
        bounds.append(f"{tested} <= {_number(condition.at_most)}")
    return " AND ".join(bounds)


def measure_condition_sql(
    measure: Measure, alias: str = "f", table: str = "", followers: Mapping[str, Dataset] | None = None
) -> str:
    """All of a measure's conditions (TRUE when it has none); NULL (a blank tested) never counts."""
    return (
        " AND ".join(
            f"coalesce({condition_sql(c, alias, measure, table, followers)}, FALSE)" for c in measure.where
        )
        or "TRUE"
    )


def counted_events_sql(
    table: str,
    id_column: str,
    measures: Sequence[Measure],
    record_dimensions: Mapping[str, str],
    scope: str,
    month_ends: str,
    has_child: bool = True,
    followers: Mapping[str, Dataset] | None = None,
    person: str | None = None,
    keyed: bool = False,
) -> str:
    """The records a dataset's own measures count, for the LAs in `scope` (a SQL list), with their
    date, child, record id and the dimensions the record carries: one row per (measure, record) at the
    record's `date` for a flow or a count of children; for a stock, one row per (measure, record, month
    end at which it is open: `date` on or before it, `end` blank or after it), at that month end, of
    the month ends of the query `month_ends`. `record_dimensions` maps a cube column to the dataset
    column that holds it (area_code, say). The cube inserts and kpi_events both read this one query,
    so the cube and the records behind its figures cannot count different rows. `person` names the
    pseudonymised adult's or household's ID column of records about no child, kept as person_id for
    the records page (kpi_events); the cubes, which count records, are not given it.

    `keyed` (the cubes): each row also has the record's cell key (cell_key) and its child's row of
    child_dims (child_row, a struct; NULL for a record about no child), both found once per record,
    before a record becomes one row per measure and month it counts in: a stock open for years is
    dozens of rows."""
    dims = "".join(
        f", coalesce(CAST(f.{column} AS VARCHAR), 'Unknown') AS {cube_column}"
        for cube_column, column in record_dimensions.items()
    )
    # Records about no child (an allegation against an adult) have no child to join the child's
    # dimensions from, nor a child's cell key.
    child = "f.child_id" if has_child else "CAST(NULL AS VARCHAR) AS child_id"
    if person:
        child += f", f.{person} AS person_id"
    dated = [m for m in measures if m.date is not None and m.timing != MeasureTiming.STOCK]
    stocks = [
        m for m in measures if m.date is not None and m.end is not None and m.timing == MeasureTiming.STOCK
    ]
    carried, extra, join = "", "", ""
    if keyed:
        carried = ', f."#cell_key" AS cell_key, f."#child_row" AS child_row'
        extra = f', record_key($cell_key_salt, f.la_code, f.{id_column}) AS "#cell_key", d AS "#child_row"'
        join = f"\n        LEFT JOIN child_dims AS d ON {'d.child_id = f.child_id' if has_child else 'FALSE'}"

    def of_records(event_date: str, columns: str = "") -> str:
        """A select's head, from the records of the LAs in scope, with what a keyed select carries
        and `columns` worked out once per record."""
        return f"""SELECT m.measure, f.la_code, {event_date} AS event_date, {child}, f.{id_column} AS record_id{dims}{carried}
    FROM (
        SELECT f.*{extra}{columns}
        FROM {table} AS f{join}
        WHERE list_contains({scope}, f.la_code)
    ) AS f"""

    selects = []
    if dated:
        # Each condition is worked out once per record, before the record becomes a row per measure.
        tested = "".join(
            f',\n            CAST(f.{m.date} AS DATE) AS "#date_{i}", '
            f'{measure_condition_sql(m, "f", table, followers)} AS "#counts_{i}"'
            for i, m in enumerate(dated)
        )
        values = ",\n        ".join(
            f'({literal(m.id)}, f."#date_{i}", f."#counts_{i}")' for i, m in enumerate(dated)
        )
        selects.append(f"""{of_records("m.event_date", tested)}
    CROSS JOIN LATERAL (
        VALUES {values}
    ) AS m(measure, event_date, counts)
    WHERE m.event_date IS NOT NULL AND m.counts""")
    if stocks:
        values = ",\n        ".join(
            f"({literal(m.id)}, CAST(f.{m.date} AS DATE), CAST(f.{m.end} AS DATE), "
            f"{measure_condition_sql(m, 'f', table, followers)})"
            for m in stocks
        )
        selects.append(f"""{of_records("me.month_end")}
    CROSS JOIN LATERAL (
        VALUES {values}
    ) AS m(measure, opened, closed, counts)
    JOIN ({month_ends}) AS me ON m.opened <= me.month_end AND (m.closed IS NULL OR m.closed > me.month_end)
    WHERE m.counts""")
    return "\n    UNION ALL\n    ".join(selects)


def measures_cube_sql(
    table: str,
    id_column: str,
    measures: Sequence[Measure],
    record_dimensions: Mapping[str, str],
    has_child: bool = True,
    followers: Mapping[str, Dataset] | None = None,
) -> list[str]:
    """The cube rows of a dataset's own measures, for the LAs of a load ($la_codes), each insert by
    column name, beside the built-in datasets' (transforms/020_cubes.sql, whose child_dims it reads);
    the child's dimensions come from the child's record as for every dataset:
    - a flow in the month of its `date`, a stock in each month at whose end it is open (from the first
      month one opened to the last month any load of the LA covers, as cp_open): kpi_cube;
    - a count of children: each child once per month in which it has a record dated, in
      measure_child_month, from which the engine counts the distinct children of any run of months."""
    per_event = [m for m in measures if m.timing != MeasureTiming.CHILDREN]
    per_child = [m for m in measures if m.timing == MeasureTiming.CHILDREN]
    first_opened = " UNION ALL ".join(
        f"SELECT min(CAST({m.date} AS DATE)) FROM {table} WHERE list_contains($la_codes, la_code)"
        for m in per_event
        if m.timing == MeasureTiming.STOCK
    )
    month_ends = f"""SELECT DISTINCT last_day(month_start) AS month_end
        FROM calendar
        WHERE calendar_date BETWEEN (SELECT min(opened) FROM ({first_opened or "SELECT NULL"}) AS o(opened))
                                AND (SELECT max(coverage_end) FROM etl_load WHERE list_contains($la_codes, la_code))"""
    statements = []

    def events_of(measures: Sequence[Measure]) -> str:
        return counted_events_sql(
            table,
            id_column,
            measures,
            record_dimensions,
            "$la_codes",
            month_ends,
            has_child,
            followers,
            keyed=True,
        )

    events = events_of(per_event)
    if events:
        statements.append(f"""INSERT INTO kpi_cube BY NAME
SELECT e.* EXCLUDE (event_date, child_id, record_id, cell_key, child_row), date_trunc('month', e.event_date) AS month,
       age_band(child_row.birth_month, e.event_date) AS age_band,
       child_row.* EXCLUDE (la_code, child_id, birth_month), count(*) AS n,
       sum(e.cell_key) AS key_sum
FROM (
    {events}
) AS e
GROUP BY ALL""")
    events = events_of(per_child)
    if events:
        # A child's cell key is the child's, however many records it has: a count of children is
        # keyed as the built-in one is (missing_child_month).
        statements.append(f"""INSERT INTO measure_child_month BY NAME
SELECT DISTINCT e.* EXCLUDE (event_date, record_id, cell_key, child_row), date_trunc('month', e.event_date) AS month,
       age_band(child_row.birth_month, e.event_date) AS age_band,
       child_row.* EXCLUDE (la_code, child_id, birth_month),
       record_key($cell_key_salt, e.la_code, e.child_id) AS child_key
FROM (
    {events}
) AS e""")
    return statements


SQL_TYPES = {
    Kind.TEXT: "VARCHAR",
    Kind.CODE: "VARCHAR",
    Kind.CODES: "VARCHAR",
    Kind.CHILD_ID: "VARCHAR",
    Kind.PERSON_ID: "VARCHAR",
    Kind.POSTCODE: "VARCHAR",
    Kind.DATE: "DATE",
    Kind.DATETIME: "TIMESTAMP",
    Kind.INTEGER: "BIGINT",
}


def fact_table_sql(dataset: Dataset) -> list[str]:
    """The table of a generated dataset (shipped in a pack or a partnership's own), made or given its new columns (a model apply): its
    columns are never dropped, so nothing loaded is lost."""
    columns = [(c.name, SQL_TYPES[c.kind]) for c in dataset.fact_columns]
    required = {"la_code", dataset.id_column, "child_id"} & set(dataset.column_names)
    body = ",\n    ".join(f"{name} {kind}{' NOT NULL' if name in required else ''}" for name, kind in columns)
    return [
        f"CREATE TABLE IF NOT EXISTS {dataset.table} (\n    {body},\n    load_id INTEGER NOT NULL\n)",
        *[f"ALTER TABLE {dataset.table} ADD COLUMN IF NOT EXISTS {name} {kind}" for name, kind in columns],
    ]


def fact_load_sql(dataset: Dataset) -> str:
    """A file's staged rows (the view `incoming`) into a partnership's own dataset's table."""
    cast = ", ".join(f"CAST({c.name} AS {SQL_TYPES[c.kind]}) AS {c.name}" for c in dataset.fact_columns)
    return f"INSERT INTO {dataset.table} BY NAME SELECT {cast}, $load_id AS load_id FROM incoming"


def _declared_measures(model: Model) -> list[tuple[Dataset, list[Measure]]]:
    """Each dataset whose measures are counted from their declaration (a `date` and conditions): the
    generated datasets (a pack's or the partnership's own), and a hand-written dataset whose measures
    the product's SQL does not count (the assessments, whose factors KPIs are declared in the model),
    with those measures."""
    dated = [m.dataset for m in model.measures.values() if m.date is not None]
    names = [*model.generated_datasets, *dict.fromkeys(d for d in dated if d not in model.generated_datasets)]
    return [
        (model.datasets[name], [m for m in model.measures.values() if m.dataset == name]) for name in names
    ]


def _record_dimensions(model: Model, dataset: Dataset) -> dict[str, str]:
    """The cube columns a dataset's own records fill: a built-in dataset's table has only some of
    the columns the dimensions that name it would read (the assessments have an area, no agency)."""
    found = model.record_dimensions(dataset.name)
    if dataset.name in model.generated_datasets:
        return found
    return {cube: column for cube, column in found.items() if column in dataset.column_names}


def model_cubes_sql(model: Model) -> list[str]:
    """The cube inserts of the measures counted from their declaration, run after the hand-written ones."""
    statements = []
    for dataset, measures in _declared_measures(model):
        statements += measures_cube_sql(
            dataset.table,
            dataset.id_column,
            measures,
            _record_dimensions(model, dataset),
            dataset.has_child,
            model.datasets,
        )
    return statements


def events_sql(model: Model) -> list[str]:
    """kpi_events and filtered_events, made after the definition files (builtin_events is in
    definitions/045_events.sql): every event a KPI measure counts, straight from the facts, one row per
    (measure, event), with every dimension's column. The raw-fact path of the KPI engine counts these
    rows (raw_measures_monthly.sql) and the records page lists them (records.sql)."""
    record_columns = [d.cube_column for d in model.dimensions if not (d.from_child or d.age_bands)]
    # The first select only names the columns, so that every record-level dimension has one even
    # where no dataset carries it (NULL, which every filter lets through).
    shape = ", ".join(
        [
            "CAST(NULL AS VARCHAR) AS measure",
            "CAST(NULL AS VARCHAR) AS la_code",
            "CAST(NULL AS DATE) AS event_date",
            "CAST(NULL AS VARCHAR) AS child_id",
            "CAST(NULL AS VARCHAR) AS person_id",
            *(f"CAST(NULL AS VARCHAR) AS {column}" for column in record_columns),
        ]
    )
    selects = [f"SELECT {shape} WHERE FALSE", "SELECT * FROM builtin_events(scope, first_month, last_month)"]
    # A stock's events: at each month end of the run asked for, as the built-in ones'.
    month_ends = (
        "SELECT DISTINCT last_day(month_start) AS month_end FROM calendar "
        "WHERE month_start BETWEEN first_month AND last_month"
    )
    for dataset, measures in _declared_measures(model):
        events = counted_events_sql(
            dataset.table,
            dataset.id_column,
            measures,
            _record_dimensions(model, dataset),
            "scope",
            month_ends,
            dataset.has_child,
            model.datasets,
            person=None if dataset.has_child else dataset.subject_column,
        )
        if events:
            selects.append(f"SELECT * EXCLUDE (record_id) FROM (\n    {events}\n)")
    union = "\nUNION ALL BY NAME\n".join(selects)
    kpi_events = f"""CREATE OR REPLACE MACRO kpi_events(scope, first_month, last_month) AS TABLE
WITH events AS (
{union}
)
SELECT e.*, age_band(d.birth_month, e.event_date) AS age_band, d.* EXCLUDE (la_code, child_id, birth_month)
FROM events AS e
LEFT JOIN child_dimensions(scope) AS d ON d.child_id = e.child_id"""
    # kpi_events for some measures over a run of months, through the engine's filters (`wanted`).
    filtered_events = """CREATE OR REPLACE MACRO filtered_events(scope, first_month, last_month, measures, wanted) AS TABLE
SELECT *
FROM kpi_events(scope, first_month, last_month)
WHERE event_date BETWEEN first_month AND last_day(last_month)
  AND list_contains(measures, measure)
  AND row_passes(wanted)"""
    return [kpi_events, filtered_events]


def _fact_counts(model: Model) -> str:
    """Records per LA and dataset, with their first and last event dates: the Data page's overview."""
    selects = [
        f"SELECT la_code, {literal(name)} AS dataset, count(*) AS n_rows, "
        f"min(CAST({d.event_date} AS DATE)) AS first_date, max(CAST({d.event_date} AS DATE)) AS last_date "
        f"FROM {d.table} WHERE list_contains(scope, la_code) GROUP BY la_code"
        for name, d in model.datasets.items()
    ]
    return "CREATE OR REPLACE MACRO fact_counts(scope) AS TABLE\n" + "\nUNION ALL\n".join(selects)
