SELECT load_id, file_name, dataset, la_code, coverage_start, coverage_end, status,
       rows_read, rows_loaded, rows_rejected, rows_replaced, is_synthetic, finished_at, loaded_by, message
FROM etl_load
ORDER BY load_id DESC
LIMIT $limit;
