-- Roll-ups of the two cubes over every dimension but the LA, for views with no filter: made after
-- every cube insert, the built-in datasets' (020_cubes.sql) and a partnership's own datasets' (made
-- from the model, warehouse/model/sql.py model_cubes_sql, run between the two files).

DELETE FROM kpi_cube_la WHERE list_contains($la_codes, la_code);
DELETE FROM missing_child_month_la WHERE list_contains($la_codes, la_code);

INSERT INTO kpi_cube_la BY NAME
SELECT la_code, month, measure, sum(n) AS n, sum(key_sum) AS key_sum
FROM kpi_cube
WHERE list_contains($la_codes, la_code)
GROUP BY ALL
ORDER BY measure, month, la_code;

INSERT INTO missing_child_month_la BY NAME
SELECT la_code, month, child_id, sum(episodes) AS episodes, min(child_key) AS child_key,
       sum(episode_keys) AS episode_keys
FROM missing_child_month
WHERE list_contains($la_codes, la_code)
GROUP BY ALL
ORDER BY month, la_code;
