-- The window of each successful load of the datasets for the LAs: a load replaces its LA's records in
-- its window, so the windows together are what is known (warehouse/kpis/coverage.py joins them).
SELECT la_code, dataset, coverage_start AS first_day, coverage_end AS last_day
FROM etl_load
WHERE status IN ('loaded', 'loaded_with_rejections')
  AND coverage_start IS NOT NULL AND coverage_end IS NOT NULL
  -- NULL: every LA, every dataset (held in memory: warehouse/kpis/resident.py)
  AND ($la_codes::VARCHAR[] IS NULL OR list_contains($la_codes::VARCHAR[], la_code))
  AND ($datasets::VARCHAR[] IS NULL OR list_contains($datasets::VARCHAR[], dataset));
