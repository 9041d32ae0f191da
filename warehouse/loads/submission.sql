-- One accepted submission of a figures dataset for one LA and period (warehouse/submissions.py).
INSERT INTO submission VALUES (
    $submission_id, $load_id, $dataset, $la_code, $agency, $period_start, $period_end,
    $submitted_by, $submitted_at, $source, $file_name, $note
);
