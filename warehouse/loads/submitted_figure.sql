-- One figure of a submission, with its cell's disclosure-control key (definitions/050_figures.sql).
-- One statement: run with executemany, a row of parameters per figure.
INSERT INTO submitted_figure VALUES (
    $submission_id, $la_code, $measure, $period_start, $period_end, $part, $value,
    figure_key($cell_key_salt, $la_code, $measure, $period_start, $part)
);
