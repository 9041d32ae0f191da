-- Version 13: the children counted by a partnership's own per-child measures (timing "children"),
-- once per measure, month and child, so that a quarter or a year counts a child once
-- (warehouse/model/sql.py measures_cube_sql; read by warehouse/queries/measure_children.sql). The
-- built-in missing_children keeps its own table, missing_child_month, the hot path of the benchmark.
-- child_key is the child's cell key (disclosure control). Each dimension's column is added from the
-- model, as on the other cubes (warehouse/model/sql.py cube_columns_sql); the rows are made when the
-- cubes are rebuilt from the facts, which follows every migration.
CREATE TABLE measure_child_month (
    la_code   VARCHAR NOT NULL,
    month     DATE NOT NULL,
    measure   VARCHAR NOT NULL,
    child_id  VARCHAR NOT NULL,
    child_key BIGINT NOT NULL
);
