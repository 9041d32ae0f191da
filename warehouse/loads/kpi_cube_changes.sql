-- An LA's cubes rebuilt (kpi_cube_rebuilt, transforms/020_cubes.sql) replace its rows of kpi_cube
-- where they differ, and only there: a routine extract re-sends years of records of which a month is
-- new, and rewriting every row of the LA would leave the checkpoint that much more to merge.
-- A row is a cell (its dimensions and measure) with its count and key; an LA has each cell once, so
-- the rows of the two sides compare as sets, NULLs (a dimension a dataset does not carry) alike.
CREATE OR REPLACE TEMP TABLE kpi_cube_was AS
SELECT rowid AS row_id, c AS cell FROM kpi_cube AS c WHERE list_contains($la_codes, la_code);

CREATE OR REPLACE TEMP TABLE kpi_cube_gone AS
SELECT w.row_id, w.cell FROM kpi_cube_was AS w
ANTI JOIN (SELECT r AS cell FROM kpi_cube_rebuilt AS r) AS n ON w.cell = n.cell;

CREATE OR REPLACE TEMP TABLE kpi_cube_added AS
SELECT r.* FROM kpi_cube_rebuilt AS r
ANTI JOIN kpi_cube_was AS w ON r = w.cell;

DELETE FROM kpi_cube WHERE rowid IN (SELECT row_id FROM kpi_cube_gone);

INSERT INTO kpi_cube BY NAME SELECT * FROM kpi_cube_added;

-- The all-LA cube takes the change: the rows gone come off it, the rows added go on.
INSERT INTO kpi_cube_all BY NAME
SELECT * EXCLUDE (la_code, area_code, n, key_sum), sum(n) AS n, sum(key_sum) AS key_sum
FROM (
    SELECT * EXCLUDE (n, key_sum), -n AS n, -key_sum AS key_sum FROM (SELECT unnest(cell) FROM kpi_cube_gone)
    UNION ALL BY NAME
    SELECT * FROM kpi_cube_added
)
GROUP BY ALL
HAVING sum(n) <> 0 OR sum(key_sum) <> 0;

DROP TABLE kpi_cube_was;
DROP TABLE kpi_cube_gone;
DROP TABLE kpi_cube_added;
