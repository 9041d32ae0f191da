-- The latest loads, newest first by when each finished, not by number (a submission can be recorded
-- with the time it was made, as the demo's history of submissions is): of the LAs given ($la_codes;
-- every LA when NULL), with the files that failed before naming one. The scope is cut here, before
-- the limit, so a user whose LAs are few among many still sees their own latest loads.
SELECT load_id, file_name, dataset, la_code, coverage_start, coverage_end, status,
       rows_read, rows_loaded, rows_rejected, rows_replaced, is_synthetic, finished_at, loaded_by, message
FROM etl_load
WHERE $la_codes::VARCHAR[] IS NULL OR la_code IS NULL OR list_contains($la_codes::VARCHAR[], la_code)
ORDER BY finished_at DESC NULLS LAST, load_id DESC
LIMIT $limit;
