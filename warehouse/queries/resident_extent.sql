-- The LAs and months of the LA roll-ups, the axes of the totals held in memory (warehouse/kpis/resident.py).
SELECT (SELECT list(DISTINCT la_code ORDER BY la_code)
        FROM (SELECT la_code FROM kpi_cube_la UNION SELECT la_code FROM missing_children_window_la)) AS la_codes,
       min(month) AS first_month, max(month) AS last_month
FROM kpi_cube_la;
