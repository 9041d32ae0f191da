-- missing_children for a scope with no other filter, from the LA roll-up.
-- The roll-up holds one row per LA, month and child, so a one-month window's children are its rows
-- as they are: only the longer windows group each child's months (the series' 25 one-month windows
-- made most of the grouping, 50 ms of England's executive set, now 32).
WITH windows AS (
    SELECT unnest($firsts::DATE[]) AS first_month, unnest($lasts::DATE[]) AS last_month
),
scoped AS (
    SELECT * FROM missing_child_month_la WHERE list_contains($la_codes::VARCHAR[], la_code)
),
per_child AS (
    SELECT w.first_month, w.last_month, m.child_id, sum(m.episodes) AS episodes,
           min(m.child_key) AS child_key, sum(m.episode_keys) AS episode_keys
    FROM scoped AS m
    JOIN windows AS w ON m.month BETWEEN w.first_month AND w.last_month
    WHERE w.first_month < w.last_month
    GROUP BY ALL
    UNION ALL
    SELECT w.first_month, w.last_month, m.child_id, m.episodes, m.child_key, m.episode_keys
    FROM scoped AS m
    JOIN windows AS w ON m.month = w.first_month AND w.first_month = w.last_month
)
SELECT first_month, last_month,
       count(*) AS missing_children,
       count(*) FILTER (WHERE episodes >= 2) AS missing_children_repeat,
       sum(episodes) AS missing_child_episodes,
       -- each measure's cell key: the children's keys, or the episodes' keys
       sum(child_key) AS missing_children_key,
       sum(child_key) FILTER (WHERE episodes >= 2) AS missing_children_repeat_key,
       sum(episode_keys) AS missing_child_episodes_key
FROM per_child
GROUP BY first_month, last_month;
