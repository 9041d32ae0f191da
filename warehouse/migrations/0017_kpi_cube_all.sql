-- Version 17: kpi_cube summed over every LA, for a filtered view of every LA in the warehouse (a
-- national hub's England): a filter on agency, age or gender then reads some 1.6 million rows, not
-- the detailed cube's 36 million. It has no LA, and its area_code is NULL (the column is there for
-- the filters' macro, row_passes): a view filtered by area reads kpi_cube (warehouse/kpis/engine.py).
-- It is kept equal to kpi_cube summed: each rebuild of an LA's cube rows takes the LA's old rows off
-- it and adds its new ones (transforms/020_cubes.sql, 030_rollups.sql), and its rows are summed
-- again once those have grown it by a quarter (loads/kpi_cube_all_compact.sql). A migration sums it
-- from kpi_cube afresh before the cubes are rebuilt (loads/kpi_cube_all_rebuild.sql, warehouse/db.py
-- migrate); the model's dimensions' columns are added to it as to the other cubes (model/sql.py).
CREATE TABLE kpi_cube_all (
    month        DATE NOT NULL,
    measure      VARCHAR NOT NULL,
    area_code    VARCHAR,
    agency       VARCHAR,
    age_band     VARCHAR,
    gender       VARCHAR,
    ethnicity    VARCHAR,
    category     VARCHAR,
    in_care      VARCHAR,
    missing_type VARCHAR,
    n            BIGINT NOT NULL,
    key_sum      BIGINT NOT NULL DEFAULT 0
);
