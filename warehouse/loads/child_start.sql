-- The children of a load's files, gathered as each file loads (child_add.sql) and written to the
-- child table once, when every file is in (child.sql), which drops it. A table of the load's private
-- copy of the warehouse, not a temporary one: DuckDB keeps a temporary table in memory, uncompressed
-- (about 13 MB an LA, 2 GB of a national build), where the copy's tables go to its file. It is never
-- published: child.sql drops it before the commit that ends the load.
CREATE OR REPLACE TABLE load_children (
    child_id      VARCHAR NOT NULL,
    la_code       VARCHAR,
    date_of_birth DATE,
    gender        VARCHAR,
    ethnicity     VARCHAR,
    disability    VARCHAR,
    area_code     VARCHAR,
    postcode      VARCHAR,
    load_id       INTEGER NOT NULL
);
