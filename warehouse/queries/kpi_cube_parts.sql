-- Totals of cube measures over a run of months, by the parts of one dimension ($part: its cube
-- column), for share KPIs, for a scope and the filters ({{row_filter}}: Filters.cube_params).
SELECT measure, struct_extract(f, $part) AS part, sum(n) AS n, sum(key_sum) AS key_sum
FROM kpi_cube AS f
WHERE list_contains($la_codes::VARCHAR[], la_code)
  AND month BETWEEN $first_month AND $last_month
  AND list_contains($measures::VARCHAR[], measure)
  AND {{row_filter}}
GROUP BY ALL;
