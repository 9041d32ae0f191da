-- Monthly totals of cube measures for a scope, a run of months and the filters ({{row_filter}}:
-- Filters.cube_params).
SELECT measure, month, sum(n) AS n, sum(key_sum) AS key_sum
FROM kpi_cube
WHERE list_contains($la_codes::VARCHAR[], la_code)
  AND month BETWEEN $first_month AND $last_month
  AND list_contains($measures::VARCHAR[], measure)
  AND {{row_filter}}
GROUP BY measure, month;
