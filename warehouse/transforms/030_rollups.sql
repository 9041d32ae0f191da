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

-- The children missing in every window of 1, 3, 6 and 12 months (migrations/0016): each child's
-- month counts in the windows of each length that end in it or in the months after it.
DELETE FROM missing_children_window_la WHERE list_contains($la_codes, la_code);

INSERT INTO missing_children_window_la BY NAME
WITH ending AS (
    SELECT m.la_code, l.months, m.month + to_months(unnest(range(l.months))) AS last_month,
           m.child_id, m.episodes, m.child_key, m.episode_keys
    FROM missing_child_month_la AS m
    CROSS JOIN (VALUES (1), (3), (6), (12)) AS l(months)
    WHERE list_contains($la_codes, m.la_code)
),
per_child AS (
    SELECT la_code, months, last_month, child_id, sum(episodes) AS episodes,
           min(child_key) AS child_key, sum(episode_keys) AS episode_keys
    FROM ending
    GROUP BY ALL
)
SELECT la_code, months, CAST(last_month - to_months(months - 1) AS DATE) AS first_month,
       CAST(last_month AS DATE) AS last_month,
       count(*) AS missing_children,
       count(*) FILTER (WHERE episodes >= 2) AS missing_children_repeat,
       sum(episodes) AS missing_child_episodes,
       sum(child_key) AS missing_children_key,
       coalesce(sum(child_key) FILTER (WHERE episodes >= 2), 0) AS missing_children_repeat_key,
       sum(episode_keys) AS missing_child_episodes_key
FROM per_child
GROUP BY ALL
ORDER BY months, last_month, la_code;
