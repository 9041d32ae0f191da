-- The children of a load's files, gathered as each file loads (child_add.sql) and written to the
-- child table once, when every file is in (child.sql). Temporary: never part of the warehouse file.
CREATE OR REPLACE TEMP TABLE load_children (
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
