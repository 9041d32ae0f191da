-- Load audit: one row per file given to `safeguard load`, whatever became of it.
CREATE TABLE etl_load (
    load_id        INTEGER PRIMARY KEY,
    file_name      VARCHAR NOT NULL,
    file_sha256    VARCHAR,
    source_format  VARCHAR NOT NULL,     -- native_csv, annex_a, ssda903, cin_xml
    dataset        VARCHAR,
    la_code        VARCHAR,
    coverage_start DATE,
    coverage_end   DATE,
    rows_read      INTEGER NOT NULL DEFAULT 0,
    rows_loaded    INTEGER NOT NULL DEFAULT 0,
    rows_rejected  INTEGER NOT NULL DEFAULT 0,
    rows_replaced  INTEGER NOT NULL DEFAULT 0,
    status         VARCHAR NOT NULL,     -- loaded, loaded_with_rejections, unchanged, failed
    message        VARCHAR,
    is_synthetic   BOOLEAN NOT NULL DEFAULT FALSE,
    started_at     TIMESTAMP NOT NULL,
    finished_at    TIMESTAMP NOT NULL,
    loaded_by      VARCHAR NOT NULL
);

-- One row per rejected row and field: the other rows of the file still load.
CREATE TABLE etl_rejection (
    load_id    INTEGER NOT NULL,
    file_name  VARCHAR NOT NULL,
    row_number INTEGER NOT NULL,   -- as a spreadsheet shows it: the header is row 1
    field      VARCHAR NOT NULL,
    value      VARCHAR,
    rule       VARCHAR NOT NULL,
    message    VARCHAR NOT NULL
);
