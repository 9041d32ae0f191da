-- Files whose load failed (nothing of them loaded) since a moment: the data page lists them.
SELECT load_id, file_name, dataset, la_code, finished_at, message
FROM etl_load
WHERE status = 'failed' AND finished_at >= $since
ORDER BY load_id DESC;
