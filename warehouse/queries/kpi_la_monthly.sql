-- Monthly totals of measures for a scope with no other filter, from the LA roll-up.
SELECT measure, month, sum(n) AS n, sum(key_sum) AS key_sum
FROM kpi_cube_la
WHERE list_contains($la_codes::VARCHAR[], la_code)
  AND month BETWEEN $first_month AND $last_month
  AND list_contains($measures::VARCHAR[], measure)
GROUP BY measure, month;
