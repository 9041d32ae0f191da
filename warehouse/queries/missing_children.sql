-- Children who went missing in each of the given runs of months ($windows: first and last
-- month of each), counted once per window however many episodes they had.
WITH windows AS (
    SELECT unnest($firsts::DATE[]) AS first_month, unnest($lasts::DATE[]) AS last_month
),
per_child AS (
    SELECT w.first_month, w.last_month, m.child_id, sum(m.episodes) AS episodes,
           min(m.child_key) AS child_key, sum(m.episode_keys) AS episode_keys
    FROM missing_child_month AS m
    JOIN windows AS w ON m.month BETWEEN w.first_month AND w.last_month
    WHERE list_contains($la_codes::VARCHAR[], m.la_code)
      AND {{row_filter}}
    GROUP BY ALL
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
