-- The load that published a file with this content, if it is still the latest successful load
-- of its LA and dataset (so loading the file again would change nothing).
WITH published AS (
    SELECT load_id, dataset, la_code
    FROM etl_load
    WHERE file_sha256 = $sha256 AND status IN ('loaded', 'loaded_with_rejections')
    ORDER BY load_id DESC
    LIMIT 1
)
SELECT p.load_id, p.dataset, p.la_code
FROM published AS p
WHERE p.load_id = (
    SELECT max(l.load_id) FROM etl_load AS l
    WHERE l.dataset = p.dataset AND l.la_code = p.la_code AND l.status IN ('loaded', 'loaded_with_rejections')
);
