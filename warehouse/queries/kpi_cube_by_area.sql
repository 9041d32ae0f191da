-- Totals of one cube measure over a run of months, by area, for a scope and the filters
-- ({{row_filter}}: Filters.cube_params).
SELECT area_code, sum(n) AS n, sum(key_sum) AS key_sum
FROM kpi_cube
WHERE list_contains($la_codes::VARCHAR[], la_code)
  AND month BETWEEN $first_month AND $last_month
  AND measure = $measure
  AND {{row_filter}}
GROUP BY area_code;
