-- kpi_cube_all summed again: each LA rebuilt left rows taking off its old counts and rows adding its
-- new ones (transforms/020_cubes.sql, 030_rollups.sql). What sums to nothing goes. Run once they have
-- grown it by a quarter (warehouse/db.py run_transforms).
CREATE OR REPLACE TEMP TABLE kpi_cube_all_summed AS
SELECT * EXCLUDE (n, key_sum), CAST(sum(n) AS BIGINT) AS n, CAST(sum(key_sum) AS BIGINT) AS key_sum
FROM kpi_cube_all
GROUP BY ALL
HAVING sum(n) <> 0 OR sum(key_sum) <> 0;

DELETE FROM kpi_cube_all;

INSERT INTO kpi_cube_all BY NAME SELECT * FROM kpi_cube_all_summed;

DROP TABLE kpi_cube_all_summed;
