-- The datasets and LAs that a file with this content published, and whether each of those loads
-- is still the latest successful load of its LA and dataset (if all are, loading the file again
-- would change nothing). $la_code, when the load names the LA, keeps to that LA.
WITH published AS (
    SELECT dataset, la_code, max(load_id) AS load_id
    FROM etl_load
    WHERE file_sha256 = $sha256 AND status IN ('loaded', 'loaded_with_rejections')
      AND ($la_code IS NULL OR la_code = $la_code)
    GROUP BY dataset, la_code
)
SELECT p.load_id, p.dataset, p.la_code,
       p.load_id = (
           SELECT max(l.load_id) FROM etl_load AS l
           WHERE l.dataset = p.dataset AND l.la_code = p.la_code AND l.status IN ('loaded', 'loaded_with_rejections')
       ) AS is_latest
FROM published AS p
ORDER BY p.load_id;
