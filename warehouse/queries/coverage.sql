-- The days each LA's datasets are covered by successful loads, as runs of consecutive days: a load
-- replaces its LA's records in its window, so the windows of every load together are what is known.
-- Windows that overlap or meet (one ends the day before the next starts) make one run.
WITH windows AS (
    SELECT la_code, dataset, coverage_start AS first_day, coverage_end AS last_day
    FROM etl_load
    WHERE status IN ('loaded', 'loaded_with_rejections')
      AND coverage_start IS NOT NULL AND coverage_end IS NOT NULL
      AND list_contains($la_codes::VARCHAR[], la_code)
      AND list_contains($datasets::VARCHAR[], dataset)
),
marked AS (
    SELECT *,
        -- A window starts a run unless an earlier one (in order of start) reaches the day before it.
        CASE WHEN first_day <= max(last_day) OVER (
                     PARTITION BY la_code, dataset ORDER BY first_day, last_day
                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) + 1
             THEN 0 ELSE 1 END AS starts_run
    FROM windows
),
numbered AS (
    SELECT *, sum(starts_run) OVER (
        PARTITION BY la_code, dataset ORDER BY first_day, last_day ROWS UNBOUNDED PRECEDING) AS run
    FROM marked
)
SELECT la_code, dataset, min(first_day) AS first_day, max(last_day) AS last_day
FROM numbered
GROUP BY la_code, dataset, run
ORDER BY la_code, dataset, first_day;
