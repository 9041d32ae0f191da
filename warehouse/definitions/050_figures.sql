-- Figures submitted by agencies (tables: migrations/0014_submitted_figures.sql).

-- Every submitted figure with its submission (who, when, how) and the figure it superseded: per
-- cell (LA, measure, period, part), in the order submitted, the value before it (previous_value,
-- NULL for the first) and how many came before (revision: 0 for the first, 1 for the first
-- correction...). Submissions are numbered in the order they are accepted, under the load lock.
CREATE OR REPLACE VIEW figure_history AS
SELECT
    f.la_code, f.measure, f.period_start, f.period_end, f.part, f.value, f.cell_key,
    s.submission_id, s.dataset, s.agency, s.submitted_by, s.submitted_at, s.source, s.file_name, s.note,
    s.load_id,
    lag(f.value) OVER cell AS previous_value,
    row_number() OVER cell - 1 AS revision
FROM submitted_figure AS f
JOIN submission AS s USING (submission_id)
WINDOW cell AS (PARTITION BY f.la_code, f.measure, f.period_start, f.part ORDER BY s.submission_id);

-- The current figure of each cell: that of its latest submission (a correction supersedes, the
-- earlier stays in figure_history, and previous_value is the one it replaced). value is NULL where
-- the latest submission said "not available".
CREATE OR REPLACE VIEW current_figure AS
SELECT *
FROM figure_history
QUALIFY row_number() OVER (
    PARTITION BY la_code, measure, period_start, part ORDER BY submission_id DESC
) = 1;

-- A submitted figure's disclosure-control key: a record key (005_macros.sql) of the cell, so it is
-- the same for every submission of the cell and a correction keeps the figure's rounding.
CREATE OR REPLACE MACRO figure_key(salt, la_code, measure, period_start, part) AS
    record_key(salt, la_code, 'figure|' || measure || '|' || strftime(period_start, '%Y-%m-%d') || '|' || part);
