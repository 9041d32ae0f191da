-- The first and last month with events for the LAs in $la_codes (the last is capped at the end
-- of the latest loaded coverage window, so a partial month never looks complete).
SELECT min(month) AS first_month, max(month) AS last_month
FROM kpi_cube_la
WHERE list_contains($la_codes::VARCHAR[], la_code)
  AND month <= (SELECT date_trunc('month', max(coverage_end) + INTERVAL 1 DAY) - INTERVAL 1 MONTH
                FROM etl_load WHERE list_contains($la_codes::VARCHAR[], la_code) AND status LIKE 'loaded%');
