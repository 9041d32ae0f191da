-- kpi_cube_all summed afresh from kpi_cube (migrations/0017): before a migration rebuilds every LA's
-- cubes, which then take each LA's rows off it and add them again.
DELETE FROM kpi_cube_all;

INSERT INTO kpi_cube_all BY NAME
SELECT * EXCLUDE (la_code, area_code, n, key_sum),
       CAST(sum(n) AS BIGINT) AS n, CAST(sum(key_sum) AS BIGINT) AS key_sum
FROM kpi_cube
GROUP BY ALL;
