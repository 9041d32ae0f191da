-- Version 14: figures submitted by agencies (a dataset of kind "figures", warehouse/model/figures.py):
-- numbers per LA and period, uploaded from a template, dropped into the inbox or entered by hand.
-- Nothing is ever updated or deleted: a correction is a new submission whose figures supersede the
-- earlier ones, both kept; the view current_figure (definitions/050_current_figures.sql) holds the
-- latest figure of each cell.

-- One row per accepted submission of a dataset's figures for one LA and period: an upload of a
-- template covering several LAs is one submission per LA, all sharing the upload's load_id.
CREATE TABLE submission (
    submission_id INTEGER PRIMARY KEY,
    load_id       INTEGER NOT NULL,     -- its row in etl_load, the load history
    dataset       VARCHAR NOT NULL,     -- a figures dataset of the model
    la_code       VARCHAR NOT NULL,
    agency        VARCHAR NOT NULL,     -- the agency that submitted it (the dataset's)
    period_start  DATE NOT NULL,
    period_end    DATE NOT NULL,
    submitted_by  VARCHAR NOT NULL,     -- the account (or system user) that uploaded or entered it
    submitted_at  TIMESTAMP NOT NULL,
    source        VARCHAR NOT NULL CHECK (source IN ('upload', 'inbox', 'manual', 'demo')),
    file_name     VARCHAR,              -- the uploaded file; none for a manual entry
    note          VARCHAR               -- what the submitter says of it (why a correction)
);

-- The figures of each submission: one per measure and part ('' for the whole), its value (NULL: the
-- submitter marked it "not available"). cell_key is the figure's disclosure-control key, made from
-- the warehouse's cell_key_salt and the LA, measure, period and part (record_key), so a correction
-- of the same cell keeps its key and its rounding.
CREATE TABLE submitted_figure (
    submission_id INTEGER NOT NULL,
    la_code       VARCHAR NOT NULL,
    measure       VARCHAR NOT NULL,
    period_start  DATE NOT NULL,
    period_end    DATE NOT NULL,
    part          VARCHAR NOT NULL DEFAULT '',
    value         DOUBLE,
    cell_key      BIGINT NOT NULL
);
