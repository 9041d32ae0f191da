-- Files whose load failed (nothing of them loaded) since a moment, for the LAs given and files that
-- failed before naming one: the data page lists them.
SELECT load_id, file_name, dataset, la_code, finished_at, message
FROM etl_load
WHERE status = 'failed' AND finished_at >= $since
  AND (la_code IS NULL OR list_contains($la_codes::VARCHAR[], la_code))
ORDER BY load_id DESC;
