-- One file's row in the load audit.
INSERT INTO etl_load VALUES (
    $load_id, $file_name, $file_sha256, $source_format, $dataset, $la_code, $coverage_start, $coverage_end,
    $rows_read, $rows_loaded, $rows_rejected, $rows_replaced, $status, $message, $is_synthetic,
    $started_at, $finished_at, $loaded_by
);
