-- How far each LA's datasets are covered, by their latest successful load: the stale-data banner
-- compares the days since `covered_to` with the dataset's expected cadence. Figures submitted by
-- agencies are not here: the submission tracker (warehouse/tracker.py) says what is late of them.
SELECT la_code, dataset, max(coverage_end) AS covered_to, max(finished_at) AS last_loaded_at
FROM etl_load
WHERE status IN ('loaded', 'loaded_with_rejections', 'unchanged') AND dataset <> 'areas' AND la_code IS NOT NULL
  AND source_format NOT LIKE 'figures%' AND coverage_end IS NOT NULL
  AND la_code IN (SELECT unnest($la_codes))
GROUP BY la_code, dataset
ORDER BY la_code, dataset;
