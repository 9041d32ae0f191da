-- An LA's first rows of kpi_cube added to the all-LA cube (migrations/0017), summed over its areas.
INSERT INTO kpi_cube_all BY NAME
SELECT * EXCLUDE (la_code, area_code, n, key_sum), sum(n) AS n, sum(key_sum) AS key_sum
FROM kpi_cube
WHERE list_contains($la_codes, la_code)
GROUP BY ALL;
