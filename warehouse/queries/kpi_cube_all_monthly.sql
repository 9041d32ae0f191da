-- Monthly totals of cube measures for every LA of the warehouse, a run of months and the filters
-- (none of them the area: kpi_cube_all has none, migrations/0017), from the all-LA cube.
SELECT measure, month, sum(n) AS n, sum(key_sum) AS key_sum
FROM kpi_cube_all
WHERE month BETWEEN $first_month AND $last_month
  AND list_contains($measures::VARCHAR[], measure)
  AND {{row_filter}}
GROUP BY measure, month;
